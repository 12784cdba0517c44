import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { AnswerSet } from '../answers/types.ts';
import type { Database, Db, DbOrTx } from '../db/client.ts';
import { outageLog, retryThroughOutages } from '../db/faults.ts';
import type { Notifications } from '../db/notifications.ts';
import { deferUntilCommit } from '../db/request-transaction.ts';
import type { IndexSide, MatchIndex, PackedRow } from './index.ts';
import { WrittenProfiles } from './profile-sync.ts';
import {
  CHANGES_CHANNEL,
  type ChangeRow,
  changesSince,
  latestChangeSeq,
  type MarketSize,
  marketSizes,
  purgeChangesBefore,
  readStates,
  streamStates,
} from './repository.ts';

/** A change row can commit after one with a higher seq, at most this long after it was written. */
const COMMIT_WINDOW_MS = 5_000;
const CATCH_UP_MS = 1_000;
const CHANGE_RETENTION_MS = 10 * 60_000;
const BATCH = 2_000;
/** More gaps than this between the seqs seen are read as one range. */
const MAX_GAPS = 100;

/** Re-reads profiles from PostgreSQL (or a transaction) and puts them where they now belong in the index. */
export async function refreshProfiles(
  db: DbOrTx,
  index: MatchIndex,
  workspaceId: string,
  side: IndexSide,
  ids: string[],
) {
  const unique = [...new Set(ids)];
  for (let start = 0; start < unique.length; start += BATCH) {
    const batch = unique.slice(start, start + BATCH);
    const read = index.touches.read(batch);
    try {
      const states = await readStates(db, workspaceId, side, batch, index.currentLayoutKeys());
      // A profile read again meanwhile (a catch-up under the alerts' lock) keeps that newer state.
      const newer = read.newer();
      const found = new Set(states.map((s) => s.id));
      for (const state of states) if (!newer.has(state.id)) index.apply(workspaceId, side, state);
      for (const id of batch) if (!found.has(id) && !newer.has(id)) index.remove(workspaceId, side, id);
    } finally {
      read.done();
    }
  }
}

/**
 * Loads the index, starting over (with back-off) while the database cannot be reached: a start
 * that meets a database outage becomes ready once it is back. Loading again over a half-loaded
 * index is safe (apply replaces), and the follower, started first, replays what changed meanwhile.
 */
export async function loadIndex(db: Db, index: MatchIndex, log: FastifyBaseLogger): Promise<void> {
  await retryThroughOutages(
    () => loadIndexOnce(db, index, log),
    (err, attempt, delayMs) =>
      log.warn(
        { err: err, attempt, delayMs },
        'the database went away while loading the match index; loading again',
      ),
  );
}

async function loadIndexOnce(db: Db, index: MatchIndex, log: FastifyBaseLogger): Promise<void> {
  const started = performance.now();
  const layoutKeys = index.currentLayoutKeys();
  // The stores are sized as soon as these counts (two index scans) are in, while the load goes
  // on: growing on the way copies every column into fresh memory again and again (2.4 s at 1M).
  let loading = true;
  marketSizes(db).then(
    (sizes) => loading && reserve(index, sizes),
    () => {}, // only a hint: without it the stores grow as they fill
  );
  try {
    // Both sides at once: neither waits for the other's first page. Both end before a failure
    // starts the load over, so no side goes on loading beside the next attempt.
    const sides = await Promise.allSettled(
      (['job', 'candidate'] as const).map(async (side) => {
        for await (const page of streamStates(db, side, layoutKeys)) {
          for (const state of page) {
            try {
              index.apply(state.workspaceId, side, state);
            } catch (err) {
              log.warn({ err, side, id: state.id }, 'profile left out of the match index');
            }
          }
        }
      }),
    );
    for (const side of sides) if (side.status === 'rejected') throw side.reason;
  } finally {
    loading = false;
  }
  index.trim();
  index.loadSeconds = (performance.now() - started) / 1000;
  const warming = performance.now();
  index.warmUp();
  index.loaded = true;
  const { profiles, bytes, bytesPerProfile } = index.stats();
  log.info(
    {
      profiles,
      indexBytes: bytes,
      bytesPerProfile: Math.round(bytesPerProfile),
      ms: Math.round(index.loadSeconds * 1000),
      warmUpMs: Math.round(performance.now() - warming),
    },
    'match index loaded',
  );
}

function reserve(index: MatchIndex, sizes: MarketSize[]): void {
  for (const size of sizes) {
    for (const side of ['job', 'candidate'] as const) {
      if (size[side] === 0) continue;
      try {
        index.reserve(size.workspaceId, side, size, size[side]);
      } catch {
        // a questionnaire version this process does not know: its profiles are left out of the load
      }
    }
  }
}

/**
 * Keeps this process's index current with writes made by other processes: LISTEN/NOTIFY wakes
 * it at once (src/db/notifications.ts), and a catch-up every second covers a lost notification.
 *
 * Sequence numbers are taken at insert but become visible at commit, so a lower one can show up
 * after a higher one was read. Each row is read once: a pass reads past the highest seq seen, and
 * a full pass (once a second) first reads the gaps between the seqs seen since `safeSeq` (changes
 * from the last few seconds), where such late rows appear. A row older than the commit window
 * moves `safeSeq` past it: no lower seq can still commit.
 */
export class ChangeFollower {
  private readonly database: Database;
  private readonly index: MatchIndex;
  private safeSeq = 0;
  /** The highest seq read so far. */
  private highSeq = 0;
  /** The rows read after `safeSeq`, in seq order: their seqs and when they were written (epoch ms). */
  private readonly seen: { seq: number; changedAt: number }[] = [];
  private fullPassWanted = false;
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  /** Stopped: notifications no longer move it (explicit catch-ups still do). */
  private stopped = false;
  private readonly catchUpLog: ReturnType<typeof outageLog>;
  /** Tags this app's bulk writes in the change feed; its own rows need no second read. */
  readonly origin = randomUUID();
  private lastPurge = 0;
  /** When the last pass that read the feed to its end started (epoch ms). */
  private caughtUpAt: number | undefined;
  private queue: Promise<void> = Promise.resolve();

  /**
   * `notifications` wakes it at once (without, only the timer and explicit catch-ups move it); once
   * its connection listens again after a loss, a full catch-up covers what was missed.
   */
  constructor(database: Database, index: MatchIndex, log: FastifyBaseLogger, notifications?: Notifications) {
    this.database = database;
    this.index = index;
    this.catchUpLog = outageLog(log, 'change feed catch-up');
    notifications?.on(CHANGES_CHANNEL, (payload) => void this.onNotify(payload));
    notifications?.onState((listening) => {
      if (listening && this.caughtUpAt !== undefined && !this.stopped) void this.catchUp();
    });
  }

  /** Call before loading the index, so changes made during the load are replayed after it. */
  async start(): Promise<void> {
    const started = Date.now();
    this.safeSeq = await latestChangeSeq(this.database.db);
    this.caughtUpAt = started;
    this.highSeq = this.safeSeq;
    this.timer = setInterval(() => void this.catchUp(), CATCH_UP_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /**
   * Re-reads profiles and puts them in the index. Every refresh — a writer's read-your-writes and
   * the feed's — runs through one queue, so a later read is never overwritten by an earlier one.
   */
  refresh(workspaceId: string, side: IndexSide, ids: string[]): Promise<void> {
    // Inside a request's open transaction (src/http/idempotency.ts) the write is not committed yet.
    if (deferUntilCommit(() => this.refresh(workspaceId, side, ids))) return Promise.resolve();
    const run = () => refreshProfiles(this.database.db, this.index, workspaceId, side, ids);
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return next;
  }

  /**
   * Runs a bulk write, then (through the same queue) puts what its committed transactions stored
   * into the index as stored: no read back. A profile the index was given (or was reading) after
   * the write began may be newer in the index than as written, so it is read back instead, as is
   * one the write did not store whole. Inside a request's open transaction, it all is read back
   * once that commits.
   */
  async writeThrough<T>(
    workspaceId: string,
    side: IndexSide,
    write: (written: WrittenProfiles) => Promise<T>,
  ): Promise<T> {
    const mark = this.index.touches.begin();
    const written = new WrittenProfiles();
    try {
      return await write(written);
    } finally {
      await this.putWritten(mark, workspaceId, side, written);
    }
  }

  private putWritten(mark: number, workspaceId: string, side: IndexSide, written: WrittenProfiles) {
    const { states, reread } = written;
    const ids = [...states.map((s) => s.id), ...reread];
    if (deferUntilCommit(() => this.refresh(workspaceId, side, ids))) {
      this.index.touches.end(mark);
      return Promise.resolve();
    }
    const run = async () => {
      const touches = this.index.touches;
      try {
        const newer = touches.since(mark);
        const again = [...reread];
        touches.touch(ids)();
        for (const state of states) {
          if (newer.has(state.id)) {
            again.push(state.id);
            continue;
          }
          try {
            this.index.apply(workspaceId, side, state);
          } catch {
            again.push(state.id); // a packed row of a layout the index no longer uses: its answers are read
          }
        }
        if (again.length > 0) await refreshProfiles(this.database.db, this.index, workspaceId, side, again);
      } finally {
        touches.end(mark);
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return next;
  }

  pack(
    answerSets: { questionnaireId: string; questionnaireVersion: number; answers: AnswerSet }[],
  ): PackedRow[] {
    return this.index.pack(answerSets);
  }

  /** Changes written that this process has not read yet (one query). */
  async changesBehind(): Promise<number> {
    return Math.max(0, (await latestChangeSeq(this.database.db)) - this.highSeq);
  }

  /** Seconds since a pass that read the change feed to its end began; null before start. */
  get secondsBehind(): number | null {
    return this.caughtUpAt === undefined ? null : (Date.now() - this.caughtUpAt) / 1000;
  }

  /** A bare notification means "read the feed"; `side:workspace:id` names an erased profile. */
  private async onNotify(payload: string | undefined): Promise<void> {
    if (this.caughtUpAt === undefined || this.stopped) return;
    const [side, workspaceId, id] = payload?.split(':') ?? [];
    if ((side === 'job' || side === 'candidate') && workspaceId && id) {
      this.index.touches.touch([id])();
      this.index.remove(workspaceId, side, id);
    }
    await this.catchUp({ full: false });
  }

  /**
   * Applies every change not applied yet. A call that arrives during a run makes the loop run
   * once more and resolves only after that run, so a full one sees every change committed before
   * it; `full: false` reads only changes past the highest seq seen.
   */
  catchUp({ full = true }: { full?: boolean } = {}): Promise<void> {
    if (full) this.fullPassWanted = true;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      const full = this.fullPassWanted;
      this.fullPassWanted = false;
      await this.run(full).then(
        () => this.catchUpLog.succeeded(),
        (err) => this.catchUpLog.failed(err),
      );
    } while (this.again);
  }

  private async run(full: boolean): Promise<void> {
    const db = this.database.db;
    const started = Date.now();
    if (full) await this.readGaps(db);
    for (;;) {
      const changes = await changesSince(db, this.highSeq, BATCH);
      await this.apply(db, changes);
      if (changes.length < BATCH) break;
    }
    if (full) this.advanceSafeSeq();
    this.caughtUpAt = started;
    if (Date.now() - this.lastPurge > 60_000) {
      this.lastPurge = Date.now();
      await purgeChangesBefore(db, new Date(Date.now() - CHANGE_RETENTION_MS));
    }
  }

  /** Reads the rows that became visible between the seqs seen after `safeSeq` (late commits). */
  private async readGaps(db: Db): Promise<void> {
    const gaps: [number, number][] = [];
    let below = this.safeSeq;
    for (const { seq } of this.seen) {
      if (seq > below + 1) gaps.push([below, seq]);
      below = seq;
    }
    if (gaps.length === 0) return;
    // Many gaps (rolled-back writes, say): one range, the rows already seen left out here. A
    // gap's range holds no seen row.
    const oneRange = gaps.length > MAX_GAPS;
    const within: (readonly [number, number])[] = oneRange ? [[this.safeSeq, this.highSeq]] : gaps;
    const seen = oneRange ? new Set(this.seen.map((row) => row.seq)) : undefined;
    let from = this.safeSeq;
    for (;;) {
      const changes = await changesSince(db, from, BATCH, within);
      await this.apply(db, seen ? changes.filter((change) => !seen.has(change.seq)) : changes);
      if (changes.length < BATCH) break;
      from = changes.at(-1)!.seq;
    }
  }

  /** Refreshes the profiles other processes changed, then records the rows as seen. */
  private async apply(db: Db, changes: ChangeRow[]): Promise<void> {
    const groups = new Map<string, { workspaceId: string; side: IndexSide; ids: string[] }>();
    for (const change of changes) {
      // Rows of this app's own bulk writes: the writing request refreshed them through this queue.
      if (change.origin === this.origin) continue;
      const key = `${change.workspaceId}:${change.side}`;
      const group = groups.get(key) ?? { workspaceId: change.workspaceId, side: change.side, ids: [] };
      group.ids.push(change.profileId);
      groups.set(key, group);
    }
    for (const group of groups.values())
      await refreshProfiles(db, this.index, group.workspaceId, group.side, group.ids);
    const late = changes.length > 0 && changes[0]!.seq < this.highSeq;
    for (const change of changes) this.seen.push({ seq: change.seq, changedAt: change.changedAt });
    if (late) this.seen.sort((a, b) => a.seq - b.seq);
    this.highSeq = Math.max(this.highSeq, changes.at(-1)?.seq ?? 0);
  }

  /** Moves past the leading rows old enough that no earlier seq can still commit. */
  private advanceSafeSeq(): void {
    const settled = Date.now() - COMMIT_WINDOW_MS;
    let passed = 0;
    while (passed < this.seen.length && this.seen[passed]!.changedAt <= settled) passed++;
    if (passed === 0) return;
    this.safeSeq = this.seen[passed - 1]!.seq;
    this.seen.splice(0, passed);
  }
}
