/** A rank worker thread (see slice-pool.ts): ranks a range of rows of stores shared with its parent. */
import { parentPort, workerData } from 'node:worker_threads';
import { osThreadId } from '../../worker-thread.ts';
import { rankJobAnswerer } from './rank-job-answer.ts';
import { ANSWERED, type RankJob, type RankWorkerData, READY } from './slice-job.ts';

const answer = rankJobAnswerer();

parentPort?.on('message', (job: RankJob) => {
  if (answer(job) && job.reply) parentPort?.postMessage(ANSWERED);
});
Atomics.store((workerData as RankWorkerData).osThread, 0, osThreadId());
parentPort?.postMessage(READY);
