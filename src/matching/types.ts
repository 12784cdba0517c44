/** Shapes of the reference scorer (docs/matching.md#one-sided-satisfaction). */
import type { AnswerSet, Importance, Side } from '../answers/types.ts';
import type { CriterionDefinition, QuestionnaireDefinition } from '../questionnaires/definition.ts';

/** How the two one-sided satisfactions combine into the mutual score (a workspace setting). */
export const scoreMethods = ['harmonic', 'geometric', 'min'] as const;
export type ScoreMethod = (typeof scoreMethods)[number];
/** The score method of a workspace that did not choose one. */
export const DEFAULT_SCORE_METHOD: ScoreMethod = 'harmonic';

/** Only the criteria matter for scoring; a whole definition fits too. */
export type ScoredQuestionnaire = Pick<QuestionnaireDefinition, 'criteria'>;

/** One side of a pair: its answers and the lowest satisfaction it accepts (θ). */
export interface MatchProfile {
  answers: AnswerSet;
  minScore: number;
}

/** A profile that takes part in a ranking. */
export interface RankEntry extends MatchProfile {
  id: string;
}

/** The profile a ranking is made for, and which side of the market it is on. */
export interface RankSubject extends MatchProfile {
  side: Side;
}

/** A value one side gives about itself, whatever the criterion kind. */
export type AnswerValue = string | string[] | number | number[];

/** What one side expects of the other's value, whatever the criterion kind. */
export type AnswerAccept =
  | string[]
  | { mode: 'any' | 'all'; options: string[] }
  | { min?: number; max?: number }
  | { from?: string; to?: string };

/** How one side's expectation on one criterion fares against the other side's value. */
export interface CriterionAssessment {
  criterion: CriterionDefinition;
  /** Importance weight of the expecting side; 0 when it did not answer the criterion. */
  weight: number;
  /** null when not scored: weight 0, or a value missing on either side that the kind needs. */
  satisfaction: number | null;
  dealbreakerBroken: boolean;
}

/** S(a→b) and the dealbreakers of a that b breaks. */
export interface OneSidedResult {
  satisfaction: number;
  brokenDealbreakers: string[];
}

/** A dealbreaker of `side` that the other side breaks. */
export interface BrokenDealbreaker {
  criterionId: string;
  side: Side;
}

export interface PairScore {
  acceptable: boolean;
  score: number;
  scoreLower: number;
  /** S(job→candidate): how well the candidate meets the employer's expectations. */
  employerSatisfaction: number;
  /** S(candidate→job): how well the job meets the candidate's expectations. */
  candidateSatisfaction: number;
  dealbreakers: BrokenDealbreaker[];
}

export interface RankedMatch extends PairScore {
  id: string;
}

/** One side's answer to one criterion in an explanation; null where that side said nothing. */
export interface SideExplanation {
  value: AnswerValue | null;
  accept: AnswerAccept | null;
  importance: Importance | null;
  /** How well the OTHER side's value meets this side's expectation; null when not scored. */
  satisfaction: number | null;
}

export interface CriterionExplanation {
  criterionId: string;
  candidate: SideExplanation;
  employer: SideExplanation;
}

/** An expectation of `side` not fully met, and the weight it cost: w·(1−sat). */
export interface ExpectationGap {
  criterionId: string;
  side: Side;
  weightLost: number;
}

export interface PairExplanation extends PairScore {
  criteria: CriterionExplanation[];
  gaps: ExpectationGap[];
  /** Not acceptable: the criteria that alone keep the pair apart (docs/matching.md#insights-and-what-if). */
  soleBarriers: string[];
}

/** A pair's score together with each side's per-criterion assessments (questionnaire order). */
export interface PairAssessment {
  score: PairScore;
  /** The employer's expectations against the candidate's values. */
  employer: CriterionAssessment[];
  /** The candidate's expectations against the job's values. */
  candidate: CriterionAssessment[];
}
