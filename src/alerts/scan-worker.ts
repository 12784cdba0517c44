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

const stores = new ThreadStores();

parentPort?.on('message', (job: AlertScanJob) => {
  try {
    const { subject, others } = stores.of(job);
    const alerting: number[] = [];
    const rows: number[] = [];
    const scores: number[] = [];
    for (let a = 0; a < job.slots.length; a++) {
      const slot = job.slots[a]!;
      if (!subject.active[slot]) continue;
      const kept = rankAboveFloor(subject, slot, others, job.method, job.thresholds[a]!, 0, others.end);
      for (let i = 0; i < kept.slots.length; i++) {
        alerting.push(a);
        rows.push(kept.slots[i]!);
        scores.push(kept.scores[i]!);
      }
    }
    const answer = {
      alerting: Int32Array.from(alerting),
      rows: Int32Array.from(rows),
      scores: Float64Array.from(scores),
    };
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
