import type { KeptRow } from './search.ts';
import { compareIds } from './uuid-words.ts';

/**
 * A collector for "every acceptable row scoring at least `floor`" (alerts, src/alerts/): it keeps
 * every row offered at or above the floor, with no bound on their number. It poses as a full heap
 * whose worst score is the floor, so the scan's bounds prune exactly the rows that cannot reach
 * the floor (with the same ROUNDING slack as a listing's), and it never asks for samples or a
 * filling pass (its capacity is unbounded).
 */
export class FloorCollector {
  readonly capacity = Number.POSITIVE_INFINITY;
  private readonly floor: number;
  private readonly ids: Uint32Array;
  // Column by column, not an object per row: a job's alert scan can keep hundreds of thousands.
  private readonly rows: FloorRows = { slots: [], scores: [] };
  private readonly s1: number[] = [];
  private readonly s2: number[] = [];

  constructor(floor: number, ids: Uint32Array) {
    this.floor = floor;
    this.ids = ids;
  }

  get length(): number {
    return this.rows.slots.length;
  }

  isFull(): boolean {
    return true;
  }

  worstScore(): number {
    return this.floor;
  }

  kthBestScore(k: number): number {
    return this.drainBestFirst()[k - 1]!.score;
  }

  offer(slot: number, score: number, s1: number, s2: number): void {
    if (score < this.floor) return;
    this.rows.slots.push(slot);
    this.rows.scores.push(score);
    this.s1.push(s1);
    this.s2.push(s2);
  }

  /** The rows kept, in the order they were offered. */
  found(): FloorRows {
    return this.rows;
  }

  drainBestFirst(): KeptRow[] {
    const { slots, scores } = this.rows;
    const rows = slots.map((slot, i) => ({ slot, score: scores[i]!, s1: this.s1[i]!, s2: this.s2[i]! }));
    return rows.sort((a, b) =>
      a.score !== b.score ? b.score - a.score : compareIds(this.ids, a.slot, this.ids, b.slot),
    );
  }
}

/** Rows kept above a floor: row i is slot `slots[i]`, with rounded mutual score `scores[i]`. */
export interface FloorRows {
  slots: number[];
  scores: number[];
}
