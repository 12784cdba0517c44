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
  // Column by column, not an object per row: a job's alert scan can keep hundreds of thousands.
  private readonly rows: FloorRows = { slots: [], scores: [] };

  constructor(floor: number) {
    this.floor = floor;
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
    return this.rows.scores.toSorted((a, b) => b - a)[k - 1]!;
  }

  /** Alerts need the score only (a listing's heap also keeps both satisfactions). */
  offer(slot: number, score: number): void {
    if (score < this.floor) return;
    this.rows.slots.push(slot);
    this.rows.scores.push(score);
  }

  /** The rows kept, in the order they were offered. */
  found(): FloorRows {
    return this.rows;
  }
}

/** Rows kept above a floor: row i is slot `slots[i]`, with rounded mutual score `scores[i]`. */
export interface FloorRows {
  slots: number[];
  scores: number[];
}
