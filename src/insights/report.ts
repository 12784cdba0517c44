import { BINS, countsLayout } from '../matching/engine/insights-pass.ts';

/** One criterion's counts in an insights answer (docs/matching.md#insights-and-what-if). */
export interface CriterionInsight {
  criterionId: string;
  rejectedBy: number;
  rejecting: number;
  soleBarrier: number;
  acceptableIfIrrelevant: number;
}

/** The counts of an insights answer, without the subject's identity. */
export interface InsightCounts {
  others: number;
  acceptable: number;
  histogram: number[];
  criteria: CriterionInsight[];
}

/** The counts array of the pass (added up over slices) as the API reports it: criteria by soleBarrier desc, then id. */
export function reportCounts(criterionIds: readonly string[], counts: Int32Array): InsightCounts {
  const at = countsLayout(criterionIds.length);
  const criteria = criterionIds.map((criterionId, c) => ({
    criterionId,
    rejectedBy: counts[at.rejectedBy + c]!,
    rejecting: counts[at.rejecting + c]!,
    soleBarrier: counts[at.soleBarrier + c]!,
    acceptableIfIrrelevant: counts[at.acceptableIfIrrelevant + c]!,
  }));
  return {
    others: counts[at.others]!,
    acceptable: counts[at.acceptable]!,
    histogram: Array.from(counts.subarray(at.histogram, at.histogram + BINS)),
    criteria: criteria.sort(bySoleBarrierThenId),
  };
}

export function bySoleBarrierThenId(a: CriterionInsight, b: CriterionInsight): number {
  if (a.soleBarrier !== b.soleBarrier) return b.soleBarrier - a.soleBarrier;
  return a.criterionId < b.criterionId ? -1 : a.criterionId > b.criterionId ? 1 : 0;
}
