/** An alert scan thread (see scan-thread.ts): each alerting row's floor scan of a staged batch, on stores shared with its parent. */
import { parentPort } from 'node:worker_threads';
import type { FloorRows } from '../matching/engine/floor-collector.ts';
import { listRowDealbreakers } from '../matching/engine/reverse-dealbreakers.ts';
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
    const kept: { a: number; rows: FloorRows }[] = [];
    // Every scan looks at the same batch rows: their own dealbreakers are listed once.
    const batchRows = { rowDealbreakers: listRowDealbreakers(others, others.end) };
    let size = 0;
    for (let a = 0; a < job.slots.length; a++) {
      const slot = job.slots[a]!;
      if (!subject.active[slot]) continue;
      const rows = rankAboveFloor(
        subject,
        slot,
        others,
        job.method,
        job.thresholds[a]!,
        0,
        others.end,
        batchRows,
      );
      kept.push({ a, rows });
      size += rows.slots.length;
    }
    // One copy into arrays of the answer's size (a batch at own minScore finds hundreds of thousands).
    const answer = {
      alerting: new Int32Array(size),
      rows: new Int32Array(size),
      scores: new Float64Array(size),
    };
    let at = 0;
    for (const { a, rows } of kept) {
      answer.alerting.fill(a, at, at + rows.slots.length);
      answer.rows.set(rows.slots, at);
      answer.scores.set(rows.scores, at);
      at += rows.slots.length;
    }
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
