/** An alert scan thread (see scan-thread.ts): each alerting row's floor scan of a staged batch, on stores shared with its parent. */
import { parentPort } from 'node:worker_threads';
import { rankAboveFloor } from '../matching/engine/search.ts';
import { type StoresJob, ThreadStores } from '../matching/engine/thread-stores.ts';
import type { ScoreMethod } from '../matching/types.ts';

/**
 * What the parent asks: for each alerting row `slots[a]` of `subject` (the other side's store),
 * its listing of every row of `others` (the batch's staged store) at `thresholds[a]`.
 */
export interface AlertScanJob extends StoresJob {
  method: ScoreMethod;
  slots: Int32Array;
  thresholds: Float64Array;
}

/** The pairs found, in order of the alerting rows and then as each scan kept them; or why it failed. */
export type AlertScanAnswer =
  | { alerting: Int32Array; rows: Int32Array; scores: Float64Array }
  | { failure: string };

export const READY = 'ready';

/** The pairs of a job's scans, in arrays that double as they fill (a batch at own minScore finds hundreds of thousands). */
class Found {
  private length = 0;
  private alerting = new Int32Array(1_024);
  private rows = new Int32Array(1_024);
  private scores = new Float64Array(1_024);

  add(a: number, rows: ArrayLike<number>, scores: ArrayLike<number>): void {
    if (this.length + rows.length > this.rows.length) this.grow(this.length + rows.length);
    this.alerting.fill(a, this.length, this.length + rows.length);
    for (let i = 0; i < rows.length; i++) {
      this.rows[this.length + i] = rows[i]!;
      this.scores[this.length + i] = scores[i]!;
    }
    this.length += rows.length;
  }

  answer() {
    return {
      alerting: this.alerting.slice(0, this.length),
      rows: this.rows.slice(0, this.length),
      scores: this.scores.slice(0, this.length),
    };
  }

  private grow(least: number): void {
    let size = this.rows.length * 2;
    while (size < least) size *= 2;
    const alerting = new Int32Array(size);
    const rows = new Int32Array(size);
    const scores = new Float64Array(size);
    alerting.set(this.alerting);
    rows.set(this.rows);
    scores.set(this.scores);
    [this.alerting, this.rows, this.scores] = [alerting, rows, scores];
  }
}

const stores = new ThreadStores();

parentPort?.on('message', (job: AlertScanJob) => {
  try {
    const { subject, others } = stores.of(job);
    const found = new Found();
    for (let a = 0; a < job.slots.length; a++) {
      const slot = job.slots[a]!;
      if (!subject.active[slot]) continue;
      const kept = rankAboveFloor(subject, slot, others, job.method, job.thresholds[a]!, 0, others.end);
      found.add(a, kept.slots, kept.scores);
    }
    const answer = found.answer();
    parentPort?.postMessage(answer satisfies AlertScanAnswer, [
      answer.alerting.buffer,
      answer.rows.buffer,
      answer.scores.buffer,
    ]);
  } catch (error) {
    const failure = error instanceof Error ? (error.stack ?? error.message) : String(error);
    parentPort?.postMessage({ failure } satisfies AlertScanAnswer);
  }
});
parentPort?.postMessage(READY);
