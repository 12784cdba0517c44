import { existsSync, readlinkSync } from 'node:fs';
import { getCompileCacheDir } from 'node:module';
import { dirname } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** A worker thread running a TypeScript module of this project. */
export function typeScriptWorker(url: URL, options: Pick<WorkerOptions, 'workerData'> = {}): Worker {
  // Node 22 strips types only when asked; from 23.6 it does by default (and the flag is harmless).
  const execArgv = process.features.typescript ? undefined : ['--experimental-strip-types'];
  return new Worker(url, { execArgv, env: workerEnv(), ...options });
}

/**
 * The environment a worker starts with. A thread does not inherit the compile cache server.ts
 * turns on (only the variable carries it), and without it every thread strips and compiles the
 * service's modules again: about 0.2 s of CPU a thread start on two cores.
 */
function workerEnv(): NodeJS.ProcessEnv {
  const cache = getCompileCacheDir();
  if (!cache || process.env.NODE_COMPILE_CACHE) return process.env;
  // getCompileCacheDir names the versioned directory inside the one enableCompileCache chose.
  return { ...process.env, NODE_COMPILE_CACHE: dirname(cache) };
}

/**
 * Posts `job` to `worker` and resolves with what `read` makes of its answer (the first message
 * that is not a string: a string is the thread's READY, which the job is queued behind), or with
 * undefined when the thread fails, exits or does not answer within `waitMs`. The worker keeps the
 * event loop alive only while it is awaited.
 */
export function answerOf<Answer extends object, T>(
  worker: Worker,
  job: unknown,
  waitMs: number,
  read: (answer: Answer) => T | undefined,
): Promise<T | undefined> {
  worker.ref();
  return new Promise<T | undefined>((resolve) => {
    const settle = (value: T | undefined) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onFailure);
      worker.off('exit', onFailure);
      resolve(value);
    };
    const onMessage = (answer: Answer | string) => {
      if (typeof answer !== 'string') settle(read(answer));
    };
    const onFailure = () => settle(undefined);
    const timer = setTimeout(onFailure, waitMs);
    worker.on('message', onMessage);
    worker.once('error', onFailure);
    worker.once('exit', onFailure);
    worker.postMessage(job);
  }).finally(() => worker.unref());
}

/**
 * This OS thread's id on Linux (its entry under /proc/self/task), or 0 where there is none. A
 * worker thread gives its own to its parent, so that a parent blocked in Atomics.wait (whose
 * event loop cannot hear the worker's 'exit') can still tell that it died: see osThreadRuns.
 */
export function osThreadId(): number {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop()) || 0;
  } catch {
    return 0;
  }
}

/**
 * False once the OS thread `id` of this process has ended (a worker that threw, ran out of
 * memory or was terminated); true while it runs, and whenever that cannot be told (id 0).
 */
export function osThreadRuns(id: number): boolean {
  return id === 0 || existsSync(`/proc/self/task/${id}`);
}
