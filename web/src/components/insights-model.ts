import type { Schemas } from '../api/client.ts';
import type { Criterion, Importance } from './answer-model.ts';

export type Insights = Schemas['Insights'];
export type CriterionInsight = Insights['criteria'][number];

/** The histogram's bins as a person reads them: "0–10%" … "90–100%" (the API's [0, 0.1) … [0.9, 1.0]). */
export function binLabels(bins = 10): string[] {
  return Array.from({ length: bins }, (_, i) => `${(i * 100) / bins}–${((i + 1) * 100) / bins}%`);
}

/** Each count's height on a chart `height` units tall, the largest count reaching the top; all 0 when every count is. */
export function barHeights(histogram: readonly number[], height: number): number[] {
  const largest = Math.max(0, ...histogram);
  return histogram.map((count) => (largest === 0 ? 0 : (count / largest) * height));
}

/** A change in a count with its sign, as a person writes it: "+2", "−1" (a real minus sign), "±0". */
export function signed(delta: number): string {
  if (delta > 0) return `+${delta}`;
  if (delta < 0) return `\u2212${-delta}`;
  return '±0';
}

/** What one criterion does to the subject's pool: the numbers the panel states, in the order it states them. */
export interface CriterionEffect {
  soleBarrier: number;
  rejecting: number;
  rejectedBy: number;
  /** Acceptable pairs if the subject alone made this criterion irrelevant. */
  ifIrrelevant: number;
  /** ifIrrelevant − acceptable: negative when the other expectations, renormalised, would weigh more. */
  delta: number;
  /** Nothing to say: no one ruled out either way, and making it irrelevant changes nothing. */
  none: boolean;
}

export function effectOf(insight: CriterionInsight, acceptable: number): CriterionEffect {
  const delta = insight.acceptableIfIrrelevant - acceptable;
  return {
    soleBarrier: insight.soleBarrier,
    rejecting: insight.rejecting,
    rejectedBy: insight.rejectedBy,
    ifIrrelevant: insight.acceptableIfIrrelevant,
    delta,
    none: insight.soleBarrier === 0 && insight.rejecting === 0 && insight.rejectedBy === 0 && delta === 0,
  };
}

type StoredAnswer = { value?: unknown; accept?: unknown; importance?: Importance };

/**
 * Whether the subject's stored answer to `criterion` can take another importance in a what-if:
 * any importance but `irrelevant` needs an expectation (`accept`), or, for a profile, the value.
 */
export function canReweigh(criterion: Pick<Criterion, 'kind'>, answer: unknown): boolean {
  if (typeof answer !== 'object' || answer === null) return false;
  const stored = answer as StoredAnswer;
  return criterion.kind === 'profile' ? stored.value !== undefined : stored.accept !== undefined;
}

/** The change a person tries in the what-if form. */
export interface WhatIfChange {
  criterionId?: string | undefined;
  importance?: Importance | undefined;
  /** 0..1; left out keeps the stored one. */
  minScore?: number | undefined;
}

/** The body of POST …/insights for one change: the stored answer with only its importance replaced. */
export function whatIfBody(
  stored: Record<string, unknown>,
  change: WhatIfChange,
): { answers: Record<string, unknown>; minScore?: number } {
  const answers: Record<string, unknown> = {};
  const { criterionId, importance } = change;
  if (criterionId && importance && Object.hasOwn(stored, criterionId))
    answers[criterionId] = { ...(stored[criterionId] as StoredAnswer), importance };
  return change.minScore === undefined ? { answers } : { answers, minScore: change.minScore };
}
