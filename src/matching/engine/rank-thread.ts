import type { Worker } from 'node:worker_threads';
import { osThreadRuns, typeScriptWorker } from '../../worker-thread.ts';
import type { Layout } from './layout.ts';
import type { KeptRow } from './search.ts';
import {
  ANSWERED,
  BY_PARENT,
  BY_THREAD,
  CLAIM,
  DONE,
  FAILED,
  PENDING,
  type RankJob,
  type RankWorkerData,
  READY,
  UNCLAIMED,
} from './slice-job.ts';

/** A job as RankThread sends it: the rest (range, answer memory, layout when new) it adds. */
export type JobOfListing = Omit<RankJob, 'layout' | 'from' | 'to' | 'state' | 'results'>;

/**
 * How a queued listing ended: ranked by the thread (`kept`), taken back by the calling thread
 * (`kept` undefined, not failed: the caller ranks it now), or failed, late, or its thread died.
 */
export interface QueuedAnswer {
  kept: KeptRow[] | undefined;
  failed: boolean;
}

/** How often a calling thread blocked on a range (finish) looks whether its thread still runs. */
const ALIVE_CHECK_MS = 50;

/** A range of a split listing sent to the thread (start), with its own answer memory. */
export interface RangeJob {
  state: Int32Array;
  results: Float64Array;
  sentAt: number;
}

/** A whole listing sent to the thread (rankQueued), with its own answer memory, not answered yet. */
interface QueuedJob {
  state: Int32Array;
  results: Float64Array;
  settle: (answer: QueuedAnswer) => void;
}

/**
 * One worker thread, the layouts it was sent, and the shared memory its answers come back in:
 * one range at a time for a split listing (start, finish), and a queue of whole listings it
 * works through on its own (rankQueued), any of which its parent can take back before the
 * thread claims it (takeBack).
 */
export class RankThread {
  readonly worker: Worker;
  private readonly knownLayouts = new Set<number>();
  /** the worker's OS thread id, once it is ready (RankWorkerData) */
  private readonly osThread = new Int32Array(new SharedArrayBuffer(4));
  /** a range its parent stopped waiting for: until the thread answers or skips it, it gets no other */
  private late: RangeJob | undefined;
  /** whole listings sent and not answered yet, oldest first */
  private readonly queued: QueuedJob[] = [];
  /** the thread posted READY: it listens for jobs */
  isReady = false;
  /** a job got no answer in time, or the thread died */
  stuck = false;
  /** settles when the thread is ready or has died */
  readonly started: Promise<void>;

  /** `onAnswered`: told after the thread answered a queued listing (its parent may now give it more). */
  constructor(url: URL, onAnswered: () => void = () => {}) {
    this.worker = typeScriptWorker(url, { workerData: { osThread: this.osThread } satisfies RankWorkerData });
    this.worker.unref();
    this.started = new Promise((resolve) => {
      this.worker.once('message', (message) => {
        this.isReady = message === READY;
        resolve();
      });
      this.worker.once('error', () => resolve());
      this.worker.once('exit', () => resolve());
    });
    const died = () => {
      this.stuck = true;
      this.settleAll();
    };
    this.worker.on('error', died);
    this.worker.on('exit', died);
    this.worker.on('message', (message) => {
      if (message !== ANSWERED) return;
      this.collect();
      onAnswered();
    });
  }

  /** Whole listings sent to the thread and not answered yet. */
  get queueLength(): number {
    return this.queued.length;
  }

  /** The thread is ranking a queued listing now. */
  get busy(): boolean {
    return this.queued.some(
      (job) => Atomics.load(job.state, CLAIM) === BY_THREAD && Atomics.load(job.state, 0) === PENDING,
    );
  }

  /** Queued listings claimed by nobody yet. */
  get unclaimed(): number {
    return this.queued.filter((job) => Atomics.load(job.state, CLAIM) === UNCLAIMED).length;
  }

  /**
   * Sends the job for rows from..to (split listings: one at a time, to be read by finish), with
   * answer memory of its own: a thread that answers after its parent stopped waiting writes where
   * nothing reads any more.
   */
  start(job: JobOfListing, layout: Layout, from: number, to: number): RangeJob {
    const state = new Int32Array(new SharedArrayBuffer(12));
    const results = new Float64Array(new SharedArrayBuffer(32 * (job.request.limit + 1)));
    this.post(job, layout, from, to, state, results);
    return { state, results, sentAt: performance.now() };
  }

  /**
   * The range's kept rows, best first; undefined if the thread failed it, died, or had not answered
   * by `deadline` (performance.now() time). A range the thread has not claimed by then is taken back
   * (the thread skips it); one it is still ranking is left to it. Either way the thread gets no
   * other range or listing until it answers or skips that one (`holdsLate`), so the caller ranks
   * the range itself at once rather than wait for a thread that is slow, descheduled or hung.
   * The event loop is blocked meanwhile, so it cannot hear of the thread's death: every
   * ALIVE_CHECK_MS the wait looks whether the thread's OS thread still runs.
   */
  finish(range: RangeJob, deadline: number): KeptRow[] | undefined {
    const { state } = range;
    for (;;) {
      const left = deadline - performance.now();
      const waited = left > 0 ? Atomics.wait(state, 0, PENDING, Math.min(left, ALIVE_CHECK_MS)) : 'timed-out';
      if (waited !== 'timed-out') break;
      if (!osThreadRuns(Atomics.load(this.osThread, 0))) {
        this.stuck = true;
        return undefined;
      }
      if (left <= ALIVE_CHECK_MS) {
        Atomics.compareExchange(state, CLAIM, UNCLAIMED, BY_PARENT);
        if (Atomics.load(state, 0) !== PENDING) break;
        this.late = range;
        return undefined;
      }
    }
    return Atomics.load(state, 0) === DONE ? keptRows(state, range.results) : undefined;
  }

  /**
   * The thread has not yet answered or skipped a range its parent stopped waiting for. One that
   * has not within `waitMs` of being sent marks the thread stuck (to be replaced).
   */
  holdsLate(waitMs: number): boolean {
    if (!this.late) return false;
    if (Atomics.load(this.late.state, 0) !== PENDING) this.late = undefined;
    else if (performance.now() - this.late.sentAt > waitMs) this.stuck = true;
    return this.late !== undefined;
  }

  /**
   * Queues a whole listing (rows 0..to) behind the thread's others, with answer memory of its own,
   * so the thread goes from one to the next without waiting for the event loop. The answer is
   * read when the thread posts ANSWERED (a message: Node's Atomics.waitAsync does not keep the
   * event loop awake), or earlier by `collect`. A listing not answered within `waitMs` of being
   * queued marks the thread stuck and fails every listing it holds.
   */
  rankQueued(job: JobOfListing, layout: Layout, to: number, waitMs: number): Promise<QueuedAnswer> {
    const state = new Int32Array(new SharedArrayBuffer(12));
    const results = new Float64Array(new SharedArrayBuffer(32 * (job.request.limit + 1)));
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.stuck = true;
        this.settleAll();
      }, waitMs);
      const queued: QueuedJob = {
        state,
        results,
        settle: (answer) => {
          clearTimeout(timer);
          this.queued.splice(this.queued.indexOf(queued), 1);
          resolve(answer);
        },
      };
      this.queued.push(queued);
      this.post({ ...job, reply: true }, layout, 0, to, state, results);
    });
  }

  /**
   * Settles the queued listings the thread has answered (it may have finished several while the
   * event loop was busy), so their callers go on and the thread's queue makes room.
   */
  collect(): void {
    for (const job of [...this.queued]) {
      const status = Atomics.load(job.state, 0);
      if (status === DONE) job.settle({ kept: keptRows(job.state, job.results), failed: false });
      else if (status === FAILED) job.settle({ kept: undefined, failed: true });
    }
  }

  /** Takes back the oldest queued listing the thread has not claimed, for the caller to rank; false when there is none. */
  takeBack(): boolean {
    for (const job of this.queued) {
      if (Atomics.compareExchange(job.state, CLAIM, UNCLAIMED, BY_PARENT) !== UNCLAIMED) continue;
      job.settle({ kept: undefined, failed: false });
      return true;
    }
    return false;
  }

  /**
   * The thread is stuck or dead: every listing it holds and has not answered fails now (taken back
   * first when unclaimed, so a thread that comes back to life skips it).
   */
  private settleAll(): void {
    this.collect();
    for (const job of [...this.queued]) {
      Atomics.compareExchange(job.state, CLAIM, UNCLAIMED, BY_PARENT);
      job.settle({ kept: undefined, failed: true });
    }
  }

  private post(
    job: JobOfListing,
    layout: Layout,
    from: number,
    to: number,
    state: Int32Array,
    results: Float64Array,
  ): void {
    const first = !this.knownLayouts.has(job.layoutId);
    this.knownLayouts.add(job.layoutId);
    const message: RankJob = { ...job, layout: first ? layout : undefined, from, to, state, results };
    this.worker.postMessage(message);
  }
}

/** The kept rows an answer's memory holds, best first. */
function keptRows(state: Int32Array, results: Float64Array): KeptRow[] {
  const count = Atomics.load(state, 1);
  return Array.from({ length: count }, (_, i) => ({
    slot: results[4 * i]!,
    score: results[4 * i + 1]!,
    s1: results[4 * i + 2]!,
    s2: results[4 * i + 3]!,
  }));
}
