/** A rank worker thread (see slice-pool.ts): ranks a range of rows of stores shared with its parent. */
import { parentPort } from 'node:worker_threads';
import { rankJobAnswerer } from './rank-job-answer.ts';
import { ANSWERED, type RankJob, READY } from './slice-job.ts';

const answer = rankJobAnswerer();

parentPort?.on('message', (job: RankJob) => {
  if (answer(job) && job.reply) parentPort?.postMessage(ANSWERED);
});
parentPort?.postMessage(READY);
