import { EPSILON, mutualScore, round6 } from '../score.ts';
import { BROKEN, satisfactionOf } from './pair-score.ts';
import type { Scan } from './scan-state.ts';
import { compareIds } from './uuid-words.ts';

/** A bounded heap whose root is the worst kept row (lowest score, then highest id). */
export class TopK {
  private readonly slots: Int32Array;
  private readonly scores: Float64Array;
  private readonly first: Float64Array;
  private readonly second: Float64Array;
  private size = 0;
  readonly capacity: number;
  private readonly ids: Uint32Array;

  constructor(capacity: number, ids: Uint32Array) {
    this.capacity = capacity;
    this.ids = ids;
    this.slots = new Int32Array(capacity);
    this.scores = new Float64Array(capacity);
    this.first = new Float64Array(capacity);
    this.second = new Float64Array(capacity);
  }

  /** How many rows are kept. */
  get length(): number {
    return this.size;
  }

  isFull(): boolean {
    return this.size === this.capacity;
  }

  /** The lowest score kept (the root). */
  worstScore(): number {
    return this.scores[0]!;
  }

  /** The k-th best score kept (1 is the best); k at most the number kept. */
  kthBestScore(k: number): number {
    const scores = this.scores.slice(0, this.size).sort((a, b) => b - a);
    return scores[k - 1]!;
  }

  offer(slot: number, score: number, s1: number, s2: number): void {
    if (this.size < this.capacity) {
      this.place(this.size, slot, score, s1, s2);
      this.siftUp(this.size++);
      return;
    }
    if (!this.better(slot, score, this.slots[0]!, this.scores[0]!)) return;
    this.place(0, slot, score, s1, s2);
    this.siftDown(0);
  }

  drainBestFirst(): { slot: number; score: number; s1: number; s2: number }[] {
    const rows: { slot: number; score: number; s1: number; s2: number }[] = [];
    for (let i = 0; i < this.size; i++) {
      rows.push({ slot: this.slots[i]!, score: this.scores[i]!, s1: this.first[i]!, s2: this.second[i]! });
    }
    return rows.sort((a, b) =>
      a.score !== b.score ? b.score - a.score : compareIds(this.ids, a.slot, this.ids, b.slot),
    );
  }

  /** Is (slotA, scoreA) ranked before (slotB, scoreB)? */
  private better(slotA: number, scoreA: number, slotB: number, scoreB: number): boolean {
    return scoreA > scoreB || (scoreA === scoreB && compareIds(this.ids, slotA, this.ids, slotB) < 0);
  }

  private place(i: number, slot: number, score: number, s1: number, s2: number): void {
    this.slots[i] = slot;
    this.scores[i] = score;
    this.first[i] = s1;
    this.second[i] = s2;
  }

  private swap(i: number, j: number): void {
    const { slots, scores, first, second } = this;
    [slots[i], slots[j]] = [slots[j]!, slots[i]!];
    [scores[i], scores[j]] = [scores[j]!, scores[i]!];
    [first[i], first[j]] = [first[j]!, first[i]!];
    [second[i], second[j]] = [second[j]!, second[i]!];
  }

  private worse(i: number, j: number): boolean {
    return this.better(this.slots[j]!, this.scores[j]!, this.slots[i]!, this.scores[i]!);
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.worse(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < this.size && this.worse(left, worst)) worst = left;
      if (right < this.size && this.worse(right, worst)) worst = right;
      if (worst === i) return;
      this.swap(i, worst);
      i = worst;
    }
  }
}

/**
 * Row `o`, whose S(subject→o) is `s1` (exact, at least the subject's minScore), scored the other
 * way and kept if the pair is acceptable both ways and ranks after the cursor.
 */
export function offer(scan: Scan, o: number, s1: number): void {
  offerScored(scan, o, s1, satisfactionOf(scan.others, o, scan.subject, scan.s));
}

/**
 * Row `o` with both satisfactions known (`s2` may be BROKEN), kept as `offer` keeps it. An
 * excluded row is refused here, at the one door to the heap, so every stage's threshold is that
 * of the rows that may be listed.
 */
export function offerScored(scan: Scan, o: number, s1: number, s2: number): void {
  const { others, after } = scan;
  if (s2 === BROKEN || s2 < others.minScoreOf(o) - EPSILON || scan.excluded?.has(o)) return;
  const score = round6(mutualScore(s1, s2, scan.method));
  if (scan.floors && score < scan.floors[o]!) return;
  if (
    after &&
    (score > after.score || (score === after.score && compareIds(others.ids, o, after.words, 0) <= 0))
  ) {
    return;
  }
  scan.heap.offer(o, score, s1, s2);
}
