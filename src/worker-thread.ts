import { Worker } from 'node:worker_threads';

/** A worker thread running a TypeScript module of this project. */
export function typeScriptWorker(url: URL): Worker {
  // Node 22 strips types only when asked; from 23.6 it does by default (and the flag is harmless).
  const execArgv = process.features.typescript ? undefined : ['--experimental-strip-types'];
  return new Worker(url, { execArgv });
}
