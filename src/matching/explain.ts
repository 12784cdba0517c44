/** The explanation of a pair (docs/matching.md#explanations-and-gaps): why it scores what it scores, and why it is (not) acceptable. */
import type { AnswerSet, CriterionAnswer, Side } from '../answers/types.ts';
import { assessPair, isAcceptable, isFullySatisfied, round6, summarizeExpectations } from './score.ts';
import {
  type CriterionAssessment,
  type CriterionExplanation,
  DEFAULT_SCORE_METHOD,
  type ExpectationGap,
  type MatchProfile,
  type PairAssessment,
  type PairExplanation,
  type ScoredQuestionnaire,
  type ScoreMethod,
  type SideExplanation,
} from './types.ts';

/**
 * The criteria either side answered, in questionnaire order, with both sides' answers and how each
 * side's expectation fares; also for unacceptable pairs. A criterion neither side answered adds
 * nothing to either satisfaction, so it is left out. Per-criterion satisfactions keep full
 * precision so that Σ w·sat / Σ w over them reproduces the reported one-sided satisfactions.
 */
export function explainPair(
  questionnaire: ScoredQuestionnaire,
  job: MatchProfile,
  candidate: MatchProfile,
  method: ScoreMethod = DEFAULT_SCORE_METHOD,
): PairExplanation {
  const assessed = assessPair(questionnaire, job, candidate, method);
  const criteria = questionnaire.criteria.flatMap((criterion, index): CriterionExplanation[] =>
    Object.hasOwn(candidate.answers, criterion.id) || Object.hasOwn(job.answers, criterion.id)
      ? [
          {
            criterionId: criterion.id,
            candidate: sideExplanation(candidate.answers, criterion.id, assessed.candidate[index]),
            employer: sideExplanation(job.answers, criterion.id, assessed.employer[index]),
          },
        ]
      : [],
  );
  const gaps = [
    ...expectationGaps('candidate', assessed.candidate),
    ...expectationGaps('employer', assessed.employer),
  ].sort(byWeightLostThenCriterion);
  const soleBarriers = assessed.score.acceptable ? [] : soleBarriersOf(assessed, job, candidate);
  return { ...assessed.score, criteria, gaps, soleBarriers };
}

/**
 * The criteria that alone keep an unacceptable pair apart: with the criterion at weight 0 on both
 * sides (no dealbreaker either), all else unchanged, the pair would be acceptable. In questionnaire order.
 *
 * Each criterion is assessed on its own, so making one irrelevant only drops its two assessments:
 * each trial sums the assessments already made without them, in the order a fresh scoring would,
 * so it decides exactly as a fresh scoring of the changed profiles does, without one per criterion.
 */
function soleBarriersOf(assessed: PairAssessment, job: MatchProfile, candidate: MatchProfile): string[] {
  // The criterion's assessment left out of the sums (summarizeExpectations skips a null satisfaction).
  const without = (view: readonly CriterionAssessment[], index: number) =>
    view.map((assessment, k) => (k === index ? { ...assessment, satisfaction: null } : assessment));
  return assessed.employer.flatMap((employerSide, index) => {
    const { id } = employerSide.criterion;
    if (!Object.hasOwn(job.answers, id) && !Object.hasOwn(candidate.answers, id)) return [];
    const employerView = without(assessed.employer, index);
    const candidateView = without(assessed.candidate, index);
    const brokenHere =
      Number(employerSide.dealbreakerBroken) + Number(assessed.candidate[index]!.dealbreakerBroken);
    const pair = {
      broken: assessed.score.dealbreakers.length - brokenHere,
      employerSatisfaction: summarizeExpectations(employerView).satisfaction,
      candidateSatisfaction: summarizeExpectations(candidateView).satisfaction,
    };
    return isAcceptable(pair, job, candidate) ? [id] : [];
  });
}

function sideExplanation(
  answers: AnswerSet,
  criterionId: string,
  assessment: CriterionAssessment | undefined,
): SideExplanation {
  const answer: CriterionAnswer | undefined = Object.hasOwn(answers, criterionId)
    ? answers[criterionId]
    : undefined;
  return {
    value: answer?.value ?? null,
    accept: answer && 'accept' in answer ? (answer.accept ?? null) : null,
    importance: answer?.importance ?? null,
    satisfaction: assessment?.satisfaction ?? null,
  };
}

/** The expectations of `side` that the other side does not fully meet, with the weight each costs. */
function expectationGaps(side: Side, assessments: readonly CriterionAssessment[]): ExpectationGap[] {
  return assessments.flatMap(({ criterion, weight, satisfaction }) =>
    satisfaction === null || weight === 0 || isFullySatisfied(satisfaction)
      ? []
      : [{ criterionId: criterion.id, side, weightLost: round6(weight * (1 - satisfaction)) }],
  );
}

const sideOrder: Readonly<Record<Side, number>> = { candidate: 0, employer: 1 };

function byWeightLostThenCriterion(a: ExpectationGap, b: ExpectationGap): number {
  if (a.weightLost !== b.weightLost) return b.weightLost - a.weightLost;
  if (a.criterionId !== b.criterionId) return a.criterionId < b.criterionId ? -1 : 1;
  return sideOrder[a.side] - sideOrder[b.side];
}
