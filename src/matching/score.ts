/**
 * The readable reference scorer (docs/matching.md): plain code, no I/O. The fast index
 * (engine/ENGINE.md) is tested against it, so clarity wins over speed here, and it shares no
 * satisfaction code with the engine's kinds.
 */
import { similarity } from 'ml-distance';
import {
  type AnswerSet,
  type CriterionAnswer,
  type DateAnswer,
  importanceWeight,
  type MultiAnswer,
  type NumberAnswer,
  type ProfileAnswer,
  type ScaleAnswer,
  type SingleAnswer,
} from '../answers/types.ts';
import type { CriterionDefinition } from '../questionnaires/definition.ts';
import {
  type AnswerValue,
  type BrokenDealbreaker,
  type CriterionAssessment,
  DEFAULT_SCORE_METHOD,
  type MatchProfile,
  type OneSidedResult,
  type PairAssessment,
  type PairScore,
  type RankEntry,
  type RankedMatch,
  type RankSubject,
  type ScoredQuestionnaire,
  type ScoreMethod,
} from './types.ts';

/**
 * Float sums and Pearson can land a hair below an exact 1 or an exact threshold (0.5 computed
 * as 0.49999999999999994); rounding noise must not break a dealbreaker or refuse a pair.
 */
export const EPSILON = 1e-9;

export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export function isFullySatisfied(sat: number): boolean {
  return sat >= 1 - EPSILON;
}

// Satisfaction per criterion kind: sat(accept, x) ∈ [0, 1].

export function singleSatisfaction(accept: readonly string[], x: string): number {
  return accept.includes(x) ? 1 : 0;
}

export function multiSatisfaction(accept: NonNullable<MultiAnswer['accept']>, x: readonly string[]): number {
  const offered = new Set(x);
  const wanted = new Set(accept.options);
  const met = [...wanted].filter((option) => offered.has(option)).length;
  if (accept.mode === 'any') return met > 0 ? 1 : 0;
  // "All of nothing" is met vacuously; validation keeps options non-empty anyway.
  return wanted.size === 0 ? 1 : met / wanted.size;
}

export function scaleSatisfaction(
  accept: NonNullable<ScaleAnswer['accept']>,
  x: number,
  tolerance: number,
): number {
  const d = x < accept.min ? accept.min - x : x > accept.max ? x - accept.max : 0;
  return d === 0 ? 1 : Math.max(0, 1 - d / (tolerance + 1));
}

/**
 * `rangeWidth` is the criterion's `range.max − range.min`. The distance past a bound is measured
 * relative to that bound, but a bound of 0 has no size to be relative to (a "0 travel days"
 * expectation would divide by zero), so the width of the criterion's range stands in for |b|.
 */
export function numberSatisfaction(
  accept: NonNullable<NumberAnswer['accept']>,
  x: number,
  toleranceRatio: number,
  rangeWidth: number,
): number {
  const bound = crossedBound(accept, x);
  if (bound === undefined) return 1;
  const relativeDistance = Math.abs(x - bound) / (bound === 0 ? rangeWidth : Math.abs(bound));
  return Math.max(0, 1 - relativeDistance / toleranceRatio);
}

function crossedBound(accept: NonNullable<NumberAnswer['accept']>, x: number): number | undefined {
  if (accept.min !== undefined && x < accept.min) return accept.min;
  if (accept.max !== undefined && x > accept.max) return accept.max;
  return undefined;
}

/**
 * 1 inside the window; else max(0, 1 − d/toleranceDays), d the whole days from `x` to the bound
 * crossed: `toleranceDays` or more days outside scores 0.
 */
export function dateSatisfaction(
  accept: NonNullable<DateAnswer['accept']>,
  x: string,
  toleranceDays: number,
): number {
  const day = daysSinceEpoch(x);
  const from = accept.from === undefined ? undefined : daysSinceEpoch(accept.from);
  const to = accept.to === undefined ? undefined : daysSinceEpoch(accept.to);
  const d = from !== undefined && day < from ? from - day : to !== undefined && day > to ? day - to : 0;
  return d === 0 ? 1 : Math.max(0, 1 - d / toleranceDays);
}

/** Whole days since 1970-01-01 of an ISO calendar date (validated: YYYY-MM-DD). */
function daysSinceEpoch(isoDate: string): number {
  return Math.round(new Date(`${isoDate}T00:00:00Z`).getTime() / 86_400_000);
}

/** (1 + pearson) / 2; a constant vector has no correlation to speak of, so it scores neutral 0.5. */
export function profileSatisfaction(own: number[], other: number[]): number {
  if (isConstant(own) || isConstant(other)) return 0.5;
  const r = Math.min(1, Math.max(-1, similarity.pearson(own, other)));
  return (1 + r) / 2;
}

function isConstant(vector: readonly number[]): boolean {
  return vector.every((rating) => rating === vector[0]);
}

/**
 * How well `otherValue` meets the expecting side's answer on `criterion`. Answers are validated
 * against the questionnaire before they are stored, so the value and accept shapes follow the kind.
 */
export function satisfaction(
  criterion: CriterionDefinition,
  expecting: CriterionAnswer,
  otherValue: AnswerValue,
): number {
  switch (criterion.kind) {
    case 'single':
      return singleSatisfaction(requireAccept(criterion, expecting as SingleAnswer), otherValue as string);
    case 'multi':
      return multiSatisfaction(requireAccept(criterion, expecting as MultiAnswer), otherValue as string[]);
    case 'scale':
      return scaleSatisfaction(
        requireAccept(criterion, expecting as ScaleAnswer),
        otherValue as number,
        criterion.tolerance,
      );
    case 'number':
      return numberSatisfaction(
        requireAccept(criterion, expecting as NumberAnswer),
        otherValue as number,
        criterion.toleranceRatio,
        criterion.range.max - criterion.range.min,
      );
    case 'profile':
      return profileSatisfaction((expecting as ProfileAnswer).value, otherValue as number[]);
    case 'date':
      return dateSatisfaction(
        requireAccept(criterion, expecting as DateAnswer),
        otherValue as string,
        criterion.toleranceDays,
      );
    default:
      return criterion satisfies never;
  }
}

function requireAccept<A>(criterion: CriterionDefinition, answer: { accept?: A }): A {
  if (answer.accept === undefined) {
    throw new Error(`criterion "${criterion.id}": an expectation with an importance needs "accept"`);
  }
  return answer.accept;
}

// One side's expectations against the other side's values.

/** Each criterion of the questionnaire, in order, as the expecting side sees the other. */
export function assessExpectations(
  questionnaire: ScoredQuestionnaire,
  expecting: AnswerSet,
  other: AnswerSet,
): CriterionAssessment[] {
  return questionnaire.criteria.map((criterion) =>
    assessCriterion(criterion, answerFor(expecting, criterion.id), answerFor(other, criterion.id)),
  );
}

function assessCriterion(
  criterion: CriterionDefinition,
  own: CriterionAnswer | undefined,
  theirs: CriterionAnswer | undefined,
): CriterionAssessment {
  const weight = own ? importanceWeight[own.importance] : 0;
  // A profile compares two value vectors, so both sides need one.
  const ownValueMissing = criterion.kind === 'profile' && own?.value === undefined;
  const otherValue = theirs?.value;
  const scored = own !== undefined && weight > 0 && otherValue !== undefined && !ownValueMissing;
  const sat = scored ? satisfaction(criterion, own, otherValue) : null;
  const dealbreakerBroken = own?.importance === 'dealbreaker' && (sat === null || !isFullySatisfied(sat));
  return { criterion, weight, satisfaction: sat, dealbreakerBroken };
}

/** Own keys only: a criterion id such as "constructor" must not find Object.prototype. */
function answerFor(answers: AnswerSet, criterionId: string): CriterionAnswer | undefined {
  return Object.hasOwn(answers, criterionId) ? answers[criterionId] : undefined;
}

/** S = Σ w·sat / Σ w over the scored criteria; 1 when none is scored. */
export function summarizeExpectations(assessments: readonly CriterionAssessment[]): OneSidedResult {
  let weighted = 0;
  let total = 0;
  for (const { weight, satisfaction: sat } of assessments) {
    if (sat === null) continue;
    weighted += weight * sat;
    total += weight;
  }
  return {
    satisfaction: total === 0 ? 1 : weighted / total,
    brokenDealbreakers: assessments.filter((a) => a.dealbreakerBroken).map((a) => a.criterion.id),
  };
}

/** S(expecting→other), unrounded, and the expecting side's dealbreakers the other side breaks. */
export function oneSided(
  questionnaire: ScoredQuestionnaire,
  expecting: AnswerSet,
  other: AnswerSet,
): OneSidedResult {
  return summarizeExpectations(assessExpectations(questionnaire, expecting, other));
}

// The pair.

export function mutualScore(s1: number, s2: number, method: ScoreMethod = DEFAULT_SCORE_METHOD): number {
  switch (method) {
    case 'harmonic':
      return s1 === 0 || s2 === 0 ? 0 : (2 * s1 * s2) / (s1 + s2);
    case 'geometric':
      return Math.sqrt(s1 * s2);
    case 'min':
      return Math.min(s1, s2);
  }
}

/**
 * The confidence count n: criteria of the questionnaire where BOTH sides gave a value about
 * themselves (importance does not matter). Expectations alone say nothing about fit, and a value
 * on one side only is information about one profile, not about the pair.
 */
export function countValuedByBoth(questionnaire: ScoredQuestionnaire, a: AnswerSet, b: AnswerSet): number {
  return questionnaire.criteria.filter(
    (criterion) =>
      answerFor(a, criterion.id)?.value !== undefined && answerFor(b, criterion.id)?.value !== undefined,
  ).length;
}

/** max(0, M − 1/n); 0 when the sides share no valued criterion, since nothing backs M then. */
export function lowerScore(score: number, valuedByBoth: number): number {
  return valuedByBoth === 0 ? 0 : Math.max(0, score - 1 / valuedByBoth);
}

/** The score and both sides' per-criterion assessments; `explainPair` builds on this. */
export function assessPair(
  questionnaire: ScoredQuestionnaire,
  job: MatchProfile,
  candidate: MatchProfile,
  method: ScoreMethod = DEFAULT_SCORE_METHOD,
): PairAssessment {
  const employerView = assessExpectations(questionnaire, job.answers, candidate.answers);
  const candidateView = assessExpectations(questionnaire, candidate.answers, job.answers);
  const employerSatisfaction = summarizeExpectations(employerView).satisfaction;
  const candidateSatisfaction = summarizeExpectations(candidateView).satisfaction;
  const dealbreakers = brokenDealbreakers(candidateView, employerView);
  const score = mutualScore(employerSatisfaction, candidateSatisfaction, method);
  const valuedByBoth = countValuedByBoth(questionnaire, job.answers, candidate.answers);
  const acceptable = isAcceptable(
    { broken: dealbreakers.length, employerSatisfaction, candidateSatisfaction },
    job,
    candidate,
  );
  return {
    score: {
      acceptable,
      score: round6(score),
      scoreLower: round6(lowerScore(score, valuedByBoth)),
      employerSatisfaction: round6(employerSatisfaction),
      candidateSatisfaction: round6(candidateSatisfaction),
      dealbreakers,
    },
    employer: employerView,
    candidate: candidateView,
  };
}

/**
 * Acceptable: no dealbreaker broken, and each side's satisfaction (unrounded) at its `minScore`.
 * `broken`: how many dealbreakers the pair breaks.
 */
export function isAcceptable(
  pair: { broken: number; employerSatisfaction: number; candidateSatisfaction: number },
  job: MatchProfile,
  candidate: MatchProfile,
): boolean {
  return (
    pair.broken === 0 &&
    pair.candidateSatisfaction >= candidate.minScore - EPSILON &&
    pair.employerSatisfaction >= job.minScore - EPSILON
  );
}

/** In questionnaire order; the candidate's before the employer's on the same criterion. */
function brokenDealbreakers(
  candidateView: readonly CriterionAssessment[],
  employerView: readonly CriterionAssessment[],
): BrokenDealbreaker[] {
  const broken: BrokenDealbreaker[] = [];
  candidateView.forEach((candidateSide, index) => {
    const criterionId = candidateSide.criterion.id;
    if (candidateSide.dealbreakerBroken) broken.push({ criterionId, side: 'candidate' });
    if (employerView[index]?.dealbreakerBroken) broken.push({ criterionId, side: 'employer' });
  });
  return broken;
}

export function scorePair(
  questionnaire: ScoredQuestionnaire,
  job: MatchProfile,
  candidate: MatchProfile,
  method: ScoreMethod = DEFAULT_SCORE_METHOD,
): PairScore {
  return assessPair(questionnaire, job, candidate, method).score;
}

/**
 * The reference ranking: the reciprocally acceptable others, by reported (6-decimal) score
 * descending, so that equal displayed scores are ordered by id ascending (code-unit order,
 * independent of locale).
 */
export function rankMatches(
  questionnaire: ScoredQuestionnaire,
  subject: RankSubject,
  others: readonly RankEntry[],
  method: ScoreMethod = DEFAULT_SCORE_METHOD,
): RankedMatch[] {
  return others
    .map((other) => ({ id: other.id, ...scoreWithSubject(questionnaire, subject, other, method) }))
    .filter((match) => match.acceptable)
    .sort(byScoreThenId);
}

function scoreWithSubject(
  questionnaire: ScoredQuestionnaire,
  subject: RankSubject,
  other: RankEntry,
  method: ScoreMethod,
): PairScore {
  return subject.side === 'employer'
    ? scorePair(questionnaire, subject, other, method)
    : scorePair(questionnaire, other, subject, method);
}

function byScoreThenId(a: RankedMatch, b: RankedMatch): number {
  if (a.score !== b.score) return b.score - a.score;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
