/** An insights worker thread (see insights-pool.ts): counts the chunks of rows it claims, of stores shared with its parent. */
import { parentPort } from 'node:worker_threads';
import { type InsightsRequest, insightsOfClaims } from './insights-pass.ts';
import { type StoresJob, ThreadStores } from './thread-stores.ts';

/** What the pool asks: the insights of subject row `s` over the chunks of `others` the thread claims as `owner`. */
export interface InsightsJob extends StoresJob {
  s: number;
  request: InsightsRequest;
  /** one slot per chunk of rows: 0 while unclaimed, then its owner (shared by the pass's threads) */
  claims: Int32Array;
  owner: number;
  chunkRows: number;
}

/** The thread's answer: the range's counts, or why it failed. */
export type InsightsAnswer = { counts: Int32Array } | { failure: string };

export const READY = 'ready';

const stores = new ThreadStores();

parentPort?.on('message', (job: InsightsJob) => {
  try {
    const { subject, others } = stores.of(job);
    const counts = insightsOfClaims(
      subject,
      job.s,
      others,
      job.request,
      job.claims,
      job.owner,
      job.chunkRows,
    );
    parentPort?.postMessage({ counts } satisfies InsightsAnswer, [counts.buffer as ArrayBuffer]);
  } catch (error) {
    const failure = error instanceof Error ? (error.stack ?? error.message) : String(error);
    parentPort?.postMessage({ failure } satisfies InsightsAnswer);
  }
});
parentPort?.postMessage(READY);
