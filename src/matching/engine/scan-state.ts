import { EPSILON } from '../score.ts';
import type { ScoreMethod } from '../types.ts';
import type { ProfileStore } from './columnar-store.ts';
import { ROUNDING } from './precision.ts';
import type { RowDealbreakers } from './reverse-dealbreakers.ts';
import { compileSubjectValues, type SubjectValue } from './reverse-score.ts';
import { TopK } from './top-k-collector.ts';
import { idToWords } from './uuid-words.ts';

/**
 * What a scan offers its rows to: the bounded heap of a listing, or an alert's FloorCollector.
 * Only a listing's heap is drained (startScan makes it; see ListingScan).
 */
export type Collector = Pick<
  TopK,
  'capacity' | 'length' | 'isFull' | 'worstScore' | 'kthBestScore' | 'offer'
>;

export interface RankRequest {
  /** rows wanted; one more is looked for, to tell whether a next page exists */
  limit: number;
  /** the last row of the previous page: only rows ranked after it */
  after?: { score: number; id: string } | undefined;
  method: ScoreMethod;
  /**
   * Rows of the other side left out of this listing (a candidate's privacy: docs/matching.md#candidate-privacy).
   * They are never offered to the heap, so the list is the best `limit` of the rows not excluded.
   */
  excluded?: ReadonlySet<number> | undefined;
  /**
   * When set, only the rows flagged 1 are looked at (an allocation among named candidates): the
   * list is the best `limit` of those rows, not the best of all rows filtered afterwards.
   */
  only?: Uint8Array | undefined;
}

/** One listing in progress: whose it is, what was asked, and the best rows found so far. */
export interface Scan {
  subject: ProfileStore;
  s: number;
  others: ProfileStore;
  method: ScoreMethod;
  /** S(subject→row) below this: the row is not acceptable to the subject */
  subjectMin: number;
  /** the best `limit + 1` rows ranked after the cursor (or, for alerts, every row above a floor) */
  heap: Collector;
  after: { score: number; words: Uint32Array } | undefined;
  /** rows never offered to the heap (RankRequest.excluded) */
  excluded: ReadonlySet<number> | undefined;
  /** when set, the only rows looked at (flag 1; alerts scan the alerting rows): others never leave the filter */
  only?: Uint8Array | undefined;
  /**
   * When set (alerts), each row's own floor by slot, at or above the heap's: a row whose bound cannot
   * reach its floor is not scored, and one scored below it is not offered. Alerting rows' thresholds
   * differ (each subject's own), and a scan pruned by only the lowest would score every row that may
   * reach that one.
   */
  floors?: Float64Array | undefined;
  /**
   * When set (alerts: a bulk batch scanned by every alerting row), the rows' own dealbreakers: the
   * rows whose own dealbreakers the subject breaks leave right after the bound plan (so the plan is
   * the same), and S(row→subject) has no bounding criteria. At own minScore a batch's bounds let
   * through 96 % of the rows meeting the subject's dealbreakers, and 42 % of those broke one of
   * their own, found only in the exact pass, most criteria in; the bounding criteria dropped 4.5 %,
   * 98 % of them for a broken dealbreaker, and scored their criteria twice for every row kept.
   */
  rowDealbreakers?: RowDealbreakers | undefined;
  /**
   * A guess of the heap's final worst score: rows that cannot reach it are skipped. The guess is
   * checked at the end (see threshold-probe.ts); a wrong one makes the listing start over without it.
   */
  guess: number;
  /** the subject's values, compiled for scoring S(row→subject) column by column */
  subjectValues: SubjectValue[];
  /** indexes into subjectValues of the criteria that bound S(row→subject) first (see satisfactionsOfRows) */
  boundingCriteria: number[];
}

/** A listing's scan: its heap is the bounded TopK, drained best first at the end. */
export type ListingScan = Scan & { heap: TopK };

export function startScan(
  subject: ProfileStore,
  s: number,
  others: ProfileStore,
  request: RankRequest,
): ListingScan {
  return {
    subject,
    s,
    others,
    method: request.method,
    subjectMin: subject.minScoreOf(s) - EPSILON,
    heap: new TopK(request.limit + 1, others.ids),
    after: request.after && { score: request.after.score, words: idToWords(request.after.id) },
    excluded: request.excluded?.size ? request.excluded : undefined,
    only: request.only,
    guess: Number.NEGATIVE_INFINITY,
    subjectValues: compileSubjectValues(subject, s, others),
    boundingCriteria: [],
  };
}

/** Can a row whose (unrounded) mutual score is at most `ceiling` still enter the heap? */
export function mayEnter(scan: Scan, ceiling: number): boolean {
  return ceiling + ROUNDING >= threshold(scan);
}

/** Rows whose rounded score is below this are not wanted: the heap's worst score once full, or the guess. */
export function threshold(scan: Scan): number {
  return Math.max(scan.guess, scan.heap.isFull() ? scan.heap.worstScore() : Number.NEGATIVE_INFINITY);
}
