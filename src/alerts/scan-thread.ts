import type { Worker } from 'node:worker_threads';
import type { ProfileStore } from '../matching/engine/columnar-store.ts';
import { layoutIdOf } from '../matching/engine/layout-id.ts';
import type { ScoreMethod } from '../matching/types.ts';
import { answerOf, typeScriptWorker } from '../worker-thread.ts';
import type { AlertScanAnswer, AlertScanJob } from './scan-worker.ts';

/** A batch's scans take a fraction of a second; a thread this late is taken for stuck and replaced. */
const WAIT_MS = 30_000;

/** The pairs an alert scan thread found (see AlertScanAnswer). */
export type ScannedPairs = Extract<AlertScanAnswer, { alerting: Int32Array }>;

/**
 * A worker thread for the scans of a bulk batch scored ahead (foresight.ts): the batch's pairs
 * found on another core while the event loop goes on. One job at a time: `scan` answers undefined
 * at once when the thread is busy, and undefined when it fails or does not answer in time (it is
 * replaced before the next job); the caller then scans on its own thread. It reads the stores'
 * shared arrays as they are, so the caller checks that they did not move meanwhile.
 */
export class AlertScanThread {
  private worker: Worker | undefined;
  private readonly knownLayouts = new Set<number>();
  private busy = false;
  /** Jobs the thread answered, and jobs it failed or did not answer in time (scanned on the event loop instead). */
  readonly jobs = { answered: 0, failed: 0 };
  private readonly options: { waitMs: number; workerUrl: URL };

  constructor(options: { waitMs?: number; workerUrl?: URL } = {}) {
    this.options = {
      waitMs: options.waitMs ?? WAIT_MS,
      workerUrl: options.workerUrl ?? new URL('./scan-worker.ts', import.meta.url),
    };
  }

  /** Each alerting row `slots[a]` of `subject` (at `thresholds[a]`) scanning every row of `others`. */
  scan(
    subject: ProfileStore,
    others: ProfileStore,
    method: ScoreMethod,
    slots: Int32Array,
    thresholds: Float64Array,
  ): Promise<ScannedPairs | undefined> | undefined {
    if (this.busy) return undefined;
    this.busy = true;
    const worker = this.thread();
    const layoutId = layoutIdOf(subject.layout);
    const first = !this.knownLayouts.has(layoutId);
    this.knownLayouts.add(layoutId);
    const job: AlertScanJob = {
      layoutId,
      layout: first ? subject.layout : undefined,
      subject: subject.shared(),
      others: others.shared(),
      method,
      slots,
      thresholds,
    };
    const read = (answer: AlertScanAnswer) => ('alerting' in answer ? answer : undefined);
    return answerOf(worker, job, this.options.waitMs, read)
      .then((pairs) => {
        this.jobs[pairs ? 'answered' : 'failed']++;
        if (!pairs) this.replace();
        return pairs;
      })
      .finally(() => {
        this.busy = false;
      });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }

  private thread(): Worker {
    if (!this.worker) {
      const worker = typeScriptWorker(this.options.workerUrl);
      worker.unref();
      // A thread that dies between jobs is started again for the next one (and must not crash the process).
      const gone = () => {
        if (this.worker === worker) this.worker = undefined;
      };
      worker.on('error', gone);
      worker.on('exit', gone);
      this.worker = worker;
      this.knownLayouts.clear();
    }
    return this.worker;
  }

  private replace(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
