import { parentPort } from 'node:worker_threads';

/** An ingest thread that dies on its first chunk (test/unit/ingest-pool.test.ts). */
parentPort!.on('message', () => {
  throw new Error('this thread crashes on every chunk');
});
