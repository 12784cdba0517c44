import { BROKEN, EPSILON, satisfactionOf, valuedByBoth } from './kernel.ts';
import { lowerScore, mutualScore, round6 } from './score.ts';
import { compareIds, idToWords, type ProfileStore } from './store.ts';
import { sweepSubjectSatisfaction } from './sweep.ts';
import type { ScoreMethod } from './types.ts';

/** One reciprocally acceptable row of the other side, with the pair's scores (rounded). */
export interface RankedRow {
  slot: number;
  score: number;
  /** max(0, M − 1/n), n = criteria both sides gave a value for */
  scoreLower: number;
  /** S(subject→other) */
  subjectSatisfaction: number;
  /** S(other→subject) */
  otherSatisfaction: number;
}

export interface RankRequest {
  /** rows wanted; one more is looked for, to tell whether a next page exists */
  limit: number;
  /** the last row of the previous page: only rows ranked after it */
  after?: { score: number; id: string } | undefined;
  method: ScoreMethod;
}

/**
 * Every reciprocally acceptable row of `others` for row `s` of `subject`, best first (score
 * descending, id ascending), keeping only the best `limit + 1` in a bounded heap.
 */
export function rankAgainst(
  subject: ProfileStore,
  s: number,
  others: ProfileStore,
  request: RankRequest,
): { rows: RankedRow[]; hasMore: boolean } {
  const capacity = request.limit + 1;
  const heap = new TopK(capacity, others.ids);
  const subjectMin = subject.minScore[s]! - EPSILON;
  const after = request.after;
  const afterWords = after ? idToWords(after.id) : undefined;
  const active = others.active;
  const n = others.end;
  const { weighted, total, order, bucketOf } = scratch(n);
  sweepSubjectSatisfaction(subject, s, others, weighted, total);

  // Bucket the rows by the best score they could still reach (their S(other→subject) = 1), then
  // score the other direction from the best bucket down, and stop once no bucket can beat the
  // heap. Typically only a small share of rows ever needs the second direction.
  const counts = new Int32Array(BUCKETS + 1);
  for (let o = 0; o < n; o++) {
    bucketOf[o] = -1;
    if (active[o] === 0) continue;
    const w = weighted[o]!;
    if (Number.isNaN(w)) continue;
    const s1 = total[o] === 0 ? 1 : w / total[o]!;
    if (s1 < subjectMin) continue;
    const bucket = Math.min(BUCKETS - 1, Math.floor(mutualScore(s1, 1, request.method) * BUCKETS));
    bucketOf[o] = bucket;
    counts[bucket + 1]!++;
  }
  for (let b = 0; b < BUCKETS; b++) counts[b + 1]! += counts[b]!;
  const starts = counts.slice();
  for (let o = 0; o < n; o++) {
    const bucket = bucketOf[o]!;
    if (bucket >= 0) order[starts[bucket]!++] = o;
  }

  for (let b = BUCKETS - 1; b >= 0; b--) {
    const ceiling = (b + 1) / BUCKETS + 1e-6;
    if (heap.isFull() && ceiling < heap.worstScore()) break;
    for (let k = counts[b]!; k < counts[b + 1]!; k++) {
      const o = order[k]!;
      const s2 = satisfactionOf(others, o, subject, s);
      if (s2 === BROKEN || s2 < others.minScore[o]! - EPSILON) continue;
      const s1 = total[o] === 0 ? 1 : weighted[o]! / total[o]!;
      const score = round6(mutualScore(s1, s2, request.method));
      if (
        after &&
        (score > after.score || (score === after.score && compareIds(others.ids, o, afterWords!, 0) <= 0))
      ) {
        continue;
      }
      heap.offer(o, score, s1, s2);
    }
  }
  const kept = heap.drainBestFirst();
  const rows = kept.slice(0, request.limit).map(({ slot, score, s1, s2 }) => ({
    slot,
    score,
    scoreLower: round6(
      lowerScore(mutualScore(s1, s2, request.method), valuedByBoth(subject, s, others, slot)),
    ),
    subjectSatisfaction: round6(s1),
    otherSatisfaction: round6(s2),
  }));
  return { rows, hasMore: kept.length > request.limit };
}

const BUCKETS = 1024;
const buffers = {
  rows: 0,
  weighted: new Float64Array(0),
  total: new Float64Array(0),
  order: new Int32Array(0),
  bucketOf: new Int16Array(0),
};

/** Per-row scratch for a scan, reused between calls (a scan runs synchronously, one at a time). */
function scratch(rows: number) {
  if (buffers.rows < rows) {
    const size = Math.ceil(rows * 1.25);
    buffers.rows = size;
    buffers.weighted = new Float64Array(size);
    buffers.total = new Float64Array(size);
    buffers.order = new Int32Array(size);
    buffers.bucketOf = new Int16Array(size);
  }
  return buffers;
}

/** A bounded heap whose root is the worst kept row (lowest score, then highest id). */
class TopK {
  private readonly slots: Int32Array;
  private readonly scores: Float64Array;
  private readonly first: Float64Array;
  private readonly second: Float64Array;
  private size = 0;
  private readonly capacity: number;
  private readonly ids: Uint32Array;

  constructor(capacity: number, ids: Uint32Array) {
    this.capacity = capacity;
    this.ids = ids;
    this.slots = new Int32Array(capacity);
    this.scores = new Float64Array(capacity);
    this.first = new Float64Array(capacity);
    this.second = new Float64Array(capacity);
  }

  isFull(): boolean {
    return this.size === this.capacity;
  }

  /** The lowest score kept (the root). */
  worstScore(): number {
    return this.scores[0]!;
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
