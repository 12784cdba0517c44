import type { FieldProblem } from '../http/errors.ts';
import type { QuestionnaireDefinition } from '../questionnaires/definition.ts';
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
  const questionnaire = questionnaireOf(questionnaires, questionnaireId, questionnaireVersion);
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
    return { ok: false, detail: describeProblems(result.errors), errors: result.errors };
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

/** The questionnaire an answer set names: the version given, or the latest. */
export function questionnaireOf(
  questionnaires: QuestionnaireCatalog,
  id: string,
  version: number | undefined,
): QuestionnaireDefinition | undefined {
  return version === undefined ? questionnaires.latest(id) : questionnaires.get(id, version);
}

/**
 * The detail of a refused answer set: the criteria its problems name (`answers.<id>…`), or, for a
 * refusal of the whole set (path `answers`: not an object, too many keys), that refusal's own words.
 */
function describeProblems(errors: FieldProblem[]): string {
  const criterionOf = (e: FieldProblem) => e.path.split('.')[1];
  const parts = errors.filter((e) => !criterionOf(e)).map((e) => e.message);
  const criteria = [...new Set(errors.map(criterionOf).filter(Boolean))];
  if (criteria.length > 0) {
    const noun = criteria.length === 1 ? 'criterion' : 'criteria';
    parts.push(`invalid answers for ${criteria.length} ${noun}: ${criteria.join(', ')}`);
  }
  const text = parts.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}
