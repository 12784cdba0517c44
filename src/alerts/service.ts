import type { Db, DbOrTx, Tx } from '../db/client.ts';
import { sql } from '../db/orm.ts';
import { firstInRequestTransaction } from '../db/request-transaction.ts';
import { rowsOf } from '../db/rows.ts';
import type { IndexSide, MatchIndex } from '../matching/index.ts';
import { readStates, scoreMethodOf } from '../matching/repository.ts';
import { enqueueEvents } from '../webhooks/events.ts';
import { type AlertPair, pairKey, pairsAbove, scoreNow } from './evaluate.ts';
import { AlertingSide, AlertRegistry } from './registry.ts';
import {
  type AlertEvent,
  alertGenerationOf,
  announcedOf,
  deleteAlert,
  deleteAnnounced,
  enterAlertChange,
  enterMarketWrite,
  findAlert,
  insertAlertEvents,
  insertAnnounced,
  replaceAnnounced,
  thresholdsOf,
  upsertAlert,
} from './repository.ts';
import { Turns } from './turns.ts';

/** An evaluation opened at the start of a market write's transaction (see Alerts.begin). */
export interface AlertTurn {
  /** Call after the write's statements: announces the crossings of the changed profiles. */
  evaluate(side: IndexSide, ids: string[]): Promise<void>;
}

const inert: AlertTurn = { evaluate: async () => {} };

/** Feed rows this young are read by the catch-up under the lock; older ones the follower has applied. */
const CATCH_UP_WINDOW = '10 seconds';

const other = (side: IndexSide): IndexSide => (side === 'job' ? 'candidate' : 'job');

/**
 * Alerts (docs/architecture.md#alerts): every write that changes the market evaluates, inside its
 * own transaction, which pairs of the changed profiles are now above an alerting subject's
 * threshold, diffs that against the pairs announced so far (alert_pairs) and writes the
 * difference with its match.created / match.removed events (feed and webhook outbox). The truth is
 * in PostgreSQL, so a crossing is announced once whatever restarts or replicas do.
 */
export class Alerts {
  private readonly index: MatchIndex;
  /** Per workspace: the highest change-feed seq the catch-up under the lock has applied. */
  private readonly watermarks = new Map<string, number>();
  /** Per workspace: its alerting subjects, as of the alert generation they were read at. */
  private readonly registries = new Map<string, AlertRegistry>();

  constructor(index: MatchIndex) {
    this.index = index;
  }

  /** A market-changing write and its evaluation, in one transaction; `work` names the profiles it changed. */
  write<T>(
    db: Db,
    workspaceId: string,
    side: IndexSide,
    work: (tx: Tx) => Promise<{ value: T; ids: string[] }>,
  ): Promise<T> {
    return db.transaction(async (tx) => {
      const turn = await this.begin(tx, workspaceId);
      const { value, ids } = await work(tx);
      await turn.evaluate(side, ids);
      return value;
    });
  }

  /**
   * Call first in a market write's transaction, before its statements. In a workspace with alerts,
   * takes its market lock (held to commit: evaluations of one workspace run one at a time, each
   * seeing every earlier one committed), and brings this process's index up to the committed state
   * of the workspace, so the other side is scored as it is, not as a lagging follower last saw it.
   * Without alerts, the write only holds the gate shared (see enterMarketWrite) and evaluates nothing.
   */
  async begin(tx: Tx, workspaceId: string): Promise<AlertTurn> {
    if (!(await enterMarketWrite(tx, workspaceId))) return inert;
    await this.catchUp(tx, workspaceId);
    return { evaluate: (side, ids) => this.evaluate(tx, workspaceId, side, ids) };
  }

  /** The subject's alert, or undefined when it has none. */
  find(db: DbOrTx, workspaceId: string, side: IndexSide, id: string) {
    return findAlert(db, workspaceId, side, id);
  }

  /**
   * Switches the subject's alert on or changes its threshold (default: the subject's own minScore).
   * Raises nothing: the pairs above the threshold now become the announced set, silently.
   * Undefined when the subject does not exist.
   */
  set(db: Db, workspaceId: string, side: IndexSide, id: string, minScore: number | undefined) {
    return db.transaction(async (tx) => {
      await enterAlertChange(tx, workspaceId);
      await this.catchUp(tx, workspaceId);
      const [state] = await readStates(tx, workspaceId, side, [id], this.index.currentLayoutKeys());
      if (!state) return undefined;
      const threshold = minScore ?? state.minScore;
      const alert = await upsertAlert(tx, workspaceId, side, id, threshold);
      const method = await scoreMethodOf(tx, workspaceId);
      const own = new Map([[id, threshold]]);
      const pairs = await pairsAbove(this.index, workspaceId, side, [state], method, {
        own,
        others: new AlertingSide(new Map()),
      });
      await replaceAnnounced(tx, workspaceId, side, id, pairs);
      return alert;
    });
  }

  /** Switches the alert off; false when there was none. */
  unset(db: Db, workspaceId: string, side: IndexSide, id: string): Promise<boolean> {
    return db.transaction(async (tx) => {
      await enterAlertChange(tx, workspaceId);
      return deleteAlert(tx, workspaceId, side, id);
    });
  }

  /**
   * Applies to the index the workspace's changes committed since the last catch-up (every earlier
   * market write has committed: this runs under the lock). Once per request transaction: a bulk
   * request's later batches must not read its own uncommitted writes into the index.
   */
  private async catchUp(tx: Tx, workspaceId: string): Promise<void> {
    if (!firstInRequestTransaction(`alerts:${workspaceId}`)) return;
    const changes = rowsOf<{ seq: string | number; side: IndexSide; profile_id: string }>(
      await tx.execute(sql`
        select seq, side, profile_id from profile_changes
         where workspace_id = ${workspaceId}::uuid and seq > ${this.watermarks.get(workspaceId) ?? 0}
           and changed_at > now() - ${CATCH_UP_WINDOW}::interval
         order by seq`),
    );
    if (changes.length === 0) return;
    for (const side of ['job', 'candidate'] as const) {
      const ids = [...new Set(changes.filter((c) => c.side === side).map((c) => c.profile_id))];
      const applied = this.index.touches.touch(ids);
      try {
        const states = await readStates(tx, workspaceId, side, ids, this.index.currentLayoutKeys());
        const found = new Set(states.map((s) => s.id));
        for (const state of states) this.index.apply(workspaceId, side, state);
        for (const id of ids) if (!found.has(id)) this.index.remove(workspaceId, side, id);
      } finally {
        applied();
      }
    }
    this.watermarks.set(workspaceId, Number(changes.at(-1)!.seq));
  }

  /**
   * The workspace's alerting subjects: the registry this process holds, or, when the workspace's
   * alert generation is no longer the one it was read at, a new one. Read after the write's own
   * statements (a subject's deletion cascades to its alert) and under the market lock (every
   * alert change holds it to commit), so it is the workspace's alerts as this write sees them.
   * Generations come from a sequence: one seen in a transaction that rolled back never returns.
   */
  private async registryOf(tx: Tx, workspaceId: string) {
    const { generation, method } = await alertGenerationOf(tx, workspaceId);
    let registry = this.registries.get(workspaceId);
    if (registry?.generation !== generation) {
      registry = new AlertRegistry(generation, await thresholdsOf(tx, workspaceId));
      this.registries.set(workspaceId, registry);
    }
    return { registry, method };
  }

  private async evaluate(tx: Tx, workspaceId: string, side: IndexSide, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const states = await readStates(tx, workspaceId, side, ids, this.index.currentLayoutKeys());
    const { registry, method } = await this.registryOf(tx, workspaceId);
    const mine = registry.side(side).thresholds;
    const own = new Map(ids.filter((id) => mine.has(id)).map((id) => [id, mine.get(id)!]));
    const others = registry.side(other(side));
    const fresh = await pairsAbove(this.index, workspaceId, side, states, method, { own, others });
    const stored = await announcedOf(tx, side, ids);
    const turns = new Turns();
    const created = await notIn(fresh, stored, turns);
    const gone = await notIn(stored, fresh, turns);
    // A pair whose alert was switched off (or whose subject was deleted) goes without an event.
    const alerting = (p: AlertPair) =>
      p.alertOf === side
        ? own.has(side === 'job' ? p.jobId : p.candidateId)
        : others.thresholds.has(side === 'job' ? p.candidateId : p.jobId);
    const removed = gone.filter(alerting);
    await deleteAnnounced(tx, gone);
    await insertAnnounced(tx, workspaceId, created);
    const scores = await scoreNow(this.index, workspaceId, side, states, method, removed);
    const events: AlertEvent[] = [
      ...removed.map((p) => ({
        type: 'match.removed' as const,
        ...p,
        score: scores.get(pairKey(p.jobId, p.candidateId)) ?? null,
      })),
      ...created.map((p) => ({ type: 'match.created' as const, ...p })),
    ];
    await insertAlertEvents(tx, workspaceId, events);
    await enqueueEvents(
      tx,
      workspaceId,
      events.map(({ type, ...data }) => ({ type, data })),
    );
  }
}

/** What a writing route needs: its market writes run with their alert evaluation. */
export type MarketWrites = Pick<Alerts, 'write'>;

const keyOf = (p: AlertPair) => `${p.alertOf}:${pairKey(p.jobId, p.candidateId)}`;
/** Pairs keyed per PIECE between pauses: a job's own alert can hold hundreds of thousands. */
const PIECE = 4_096;

/** The pairs of `pairs` not in `others`, in turns (see turns.ts). */
async function notIn(pairs: AlertPair[], others: AlertPair[], turns: Turns): Promise<AlertPair[]> {
  const keys = new Set<string>();
  for (let i = 0; i < others.length; i++) {
    keys.add(keyOf(others[i]!));
    if (i % PIECE === PIECE - 1) await turns.pause();
  }
  const missing: AlertPair[] = [];
  for (let i = 0; i < pairs.length; i++) {
    if (!keys.has(keyOf(pairs[i]!))) missing.push(pairs[i]!);
    if (i % PIECE === PIECE - 1) await turns.pause();
  }
  return missing;
}
