import type { Worker } from 'node:worker_threads';
import { typeScriptWorker } from '../../worker-thread.ts';

/**
 * New memory is zero pages that the kernel maps in on first touch, on the thread that touches
 * them. Copying a store of a million profiles (263 MB) into fresh buffers took about 0.7 s on the
 * event loop, nearly all of it page faults; into buffers a helper thread touched first, about
 * 30 ms. One thread for the process, started at the first use and never holding the process open.
 */
let thread: Worker | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** Resolves true once every page of `buffers` is mapped in, false if the helper thread failed. */
export function prefault(buffers: SharedArrayBuffer[]): Promise<boolean> {
  const done = queue.then(() => touch(buffers));
  queue = done;
  return done;
}

function touch(buffers: SharedArrayBuffer[]): Promise<boolean> {
  thread ??= started();
  const worker = thread;
  worker.ref();
  return new Promise<boolean>((resolve) => {
    const settle = (ok: boolean) => {
      worker.off('message', onDone);
      worker.off('error', onFailure);
      worker.off('exit', onFailure);
      worker.unref();
      resolve(ok);
    };
    const onDone = () => settle(true);
    const onFailure = () => {
      if (thread === worker) thread = undefined;
      settle(false);
    };
    worker.once('message', onDone);
    worker.once('error', onFailure);
    worker.once('exit', onFailure);
    worker.postMessage(buffers);
  });
}

function started(): Worker {
  const worker = typeScriptWorker(new URL('./prefault-thread.ts', import.meta.url));
  worker.unref();
  // A thread that fails between two uses is started again at the next.
  worker.on('error', () => {
    if (thread === worker) thread = undefined;
  });
  return worker;
}
