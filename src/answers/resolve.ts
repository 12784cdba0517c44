import type { FieldProblem } from '../http/errors.ts';
import type { QuestionnaireCatalog } from '../questionnaires/loader.ts';
import type { AnswerSet } from './types.ts';
import { validateAnswerSet } from './validate.ts';

export interface AnswersInput {
  questionnaireId: string;
  questionnaireVersion?: number | undefined;
  answers: unknown;
}

export type ResolvedAnswers =
  | { ok: true; value: { questionnaireId: string; questionnaireVersion: number; answers: AnswerSet } }
  | { ok: false; detail: string; errors: FieldProblem[] };

/** Finds the questionnaire an answer set is for and validates the set against it. */
export function resolveAnswers(questionnaires: QuestionnaireCatalog, input: AnswersInput): ResolvedAnswers {
  const { questionnaireId, questionnaireVersion } = input;
  const questionnaire =
    questionnaireVersion === undefined
      ? questionnaires.latest(questionnaireId)
      : questionnaires.get(questionnaireId, questionnaireVersion);
  if (!questionnaire) {
    const which =
      questionnaireVersion === undefined ? questionnaireId : `${questionnaireId} v${questionnaireVersion}`;
    return {
      ok: false,
      detail: `Questionnaire ${which} does not exist.`,
      errors: [{ path: 'questionnaireId', message: `no questionnaire ${which}` }],
    };
  }
  const result = validateAnswerSet(questionnaire, input.answers);
  if (!result.ok) {
    const criteria = [...new Set(result.errors.map((e) => e.path.split('.')[1]).filter(Boolean))];
    return {
      ok: false,
      detail: `Invalid answers for ${criteria.length} criteri${criteria.length === 1 ? 'on' : 'a'}: ${criteria.join(', ')}.`,
      errors: result.errors,
    };
  }
  return {
    ok: true,
    value: {
      questionnaireId: questionnaire.id,
      questionnaireVersion: questionnaire.version,
      answers: result.answers,
    },
  };
}
