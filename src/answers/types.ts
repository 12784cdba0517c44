/** One side's validated answers, as stored and as scored (docs/matching.md#answers). */

export const importanceLevels = ['irrelevant', 'little', 'somewhat', 'very', 'dealbreaker'] as const;
export type Importance = (typeof importanceLevels)[number];

export const importanceWeight: Readonly<Record<Importance, number>> = {
  irrelevant: 0,
  little: 1,
  somewhat: 10,
  very: 50,
  dealbreaker: 250,
};

export type Side = 'candidate' | 'employer';

export interface SingleAnswer {
  value?: string;
  accept?: string[];
  importance: Importance;
}

export interface MultiAnswer {
  value?: string[];
  accept?: { mode: 'any' | 'all'; options: string[] };
  importance: Importance;
}

export interface ScaleAnswer {
  value?: number;
  accept?: { min: number; max: number };
  importance: Importance;
}

export interface NumberAnswer {
  value?: number;
  accept?: { min?: number; max?: number };
  importance: Importance;
}

/** Dates are calendar days, ISO `YYYY-MM-DD`. */
export interface DateAnswer {
  value?: string;
  accept?: { from?: string; to?: string };
  importance: Importance;
}

export interface ProfileAnswer {
  value: number[];
  importance: Importance;
}

export type CriterionAnswer =
  | SingleAnswer
  | MultiAnswer
  | ScaleAnswer
  | NumberAnswer
  | DateAnswer
  | ProfileAnswer;

/** criterionId → answer; criteria left out are unanswered. */
export type AnswerSet = Record<string, CriterionAnswer>;

export interface Answers {
  questionnaireId: string;
  questionnaireVersion: number;
  answers: AnswerSet;
}
