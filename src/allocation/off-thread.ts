import type { Worker } from 'node:worker_threads';
import { typeScriptWorker } from '../worker-thread.ts';
import type { AllocationTask } from './allocation-thread.ts';
import { buffersOf, decodeResult, type EncodedResult } from './encoding.ts';
import type { AllocationProblem, AllocationResult } from './types.ts';

export type AllocationOutcome =
  | { problems: AllocationProblem[] }
  | { result: AllocationResult; blockingPairs: number };

/** A slot is not free and the queue for one is full: answer 429 and let the client retry. */
export class AllocationsBusy extends Error {
  override name = 'AllocationsBusy';
}

/**
 * Allocations of this process, one at a time (the others wait in a short queue): each is checked,
 * allocated and checked for blocking pairs on a worker thread, so deferred acceptance over
 * millions of preference entries never holds the event loop. The thread is kept for the next
 * allocation, and replaced when it fails.
 */
export class AllocationSlots {
  private busy = false;
  private readonly waiting: (() => void)[] = [];
  private worker: Worker | undefined;
  private readonly options: { maxWaiting: number; workerUrl: URL };

  constructor(options: { maxWaiting?: number; workerUrl?: URL } = {}) {
    this.options = {
      maxWaiting: options.maxWaiting ?? 4,
      workerUrl: options.workerUrl ?? new URL('./allocation-thread.ts', import.meta.url),
    };
  }

  /** Runs `work` once no other does; throws AllocationsBusy when the queue is full. */
  async use<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy) {
      if (this.waiting.length >= this.options.maxWaiting) throw new AllocationsBusy();
      await new Promise<void>((resume) => this.waiting.push(resume));
    } else this.busy = true;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.busy = false;
    }
  }

  /** Runs one task on the allocation thread (its typed arrays are transferred, not copied); one at a time. */
  run(task: AllocationTask): Promise<AllocationOutcome> {
    const { input, offers } = task;
    const transfer = buffersOf(
      input.candidates,
      input.candidatePreferences.offsets,
      input.candidatePreferences.items,
      input.jobs,
      input.capacities,
      input.jobPreferences.offsets,
      input.jobPreferences.items,
      ...(offers ? [offers.candidate, offers.job, offers.satisfaction] : []),
    );
    const ids = input.ids;
    const worker = this.thread();
    worker.ref();
    return new Promise<AllocationOutcome>((resolve, reject) => {
      const fail = (error: Error) => {
        this.drop(worker);
        reject(error);
      };
      const onExit = (code: number) => fail(new Error(`the allocation thread stopped (exit code ${code})`));
      worker.once('error', fail);
      worker.once('exit', onExit);
      worker.once(
        'message',
        (answer: { problems?: AllocationProblem[]; result?: EncodedResult; failure?: string }) => {
          worker.off('error', fail);
          worker.off('exit', onExit);
          if (answer.problems) resolve({ problems: answer.problems });
          else if (answer.result) {
            resolve({ result: decodeResult(ids, answer.result), blockingPairs: answer.result.blockingPairs });
          } else reject(new Error(`the allocation thread failed: ${answer.failure}`));
        },
      );
      worker.postMessage(task, transfer);
    }).finally(() => worker.unref());
  }

  /** Stops the thread (at shutdown). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private thread(): Worker {
    if (!this.worker) {
      const worker = typeScriptWorker(this.options.workerUrl);
      worker.unref();
      // A thread that fails between allocations is replaced by the next one (and never throws here).
      worker.on('error', () => this.drop(worker));
      worker.on('exit', () => this.drop(worker));
      this.worker = worker;
    }
    return this.worker;
  }

  private drop(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined;
    void worker.terminate();
  }
}
