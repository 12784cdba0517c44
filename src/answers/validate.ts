import { type AnswerChecks, kindOf } from '../matching/engine/kinds/index.ts';
import type { CriterionDefinition, QuestionnaireDefinition } from '../questionnaires/definition.ts';
import { type Check, describe, isPlainObject, type Report, strictObject } from './checks.ts';
import { type AnswerSet, type CriterionAnswer, type Importance, importanceLevels } from './types.ts';

/**
 * Validates one side's untrusted `answers` object against a questionnaire (docs/matching.md#answers). Plain code rather than zod: every message names the criterion, the offending value and
 * what is allowed, and every problem across all criteria is collected in one pass. Each kind's
 * value and accept checks are the kind's own (src/matching/engine/kinds/).
 */

export interface AnswerProblem {
  path: string;
  message: string;
}

export type AnswerValidation = { ok: true; answers: AnswerSet } | { ok: false; errors: AnswerProblem[] };

const ANSWER_FIELDS = ['value', 'accept', 'importance'] as const;

const MAX_UNKNOWN_CRITERIA = 100;

export function validateAnswerSet(questionnaire: QuestionnaireDefinition, input: unknown): AnswerValidation {
  if (!isPlainObject(input)) {
    return refuse(`answers must be an object keyed by criterion id, got ${describe(input)}`);
  }
  const { criteria } = questionnaire;
  const given = Object.keys(input);
  // Every unknown id is named below; only an absurd number of keys is refused in one line.
  if (given.length > criteria.length + MAX_UNKNOWN_CRITERIA) {
    return refuse(`at most ${criteria.length} answers (one per criterion), got ${given.length}`);
  }

  const known = criterionIds(questionnaire);
  const where = `questionnaire ${questionnaire.id} v${questionnaire.version}`;
  const unknown = given.filter((id) => !known.has(id));
  const groups = [
    unknown.map((id) => ({ path: `answers.${id}`, message: `"${id}" is not a criterion of ${where}` })),
  ];
  const answers: AnswerSet = {};
  let problems: AnswerProblem[] = [];
  const report: Report = (path, message) => problems.push({ path, message });
  for (const criterion of criteria) {
    if (!Object.hasOwn(input, criterion.id)) continue;
    const answer = validateAnswer(criterion, input[criterion.id], `answers.${criterion.id}`, report);
    if (answer) answers[criterion.id] = answer;
    if (problems.length > 0) {
      groups.push(problems);
      problems = [];
    }
  }

  const errors = groups.flatMap((group) => group.sort((a, b) => comparePaths(a.path, b.path)));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, answers };
}

const idsOfQuestionnaire = new WeakMap<QuestionnaireDefinition, Set<string>>();

function criterionIds(questionnaire: QuestionnaireDefinition): Set<string> {
  let ids = idsOfQuestionnaire.get(questionnaire);
  if (!ids) {
    ids = new Set(questionnaire.criteria.map((criterion) => criterion.id));
    idsOfQuestionnaire.set(questionnaire, ids);
  }
  return ids;
}

function refuse(message: string): AnswerValidation {
  return { ok: false, errors: [{ path: 'answers', message }] };
}

function validateAnswer(
  criterion: CriterionDefinition,
  raw: unknown,
  path: string,
  report: Report,
): CriterionAnswer | undefined {
  const fields = strictObject(raw, path, ANSWER_FIELDS, 'an answer', report);
  if (!fields) return undefined;
  const importance = checkImportance(fields.importance, `${path}.importance`, report);

  const checks = checksOf(criterion);
  if (!checks.accept) {
    if (fields.accept !== undefined) {
      report(
        `${path}.accept`,
        `a ${criterion.kind} criterion takes no accept, only a value and an importance`,
      );
    }
    if (fields.value === undefined) {
      report(`${path}.value`, `a ${criterion.kind} criterion needs a value: ${checks.valueWanted}`);
      return undefined;
    }
    const value = checks.value(fields.value, `${path}.value`, report);
    return value !== undefined && importance ? ({ value, importance } as CriterionAnswer) : undefined;
  }

  if (fields.accept === undefined && importance && importance !== 'irrelevant') {
    report(`${path}.accept`, `accept is required when importance is "${importance}" (not irrelevant)`);
  }
  return assemble(fields, path, importance, report, checks.value, checks.accept) as
    | CriterionAnswer
    | undefined;
}

/** A criterion's value and accept checks, built once per criterion (bulk loads validate thousands of sets). */
const checksOfCriterion = new WeakMap<CriterionDefinition, AnswerChecks>();

function checksOf(criterion: CriterionDefinition): AnswerChecks {
  let checks = checksOfCriterion.get(criterion);
  if (!checks) {
    checks = kindOf(criterion.kind).answerChecks(criterion);
    checksOfCriterion.set(criterion, checks);
  }
  return checks;
}

/** Checks the optional `value` and `accept` and keeps only what was given. */
function assemble<V, A>(
  fields: Record<string, unknown>,
  path: string,
  importance: Importance | undefined,
  report: Report,
  checkValue: Check<V>,
  checkAccept: Check<A>,
): { value?: V; accept?: A; importance: Importance } | undefined {
  const value = fields.value === undefined ? undefined : checkValue(fields.value, `${path}.value`, report);
  const accept =
    fields.accept === undefined ? undefined : checkAccept(fields.accept, `${path}.accept`, report);
  if (!importance) return undefined;
  // Built field by field (spreads are slow here): bulk loads validate thousands of sets a request.
  const answer = {} as { value?: V; accept?: A; importance: Importance };
  if (value !== undefined) answer.value = value;
  if (accept !== undefined) answer.accept = accept;
  answer.importance = importance;
  return answer;
}

const checkImportance: Check<Importance> = (raw, path, report) => {
  const importance = importanceLevels.find((level) => level === raw);
  if (importance) return importance;
  const allowed = importanceLevels.join(', ');
  const given = raw === undefined ? 'importance is required' : `${describe(raw)} is not an importance`;
  report(path, `${given}; use one of ${allowed}`);
  return undefined;
};

/** Compares dotted paths segment by segment, list indexes numerically. */
function comparePaths(a: string, b: string): number {
  const left = a.split('.');
  const right = b.split('.');
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const [x, y] = [left[i]!, right[i]!];
    if (x === y) continue;
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}
