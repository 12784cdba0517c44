import { BROKEN, EPSILON, satisfactionOf, valuedByBoth } from './kernel.ts';
import { lowerScore, mutualScore, round6 } from './score.ts';
import { compareIds, idToWords, type ProfileStore } from './store.ts';
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

  for (let o = 0; o < others.end; o++) {
    if (active[o] === 0) continue;
    const s1 = satisfactionOf(subject, s, others, o);
    if (s1 === BROKEN || s1 < subjectMin) continue;
    const s2 = satisfactionOf(others, o, subject, s);
    if (s2 === BROKEN || s2 < others.minScore[o]! - EPSILON) continue;
    const score = round6(mutualScore(s1, s2, request.method));
    if (
      after &&
      (score > after.score || (score === after.score && compareIds(others.ids, o, afterWords!, 0) <= 0))
    ) {
      continue;
    }
    heap.offer(o, score, s1, s2);
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
