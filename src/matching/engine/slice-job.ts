import type { RankRequest } from './search.ts';
import type { StoresJob } from './thread-stores.ts';

/**
 * What the slice pool (slice-pool.ts) and its worker threads (slice-worker.ts) say to each other:
 * a job, and the states of its answer in shared memory. Nothing else here, so a thread reads it cheaply.
 */
/** What a rank worker thread is asked: rank rows from..to of `others` (see slice-worker.ts). */
export interface RankJob extends StoresJob {
  s: number;
  request: RankRequest;
  from: number;
  to: number;
  /**
   * [status, rows kept, claim]: status goes from PENDING to DONE or FAILED, with Atomics.notify, or
   * to SKIPPED when the thread meets a job its parent took back; claim says who ranks it, set once
   * by compareExchange
   */
  state: Int32Array;
  /** 4 numbers a kept row: slot, score, s1, s2 */
  results: Float64Array;
  /**
   * post ANSWERED once the state is set: the parent awaits it instead of blocking on the state.
   * Such a job is queued: the thread ranks it only if it claims it first (the parent may take it back).
   */
  reply?: boolean | undefined;
}

export const PENDING = 0;
export const DONE = 1;
export const FAILED = 2;
/** The thread met the job after its parent had taken it back, and left it. */
export const SKIPPED = 3;
/** state[CLAIM] of a job: who ranks it, UNCLAIMED until the thread or its parent takes it */
export const CLAIM = 2;
export const UNCLAIMED = 0;
export const BY_THREAD = 1;
export const BY_PARENT = 2;
/**
 * What a rank worker thread starts with: a cell for its OS thread id (osThreadId), written before
 * it posts READY; 0 where it cannot tell (RankThread.finish then waits its whole time).
 */
export interface RankWorkerData {
  osThread: Int32Array;
}

/** What a rank worker posts once it listens for jobs; until then the pool sends it none. */
export const READY = 'ready';
/** What a rank worker posts after a job that asked for a reply. */
export const ANSWERED = 'answered';
