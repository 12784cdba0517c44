import { BROKEN, EPSILON, satisfactionOf } from './kernel.ts';
import { compileSubjectValues, type SubjectValue } from './reverse-sweep.ts';
import { mutualScore, round6 } from './score.ts';
import { compareIds, idToWords, type ProfileStore } from './store.ts';
import { TopK } from './top-k.ts';
import type { ScoreMethod } from './types.ts';

/** Scores are reported rounded to 6 decimals: a rounded score exceeds the exact one by at most this. */
export const ROUNDING = 1e-6;

export interface RankRequest {
  /** rows wanted; one more is looked for, to tell whether a next page exists */
  limit: number;
  /** the last row of the previous page: only rows ranked after it */
  after?: { score: number; id: string } | undefined;
  method: ScoreMethod;
}

/** One listing in progress: whose it is, what was asked, and the best rows found so far. */
export interface Scan {
  subject: ProfileStore;
  s: number;
  others: ProfileStore;
  method: ScoreMethod;
  /** S(subject→row) below this: the row is not acceptable to the subject */
  subjectMin: number;
  /** the best `limit + 1` rows ranked after the cursor */
  heap: TopK;
  after: { score: number; words: Uint32Array } | undefined;
  /**
   * A guess of the heap's final worst score: rows that cannot reach it are skipped. The guess is
   * checked at the end (see rankAgainst); a wrong one makes the listing start over without it.
   */
  guess: number;
  /** the subject's values, compiled for scoring S(row→subject) column by column */
  subjectValues: SubjectValue[];
  /** indexes into subjectValues of the criteria that bound S(row→subject) first (see satisfactionsOfRows) */
  boundingCriteria: number[];
}

export function startScan(
  subject: ProfileStore,
  s: number,
  others: ProfileStore,
  request: RankRequest,
): Scan {
  return {
    subject,
    s,
    others,
    method: request.method,
    subjectMin: subject.minScoreOf(s) - EPSILON,
    heap: new TopK(request.limit + 1, others.ids),
    after: request.after && { score: request.after.score, words: idToWords(request.after.id) },
    guess: Number.NEGATIVE_INFINITY,
    subjectValues: compileSubjectValues(subject, s, others),
    boundingCriteria: [],
  };
}

/**
 * Row `o`, whose S(subject→o) is `s1` (exact, at least the subject's minScore), scored the other
 * way and kept if the pair is acceptable both ways and ranks after the cursor.
 */
export function offer(scan: Scan, o: number, s1: number): void {
  offerScored(scan, o, s1, satisfactionOf(scan.others, o, scan.subject, scan.s));
}

/** Row `o` with both satisfactions known (`s2` may be BROKEN), kept as `offer` keeps it. */
export function offerScored(scan: Scan, o: number, s1: number, s2: number): void {
  const { others, after } = scan;
  if (s2 === BROKEN || s2 < others.minScoreOf(o) - EPSILON) return;
  const score = round6(mutualScore(s1, s2, scan.method));
  if (
    after &&
    (score > after.score || (score === after.score && compareIds(others.ids, o, after.words, 0) <= 0))
  ) {
    return;
  }
  scan.heap.offer(o, score, s1, s2);
}

/** Can a row whose (unrounded) mutual score is at most `ceiling` still enter the heap? */
export function mayEnter(scan: Scan, ceiling: number): boolean {
  return ceiling + ROUNDING >= threshold(scan);
}

/** Rows whose rounded score is below this are not wanted: the heap's worst score once full, or the guess. */
export function threshold(scan: Scan): number {
  return Math.max(scan.guess, scan.heap.isFull() ? scan.heap.worstScore() : Number.NEGATIVE_INFINITY);
}

export const BUCKETS = 1024;

/** The highest mutual score a row of bucket `r` (0 is the best bucket) can have. */
export function bucketCeiling(r: number): number {
  return (BUCKETS - r) / BUCKETS;
}

/**
 * Orders positions 0..count−1 by `ceilings` (bounds of the mutual score in [0, 1]; negative: left
 * out), best bucket first. Bucket r holds order[starts[r]..starts[r + 1]); returns `starts`.
 */
export function orderByCeiling(
  ceilings: Float64Array,
  count: number,
  order: Int32Array,
  bucketOf: Int16Array,
): Int32Array {
  const starts = new Int32Array(BUCKETS + 1);
  for (let k = 0; k < count; k++) {
    const ceiling = ceilings[k]!;
    const r = ceiling < 0 ? -1 : BUCKETS - 1 - Math.min(BUCKETS - 1, Math.floor(ceiling * BUCKETS));
    bucketOf[k] = r;
    if (r >= 0) starts[r + 1]!++;
  }
  for (let r = 0; r < BUCKETS; r++) starts[r + 1]! += starts[r]!;
  const next = starts.slice();
  for (let k = 0; k < count; k++) {
    const r = bucketOf[k]!;
    if (r >= 0) order[next[r]!++] = k;
  }
  return starts;
}
