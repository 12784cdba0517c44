import type { ProfileStore } from './columnar-store.ts';
import { layoutIdOf } from './layout-id.ts';
import { RankThread } from './rank-thread.ts';
import { type KeptRow, type RankRequest, rankRange } from './search.ts';
import { mergeSlices } from './slice-merge.ts';

/** A range takes tens of milliseconds; a thread this late is taken for stuck and replaced. */
const WAIT_MS = 5_000;
/**
 * How long the calling thread waits for a thread's range once its own is ranked: LATE_FACTOR times
 * what its own took (the ranges are of equal rows), at least LATE_FLOOR_MS (a message's way to a
 * thread, a few slices of the scheduler). Past that it ranks the range itself: the listing then
 * costs one range more on this thread, instead of holding the event loop for a hung thread. Not
 * much less: a thread descheduled for a while on a busy host is not hung, and ranking its range
 * again wastes a range (bench/README.md, session 49).
 */
const LATE_FACTOR = 4;
const LATE_FLOOR_MS = 50;
/** Threads replaced in a row before the pool stops using threads (each cost a wait of WAIT_MS). */
const MAX_REPLACED = 3;
/** Whole listings a thread holds at most; past that on every thread, rankAway leaves the listing to its caller. */
const MAX_QUEUED = 8;
/**
 * Listings a thread keeps queued behind the one it ranks before the calling thread takes one back.
 * A calling thread that ranks cannot serve HTTP or hand the thread more work meanwhile: with less
 * than this the thread ran dry behind it, and a 100k throughput run left a tenth of the machine
 * idle (bench/README.md, 2026-12-07, session 55).
 */
const KEPT_QUEUED = 2;

/**
 * Listings split over worker threads: the rows of the other side are cut into one range per
 * thread plus one for the calling thread, each ranked on its own (exactly: each range's best
 * `limit + 1`), and the lists merged into the best `limit + 1` of all, the single-threaded list.
 *
 * The calling thread waits for the threads with Atomics.wait: the whole listing stays one
 * synchronous step of the event loop, so no write to the index can interleave with it, and
 * the threads read the stores' shared arrays as they are. A thread that fails a range, or has not
 * answered it soon after the calling thread's own range (LATE_FACTOR), has it ranked by the
 * calling thread instead; a late thread gets no other work until it answers, and one that has not
 * within `waitMs` is replaced.
 * Only threads that said they are ready get ranges, so a listing never waits on a thread that
 * is still starting (which can take long on a busy machine) and never takes one for stuck.
 *
 * `rankAway` queues a whole listing on a thread instead and awaits its answer, so the event loop
 * goes on: listings too small to split still use a second core. The queue is shared: the thread
 * works through it without waiting for the event loop, and the calling thread, once it has
 * nothing else to do (setImmediate: after the I/O at hand) while the thread has KEPT_QUEUED
 * listings waiting behind its current one, takes back the oldest listing the thread has not
 * claimed and ranks it itself. So neither idles while listings wait, and the calling thread's own
 * work (HTTP, the audit) goes first. Writes to the
 * index can land while the thread reads, so its caller checks that the market did not move
 * before it takes the list (index.ts).
 */
export class RankPool {
  private readonly threads: (RankThread | undefined)[];
  private readonly options: { waitMs: number; lateFloorMs: number; workerUrl: URL; onGiveUp: () => void };
  /** ranges a thread did not rank (failed or late), ranked by the calling thread instead */
  fallbacks = 0;
  /** threads replaced in a row: past MAX_REPLACED the pool gives up and listings stay on one thread */
  private replacedInARow = 0;
  /** the turn of the event loop at whose end the calling thread takes back a queued listing */
  private helping: NodeJS.Immediate | undefined;

  /**
   * `onGiveUp`: called once, when the pool stops using threads. `lateFloorMs`: the least wait for
   * a thread's range (LATE_FLOOR_MS; tests whose threads always answer wait longer, so that a busy
   * machine does not turn an answer into a fallback).
   */
  constructor(
    size: number,
    options: { waitMs?: number; lateFloorMs?: number; workerUrl?: URL; onGiveUp?: () => void } = {},
  ) {
    this.threads = Array.from({ length: size }, () => undefined);
    this.options = {
      waitMs: options.waitMs ?? WAIT_MS,
      lateFloorMs: options.lateFloorMs ?? LATE_FLOOR_MS,
      workerUrl: options.workerUrl ?? new URL('./slice-worker.ts', import.meta.url),
      onGiveUp: options.onGiveUp ?? (() => {}),
    };
  }

  get size(): number {
    return this.threads.length;
  }

  /** The threads started and listening for listings. */
  get readyCount(): number {
    return this.threads.filter((thread) => thread?.isReady && !thread.stuck).length;
  }

  /** False once threads kept failing to answer (say, a worker that cannot start): no more waiting on them. */
  get usable(): boolean {
    return this.replacedInARow < MAX_REPLACED;
  }

  rank(subject: ProfileStore, s: number, others: ProfileStore, request: RankRequest): KeptRow[] {
    const ready = this.usable ? this.readyThreads() : [];
    if (ready.length === 0) return rankRange(subject, s, others, request, 0, others.end);
    const parts = ready.length + 1;
    const bound = (i: number) => Math.floor((i * others.end) / parts);
    const job = jobOf(subject, s, others, request);
    const ranges = ready.map((thread, t) => thread.start(job, subject.layout, bound(t + 1), bound(t + 2)));
    const began = performance.now();
    const lists = [rankRange(subject, s, others, request, 0, bound(1))];
    const own = performance.now() - began;
    const deadline =
      performance.now() +
      Math.min(this.options.waitMs, Math.max(this.options.lateFloorMs, LATE_FACTOR * own));
    ready.forEach((thread, t) => {
      const kept = thread.finish(ranges[t]!, deadline);
      if (kept === undefined) {
        this.fallbacks++;
        if (thread.stuck) this.replace(thread);
      } else this.replacedInARow = 0;
      lists.push(kept ?? rankRange(subject, s, others, request, bound(t + 1), bound(t + 2)));
    });
    return mergeSlices(lists, others, request);
  }

  /**
   * All rows of `others` ranked on a thread, queued behind its other listings and awaited (the
   * event loop goes on). Undefined at once when no thread can take it (none ready, or all hold
   * MAX_QUEUED); a promise of undefined when the calling thread took it back or the thread failed
   * or was late: either way the caller ranks it on its own thread, at once.
   */
  rankAway(
    subject: ProfileStore,
    s: number,
    others: ProfileStore,
    request: RankRequest,
  ): Promise<KeptRow[] | undefined> | undefined {
    const thread = this.leastQueued();
    if (!thread) return undefined;
    const queued = thread.rankQueued(
      jobOf(subject, s, others, request),
      subject.layout,
      others.end,
      this.options.waitMs,
    );
    this.helpSoon();
    return queued.then(({ kept, failed }) => {
      if (failed) {
        this.fallbacks++;
        if (thread.stuck && thread.queueLength === 0) this.replace(thread);
      } else if (kept) this.replacedInARow = 0;
      return kept;
    });
  }

  /** The ready thread holding the fewest listings, if one holds fewer than MAX_QUEUED. */
  private leastQueued(): RankThread | undefined {
    if (!this.usable) return undefined;
    this.tidyThreads();
    let least: RankThread | undefined;
    for (let t = 0; t < this.threads.length; t++) {
      const thread = this.thread(t);
      if (!thread.isReady || thread.stuck || this.late(thread) || thread.queueLength >= MAX_QUEUED) continue;
      if (!least || thread.queueLength < least.queueLength) least = thread;
    }
    return least;
  }

  /**
   * At the end of this turn of the event loop, the calling thread takes back the oldest listing a
   * thread has not claimed, when more than KEPT_QUEUED others would still wait behind the one it
   * is ranking, or behind the one it is about to claim (a thread that is not busy claims its next
   * one itself, any moment now).
   */
  private helpSoon(): void {
    this.helping ??= setImmediate(() => {
      this.helping = undefined;
      for (const thread of this.threads) thread?.collect();
      const waiting = (thread: RankThread | undefined) =>
        thread !== undefined && thread.unclaimed > KEPT_QUEUED + (thread.busy ? 0 : 1);
      if (this.threads.find(waiting)?.takeBack()) this.helpSoon();
    });
  }

  /** Replaces stuck threads, starts any missing; resolves once every thread is ready for jobs (or has died). */
  async ready(): Promise<void> {
    this.tidyThreads();
    await Promise.all(this.threads.map((_, t) => this.thread(t).started));
  }

  async close(): Promise<void> {
    if (this.helping) clearImmediate(this.helping);
    await Promise.all(this.threads.map((thread) => thread?.worker.terminate()));
    this.threads.fill(undefined);
  }

  /** The threads ready for a range now (none holding a listing of rankAway); dead ones are replaced, missing ones started (for later listings). */
  private readyThreads(): RankThread[] {
    this.tidyThreads();
    return this.threads
      .map((_, t) => this.thread(t))
      .filter((thread) => thread.isReady && !thread.stuck && !this.late(thread) && thread.queueLength === 0);
  }

  /** The thread still holds a range the calling thread stopped waiting for (marked stuck past waitMs). */
  private late(thread: RankThread): boolean {
    return thread.holdsLate(this.options.waitMs);
  }

  /** Reads the answers the threads have left in shared memory, and replaces stuck threads that hold nothing more. */
  private tidyThreads(): void {
    for (const thread of this.threads) thread?.collect();
    for (const thread of this.threads) if (thread) this.late(thread);
    for (const thread of this.threads) if (thread?.stuck && thread.queueLength === 0) this.replace(thread);
  }

  private thread(t: number): RankThread {
    let thread = this.threads[t];
    if (!thread) {
      thread = new RankThread(this.options.workerUrl, () => this.helpSoon());
      this.threads[t] = thread;
    }
    return thread;
  }

  private replace(thread: RankThread): void {
    if (++this.replacedInARow === MAX_REPLACED) this.options.onGiveUp();
    void thread.worker.terminate();
    const t = this.threads.indexOf(thread);
    if (t >= 0) this.threads[t] = undefined;
  }
}

function jobOf(subject: ProfileStore, s: number, others: ProfileStore, request: RankRequest) {
  return {
    layoutId: layoutIdOf(subject.layout),
    subject: subject.shared(),
    s,
    others: others.shared(),
    request,
  };
}
