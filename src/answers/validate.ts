import type { CriterionDefinition, QuestionnaireDefinition } from '../questionnaires/definition.ts';
import { type AnswerSet, type CriterionAnswer, type Importance, importanceLevels } from './types.ts';

/**
 * Validates one side's untrusted `answers` object against a questionnaire (docs/matching.md#answers). Plain code rather than zod: every message names the criterion, the offending value and
 * what is allowed, and every problem across all criteria is collected in one pass.
 */

export interface AnswerProblem {
  path: string;
  message: string;
}

export type AnswerValidation = { ok: true; answers: AnswerSet } | { ok: false; errors: AnswerProblem[] };

type Report = (path: string, message: string) => void;
type Check<T> = (raw: unknown, path: string, report: Report) => T | undefined;
type Criterion<K extends CriterionDefinition['kind']> = Extract<CriterionDefinition, { kind: K }>;

const RATING_MIN = 1;
const RATING_MAX = 5;
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

  if (criterion.kind === 'profile') {
    if (fields.accept !== undefined) {
      report(`${path}.accept`, 'a profile criterion takes no accept, only a value and an importance');
    }
    if (fields.value === undefined) {
      report(`${path}.value`, `a profile criterion needs a value: ${ratingsWanted(criterion)}`);
      return undefined;
    }
    const value = checksOf(criterion).value(fields.value, `${path}.value`, report) as number[] | undefined;
    return value && importance ? { value, importance } : undefined;
  }

  if (fields.accept === undefined && importance && importance !== 'irrelevant') {
    report(`${path}.accept`, `accept is required when importance is "${importance}" (not irrelevant)`);
  }
  const checks = checksOf(criterion);
  return assemble(fields, path, importance, report, checks.value, checks.accept) as
    | CriterionAnswer
    | undefined;
}

/** A criterion's value and accept checks, built once per criterion (bulk loads validate thousands of sets). */
const checksOfCriterion = new WeakMap<
  CriterionDefinition,
  { value: Check<unknown>; accept: Check<unknown> }
>();

function checksOf(criterion: CriterionDefinition) {
  let checks = checksOfCriterion.get(criterion);
  if (!checks) {
    checks = buildChecks(criterion);
    checksOfCriterion.set(criterion, checks);
  }
  return checks;
}

function buildChecks(criterion: CriterionDefinition): { value: Check<unknown>; accept: Check<unknown> } {
  switch (criterion.kind) {
    case 'single':
      return { value: oneOption(criterion), accept: optionList(criterion) };
    case 'multi':
      return { value: optionList(criterion), accept: multiAccept(criterion) };
    case 'scale':
      return { value: step(criterion), accept: stepRange(criterion) };
    case 'number':
      return { value: amount(criterion), accept: amountRange(criterion) };
    case 'profile':
      return { value: ratings(criterion), accept: () => undefined };
  }
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

function oneOption(criterion: Criterion<'single' | 'multi'>): Check<string> {
  const ids = new Set(criterion.options.map((option) => option.id));
  return (raw, path, report) => {
    if (typeof raw === 'string' && ids.has(raw)) return raw;
    const known = [...ids].join(', ');
    report(path, `${describe(raw)} is not an option of criterion ${criterion.id}; options are: ${known}`);
    return undefined;
  };
}

/** A non-empty list of distinct option ids. */
function optionList(criterion: Criterion<'single' | 'multi'>): Check<string[]> {
  const ids = criterion.options.map((option) => option.id);
  const option = oneOption(criterion);
  return (raw, path, report) => {
    if (!Array.isArray(raw) || raw.length === 0) {
      report(path, `expected a non-empty list of options (${ids.join(', ')}), got ${describe(raw)}`);
      return undefined;
    }
    if (raw.length > ids.length) report(path, `lists ${raw.length} options; there are only ${ids.length}`);
    const seen = new Set<string>();
    raw.slice(0, ids.length).forEach((item, index) => {
      const id = option(item, `${path}.${index}`, report);
      if (id !== undefined && seen.has(id)) report(`${path}.${index}`, `"${id}" is listed more than once`);
      if (id !== undefined) seen.add(id);
    });
    return raw.filter((item): item is string => typeof item === 'string');
  };
}

function multiAccept(criterion: Criterion<'multi'>): Check<{ mode: 'any' | 'all'; options: string[] }> {
  const options = optionList(criterion);
  return (raw, path, report) => {
    const fields = strictObject(raw, path, ['mode', 'options'], 'accept', report);
    if (!fields) return undefined;
    const mode = fields.mode === 'any' || fields.mode === 'all' ? fields.mode : undefined;
    if (!mode) report(`${path}.mode`, `mode must be "any" or "all", got ${describe(fields.mode)}`);
    const list = options(fields.options, `${path}.options`, report);
    return mode && list ? { mode, options: list } : undefined;
  };
}

function step(criterion: Criterion<'scale'>): Check<number> {
  return (raw, path, report) => integerIn(raw, path, 0, criterion.steps.length - 1, 'step', report);
}

function stepRange(criterion: Criterion<'scale'>): Check<{ min: number; max: number }> {
  const last = criterion.steps.length - 1;
  return (raw, path, report) => {
    const fields = strictObject(raw, path, ['min', 'max'], 'accept', report);
    if (!fields) return undefined;
    const bound = (key: 'min' | 'max') => {
      if (fields[key] !== undefined) return integerIn(fields[key], `${path}.${key}`, 0, last, 'step', report);
      report(`${path}.${key}`, `${key} is required: a step 0..${last}`);
      return undefined;
    };
    const [min, max] = [bound('min'), bound('max')];
    if (min === undefined || max === undefined) return undefined;
    if (min > max) report(path, `min step ${min} is above max step ${max}`);
    return { min, max };
  };
}

function amount(criterion: Criterion<'number'>): Check<number> {
  const { min, max } = criterion.range;
  return (raw, path, report) => {
    if (typeof raw !== 'number' || !Number.isFinite(raw)) {
      report(path, `expected a number ${min}..${max}, got ${describe(raw)}`);
      return undefined;
    }
    if (raw < min || raw > max) report(path, `${raw} is out of range ${min}..${max}`);
    return raw;
  };
}

function amountRange(criterion: Criterion<'number'>): Check<{ min?: number; max?: number }> {
  const bound = amount(criterion);
  return (raw, path, report) => {
    const fields = strictObject(raw, path, ['min', 'max'], 'accept', report);
    if (!fields) return undefined;
    if (fields.min === undefined && fields.max === undefined) {
      report(path, 'give at least one bound: min, max or both');
      return undefined;
    }
    const min = fields.min === undefined ? undefined : bound(fields.min, `${path}.min`, report);
    const max = fields.max === undefined ? undefined : bound(fields.max, `${path}.max`, report);
    if (min !== undefined && max !== undefined && min > max) report(path, `min ${min} is above max ${max}`);
    const range: { min?: number; max?: number } = {};
    if (min !== undefined) range.min = min;
    if (max !== undefined) range.max = max;
    return range;
  };
}

function ratings(criterion: Criterion<'profile'>): Check<number[]> {
  const count = criterion.dimensions.length;
  return (raw, path, report) => {
    if (!Array.isArray(raw)) {
      report(path, `expected ${ratingsWanted(criterion)}, got ${describe(raw)}`);
      return undefined;
    }
    if (raw.length !== count) report(path, `expected ${ratingsWanted(criterion)}, got ${raw.length}`);
    raw.slice(0, count).forEach((item, index) => {
      integerIn(item, `${path}.${index}`, RATING_MIN, RATING_MAX, 'rating', report);
    });
    return raw.filter((item): item is number => typeof item === 'number');
  };
}

function ratingsWanted(criterion: Criterion<'profile'>): string {
  const dimensions = criterion.dimensions.map((dimension) => dimension.id).join(', ');
  return `${criterion.dimensions.length} ratings ${RATING_MIN}..${RATING_MAX}, one per dimension (${dimensions})`;
}

function integerIn(raw: unknown, path: string, min: number, max: number, noun: string, report: Report) {
  if (typeof raw !== 'number' || !Number.isInteger(raw)) {
    report(path, `expected a whole-number ${noun} ${min}..${max}, got ${describe(raw)}`);
    return undefined;
  }
  if (raw < min || raw > max) report(path, `${noun} ${raw} is out of range ${min}..${max}`);
  return raw;
}

/** A plain object whose every key is allowed; each unknown key is its own problem. */
function strictObject(raw: unknown, path: string, allowed: readonly string[], what: string, report: Report) {
  if (!isPlainObject(raw)) {
    report(path, `${what} must be an object with ${allowed.join(', ')}, got ${describe(raw)}`);
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key))
      report(`${path}.${key}`, `unknown field "${key}"; allowed: ${allowed.join(', ')}`);
  }
  return raw;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A short, safe rendering of an untrusted value for a message. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

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
