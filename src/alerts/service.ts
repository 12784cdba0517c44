import type { Db, DbOrTx, Tx } from '../db/client.ts';
import { sql } from '../db/orm.ts';
import { firstInRequestTransaction, requestTransactionMap } from '../db/request-transaction.ts';
import { rowsOf } from '../db/rows.ts';
import type { IndexSide, MatchIndex, ProfileState } from '../matching/index.ts';
import { readStates } from '../matching/repository.ts';
import { refreshProfiles } from '../matching/sync.ts';
import type { ScoreMethod } from '../matching/types.ts';
import { narrowToAffected } from './affected-rows.ts';
import { announceCrossings, type Scored } from './announce.ts';
import { pairsAbove, type Thresholds } from './evaluate.ts';
import { Foresight } from './foresight.ts';
import { FoundPairs } from './found-pairs.ts';
import { AlertRegistry } from './registry.ts';
import {
  alertGenerationOf,
  alertingSubjectsOf,
  deleteAlert,
  enterAlertChange,
  enterMarketWrite,
  findAlert,
  upsertAlert,
} from './repository.ts';
import type { AlertScanThread } from './scan-thread.ts';

/** An evaluation opened at the start of a market write's transaction (see Alerts.begin). */
export interface AlertTurn {
  /**
   * Optional, between the write's statements: the changed profiles' states as the write leaves
   * them, known before its last statements (a bulk batch knows them after its first), so that they
   * are scored, and their crossings announced, while PostgreSQL runs the rest. Only for writes that
   * delete no profile (the alerts are read at once) and whose states as given are final: evaluate
   * must then name the same profiles (otherwise it throws, and the transaction rolls back).
   */
  early(side: IndexSide, ids: readonly string[], states: readonly ProfileState[]): void;
  /**
   * Call after the write's statements: announces the crossings of the changed profiles. Returns
   * the profiles' states as written (missing: gone from the market), or undefined when nothing
   * was evaluated.
   */
  evaluate(
    side: IndexSide,
    ids: string[],
    known?: readonly ProfileState[],
  ): Promise<Map<string, ProfileState | null> | undefined>;
  /**
   * Why the early scoring or its announcement failed, if it did. Its statements share the write's
   * transaction, so the write's own statements then fail too, with PostgreSQL's "transaction is
   * aborted": this is the cause to report instead.
   */
  failure(): unknown;
}

/** What `early` hands a write's statements: see AlertTurn.early. */
export type EarlyStates = AlertTurn['early'];

const inert: AlertTurn = { early: () => {}, evaluate: async () => undefined, failure: () => undefined };

/** The changed profiles' states as written (missing: gone from the market), once announced. */
type Announced = Map<string, ProfileState | null> | undefined;

/** Feed rows this young are read by the catch-up under the lock; older ones the follower has applied. */
const CATCH_UP_WINDOW = '10 seconds';

/**
 * Alerts (docs/architecture.md#alerts): every write that changes the market evaluates, inside its
 * own transaction and under the workspace's market lock, which pairs of the changed profiles are
 * above an alerting subject's threshold after the write and which were before it (the profiles as
 * the index holds them, brought to the committed market first), and writes the difference as
 * match.created / match.removed events (feed and webhook outbox), committed with the write.
 */
export class Alerts {
  private readonly index: MatchIndex;
  /** Per workspace: the highest change-feed seq the catch-up under the lock has applied. */
  private readonly watermarks = new Map<string, number>();
  /**
   * Per workspace: its alerting subjects, as of the alert generation they were read at, and its
   * score method, as its last evaluation read them (none once a write found its alerts all off).
   */
  private readonly registries = new Map<string, { registry: AlertRegistry; method: ScoreMethod }>();
  /** Bulk batches scored ahead (see foresee): how many writes used their pairs, and how many scored again. */
  readonly foresights = { used: 0, missed: 0 };

  /** Where a bulk batch scored ahead finds its pairs when it can (another core); none: on the event loop. */
  private readonly scanThread: AlertScanThread | undefined;

  constructor(index: MatchIndex, scanThread?: AlertScanThread) {
    this.index = index;
    this.scanThread = scanThread;
  }

  /**
   * A market-changing write and its evaluation, in one transaction; `work` names the profiles it
   * changed. `earlier`: the batches of the same bulk request written before this one (see
   * EarlierBatches); this write's profiles join them once it commits. `foresight`: its pairs
   * scored ahead (see foresee), used if they still hold.
   */
  write<T>(
    db: Db,
    workspaceId: string,
    side: IndexSide,
    work: (
      tx: Tx,
      early: EarlyStates,
    ) => Promise<{ value: T; ids: string[]; states?: readonly ProfileState[] }>,
    earlier?: EarlierBatches,
    foresight?: PromiseLike<Foresight | undefined>,
  ): Promise<T> {
    // In a request transaction (a bulk request's batches), a later batch's "before" is what an
    // earlier one wrote: not committed, so not in the index.
    const written = requestTransactionMap<ProfileState | null>(writtenKey(workspaceId, side));
    return db
      .transaction(async (tx) => {
        const turn = await this.begin(tx, workspaceId, earlier, foresight);
        const { value, ids, states } = await work(tx, turn.early).catch((error: unknown) => {
          throw turn.failure() ?? error;
        });
        return { value, ids, states: await turn.evaluate(side, ids, states) };
      })
      .then(({ value, ids, states }) => {
        for (const [id, state] of states ?? []) written?.set(id, state);
        earlier?.add(ids);
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
  async begin(
    tx: Tx,
    workspaceId: string,
    earlier?: EarlierBatches,
    foresight?: PromiseLike<Foresight | undefined>,
  ): Promise<AlertTurn> {
    if (!(await enterMarketWrite(tx, workspaceId))) {
      // Nothing to foresee with until an evaluation reads the alerts again.
      this.registries.delete(workspaceId);
      return inert;
    }
    await this.catchUp(tx, workspaceId, earlier);
    let early: Promise<{ scored: Scored; written: Announced } | undefined> | undefined;
    let earlyFailure: unknown;
    return {
      early: (side, ids, states) => {
        // Announced as soon as scored: the feed rows queue behind the write's last statements.
        early = this.score(tx, workspaceId, side, ids, states, { onlyKnown: true, foresight }).then(
          async (scored) => scored && { scored, written: await this.announce(tx, workspaceId, scored) },
        );
        // Evaluate awaits it; a write that fails first leaves it (but names its error: see `failure`).
        early.catch((error) => {
          earlyFailure ??= error;
        });
      },
      failure: () => earlyFailure,
      evaluate: async (side, ids, known) => {
        if (ids.length === 0) return undefined;
        const announced = await early;
        if (!announced)
          return this.announce(
            tx,
            workspaceId,
            await this.score(tx, workspaceId, side, ids, known, { foresight }),
          );
        // Its feed rows are written: other profiles than these would make them wrong (rolled back).
        if (announced.scored.side !== side || !sameIds(announced.scored.ids, ids))
          throw new Error('An early alert scoring named other profiles than its write.');
        return announced.written;
      },
    };
  }

  /** The subject's alert, or undefined when it has none. */
  find(db: DbOrTx, workspaceId: string, side: IndexSide, id: string) {
    return findAlert(db, workspaceId, side, id);
  }

  /**
   * Switches the subject's alert on or changes its threshold (default: the subject's own minScore).
   * Raises nothing: each later write diffs its pairs before and after at the thresholds of then.
   * Undefined when the subject does not exist.
   */
  set(db: Db, workspaceId: string, side: IndexSide, id: string, minScore: number | undefined) {
    return db.transaction(async (tx) => {
      await enterAlertChange(tx, workspaceId);
      const [state] = await readStates(tx, workspaceId, side, [id], this.index.currentLayoutKeys());
      if (!state) return undefined;
      return upsertAlert(tx, workspaceId, side, id, minScore ?? state.minScore);
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
   * request's later batches must not read its own uncommitted writes into the index. The profiles
   * of `earlier` batches are left out, and the watermark stays before the first of them, so every
   * other write's catch-up still applies them.
   */
  private async catchUp(tx: Tx, workspaceId: string, earlier?: EarlierBatches): Promise<void> {
    if (!firstInRequestTransaction(`alerts:${workspaceId}`)) return;
    const watermark = this.watermarks.get(workspaceId) ?? 0;
    const changes = rowsOf<{ seq: string | number; side: IndexSide; profile_id: string }>(
      await tx.execute(sql`
        select seq, side, profile_id from profile_changes
         where workspace_id = ${workspaceId}::uuid and seq > ${Math.max(watermark, earlier?.seen ?? 0)}
           and changed_at > now() - ${CATCH_UP_WINDOW}::interval
         order by seq`),
    );
    if (changes.length === 0) return;
    const earlierOwn = (change: (typeof changes)[number]) =>
      earlier?.has(change.side, change.profile_id) === true;
    for (const side of ['job', 'candidate'] as const) {
      const ids = changes.filter((c) => c.side === side && !earlierOwn(c)).map((c) => c.profile_id);
      await refreshProfiles(tx, this.index, workspaceId, side, ids);
    }
    const last = Number(changes.at(-1)!.seq);
    if (earlier) earlier.seen = last;
    const left = changes.find(earlierOwn);
    this.watermarks.set(workspaceId, left ? Math.max(watermark, Number(left.seq) - 1) : last);
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
    const held = this.registries.get(workspaceId)?.registry;
    const registry =
      held?.generation === generation
        ? held
        : new AlertRegistry(generation, await alertingSubjectsOf(tx, workspaceId));
    this.registries.set(workspaceId, { registry, method });
    return { registry, method };
  }

  /**
   * Starts scoring a bulk batch's new profiles ahead of its write (see Foresight), with the
   * registry and method the workspace's last evaluation read; undefined when there is none to go
   * by (no evaluation yet, or the alerts were all off at the last write). `states` are made only
   * when there is.
   */
  foresee(workspaceId: string, side: IndexSide, states: () => ProfileState[]): Foresight | undefined {
    const held = this.registries.get(workspaceId);
    return held && new Foresight(this.index, workspaceId, side, states(), held, this.scanThread);
  }

  /**
   * Scores the changed profiles: their pairs above an alert's threshold after the write and before
   * it. `known`: states the write already has, as the index will take them (the rest are read,
   * unless `onlyKnown`: then undefined, and evaluate scores them after the write). `foresight`:
   * the pairs after the write scored ahead, used when they still hold.
   */
  private async score(
    tx: Tx,
    workspaceId: string,
    side: IndexSide,
    ids: readonly string[],
    known: readonly ProfileState[] = [],
    {
      onlyKnown = false,
      foresight,
    }: { onlyKnown?: boolean; foresight?: PromiseLike<Foresight | undefined> } = {},
  ): Promise<Scored | undefined> {
    const layoutKeys = this.index.currentLayoutKeys();
    // A packed row of a layout this process does not use (a questionnaire changed meanwhile) is read again.
    const usable = known.filter(
      (state) => !state.answers?.indexRow || layoutKeys.includes(state.answers.indexLayout ?? ''),
    );
    const given = new Set(usable.map((state) => state.id));
    const unknown = ids.filter((id) => !given.has(id));
    if (onlyKnown && unknown.length > 0) return undefined;
    const states = [
      ...usable,
      ...(unknown.length === 0 ? [] : await readStates(tx, workspaceId, side, unknown, layoutKeys)),
    ];
    const { registry, method } = await this.registryOf(tx, workspaceId);
    const thresholds = registry.thresholds(side, ids);
    const ahead = await foresight;
    const foreseen = await ahead?.pairsFor(side, states, registry, method);
    if (ahead) this.foresights[foreseen ? 'used' : 'missed']++;
    const indexed = this.heldBefore(workspaceId, side, ids);
    const after = foreseen ?? (await this.pairsAfter(workspaceId, side, states, method, thresholds, indexed));
    const before = await this.pairsBefore(workspaceId, side, ids, method, thresholds, indexed);
    return { side, ids, states, method, after, before };
  }

  /** Writes the crossings of a scored write: feed rows and webhook outbox. */
  private async announce(tx: Tx, workspaceId: string, scored: Scored | undefined): Promise<Announced> {
    if (!scored) return undefined;
    await announceCrossings(tx, this.index, workspaceId, scored);
    const written = new Map<string, ProfileState | null>(scored.ids.map((id) => [id, null]));
    for (const state of scored.states) written.set(state.id, state);
    return written;
  }

  /**
   * The pairs of the changed profiles as written. A profile with an alert of its own is scanned
   * only over the rows its write may change, and so is it as `indexed` holds it, before the write
   * (narrowToAffected): the crossings stay the same, the pairs above the threshold in both are not found.
   */
  private pairsAfter(
    workspaceId: string,
    side: IndexSide,
    states: ProfileState[],
    method: ScoreMethod,
    thresholds: Thresholds,
    indexed: HeldBefore,
  ): Promise<FoundPairs> {
    const staging = this.index.stage(workspaceId, states);
    narrowToAffected(
      this.index,
      workspaceId,
      side,
      { states, staging },
      { states: indexed.states, staging: indexed.groups },
      thresholds.own,
    );
    return pairsAbove(this.index, workspaceId, side, states, method, thresholds, undefined, staging);
  }

  /** The changed profiles as the index holds them, but those an earlier step of this request transaction wrote. */
  private heldBefore(workspaceId: string, side: IndexSide, ids: readonly string[]): HeldBefore {
    const written = requestTransactionMap<ProfileState | null>(writtenKey(workspaceId, side));
    return this.index.stageIndexed(workspaceId, side, written ? ids.filter((id) => !written.has(id)) : ids);
  }

  /**
   * The pairs of the changed profiles before this write, at the thresholds of now (an alert
   * switched on or changed since raises nothing: it counts from its own start). A profile an
   * earlier step of this request transaction wrote is taken as written; any other as the index
   * holds it, which the catch-up under the market lock made the committed one.
   */
  private async pairsBefore(
    workspaceId: string,
    side: IndexSide,
    ids: readonly string[],
    method: ScoreMethod,
    thresholds: Thresholds,
    indexed: HeldBefore,
  ): Promise<FoundPairs> {
    const written = requestTransactionMap<ProfileState | null>(writtenKey(workspaceId, side));
    const pairs = new FoundPairs(side);
    if (indexed.groups.length > 0)
      await pairsAbove(
        this.index,
        workspaceId,
        side,
        indexed.states,
        method,
        thresholds,
        undefined,
        indexed.groups,
        pairs,
      );
    const earlier = ids.flatMap((id) => written?.get(id) ?? []);
    if (earlier.length > 0)
      await pairsAbove(
        this.index,
        workspaceId,
        side,
        earlier,
        method,
        thresholds,
        undefined,
        undefined,
        pairs,
      );
    return pairs;
  }
}

/**
 * The batches of one bulk request written so far: a request without an Idempotency-Key commits
 * batch by batch, but its process puts them into its index only when the request ends
 * (ProfileSync.writeThrough). Its later batches' catch-ups leave them out instead of reading them
 * back (about a tenth of a batch's time): a batch scores its own side's profiles against the other
 * side only, and a request names each profile once, so no later batch of it needs them indexed.
 */
export class EarlierBatches {
  private readonly side: IndexSide;
  private readonly ids = new Set<string>();
  /** The highest change seq this request's catch-ups have gone through. */
  seen = 0;

  constructor(side: IndexSide) {
    this.side = side;
  }

  add(ids: readonly string[]): void {
    for (const id of ids) this.ids.add(id);
  }

  has(side: IndexSide, id: string): boolean {
    return side === this.side && this.ids.has(id);
  }
}

type HeldBefore = ReturnType<MatchIndex['stageIndexed']>;

const sameIds = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((id, i) => id === b[i]);

const writtenKey = (workspaceId: string, side: IndexSide) => `alerts:written:${workspaceId}:${side}`;

/** What a writing route needs: its market writes run with their alert evaluation (a bulk one's scored ahead). */
export type MarketWrites = Pick<Alerts, 'write' | 'foresee'>;
