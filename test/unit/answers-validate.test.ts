import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnswerValidation, validateAnswerSet } from '../../src/answers/validate.ts';
import { questionnaireDefinition } from '../../src/questionnaires/definition.ts';
import { sameJson } from '../support/same-json.ts';

const en = (text: string) => ({ en: text });
const sides = (accept: boolean) => {
  const side = { prompt: en('About you?'), ...(accept ? { acceptPrompt: en('About them?') } : {}) };
  return { candidate: side, employer: side };
};
const options = (...ids: string[]) => ids.map((id) => ({ id, label: en(id) }));

const questionnaire = questionnaireDefinition.parse({
  id: 'test-fit',
  version: 1,
  locales: ['en'],
  defaultLocale: 'en',
  title: en('Test fit'),
  criteria: [
    {
      id: 'contract',
      kind: 'single',
      title: en('Contract'),
      ...sides(true),
      options: options('permanent', 'fixed-term', 'freelance'),
    },
    {
      id: 'languages',
      kind: 'multi',
      title: en('Languages'),
      ...sides(true),
      options: options('en', 'nl', 'fr', 'de'),
    },
    {
      id: 'autonomy',
      kind: 'scale',
      title: en('Autonomy'),
      ...sides(true),
      steps: ['none', 'little', 'some', 'much', 'full'].map((label) => ({ label: en(label) })),
    },
    { id: 'salary', kind: 'number', title: en('Salary'), ...sides(true), range: { min: 0, max: 200000 } },
    { id: 'start', kind: 'date', title: en('Start date'), ...sides(true) },
    {
      id: 'values',
      kind: 'profile',
      title: en('Values'),
      ...sides(false),
      dimensions: options('care', 'craft', 'pace'),
    },
  ],
});

const valid = {
  contract: { value: 'permanent', accept: ['permanent', 'fixed-term'], importance: 'very' },
  languages: { value: ['en', 'nl'], accept: { mode: 'any', options: ['nl'] }, importance: 'dealbreaker' },
  autonomy: { value: 3, accept: { min: 2, max: 4 }, importance: 'somewhat' },
  salary: { value: 52000, accept: { min: 45000 }, importance: 'little' },
  start: { value: '2026-09-01', accept: { from: '2026-08-15', to: '2026-10-31' }, importance: 'very' },
  values: { value: [5, 3, 1], importance: 'somewhat' },
};

function errorsOf(result: AnswerValidation) {
  if (result.ok) throw new Error('expected the validation to fail');
  return result.errors;
}

/** Validates the valid set with one criterion's answer replaced. */
function withAnswer(id: string, answer: unknown) {
  return errorsOf(validateAnswerSet(questionnaire, { ...valid, [id]: answer }));
}

const paths = (errors: { path: string }[]) => errors.map((error) => error.path);

describe('validateAnswerSet', () => {
  it('accepts a complete valid set and normalizes it in criterion order', () => {
    const reversed = Object.fromEntries(Object.entries(valid).reverse());
    const result = validateAnswerSet(questionnaire, reversed);
    expect(result).toEqual({ ok: true, answers: valid });
    if (result.ok) expect(Object.keys(result.answers)).toEqual(questionnaire.criteria.map((c) => c.id));
  });

  it('accepts an empty set and answers without a value', () => {
    expect(validateAnswerSet(questionnaire, {})).toEqual({ ok: true, answers: {} });
    const result = validateAnswerSet(questionnaire, {
      contract: { accept: ['freelance'], importance: 'little' },
    });
    expect(result).toEqual({
      ok: true,
      answers: { contract: { accept: ['freelance'], importance: 'little' } },
    });
  });

  it('refuses input that is not a plain object', () => {
    for (const input of [null, [], 'answers', 3]) {
      expect(paths(errorsOf(validateAnswerSet(questionnaire, input)))).toEqual(['answers']);
    }
  });

  it('names every unknown criterion when there are more keys than criteria', () => {
    const input = { ...valid, a: {}, b: {} };
    expect(paths(errorsOf(validateAnswerSet(questionnaire, input)))).toEqual(['answers.a', 'answers.b']);
  });

  it('refuses an absurd number of keys in one problem', () => {
    const input = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`c${i}`, {}]));
    const [error] = errorsOf(validateAnswerSet(questionnaire, input));
    expect(error).toEqual({ path: 'answers', message: 'at most 6 answers (one per criterion), got 200' });
  });

  it('refuses an unknown criterion, naming it', () => {
    const errors = errorsOf(validateAnswerSet(questionnaire, { remote: { importance: 'very' } }));
    expect(errors).toEqual([{ path: 'answers.remote', message: expect.stringContaining('"remote"') }]);
  });

  it('refuses an unknown field in an answer', () => {
    const errors = withAnswer('contract', { ...valid.contract, weight: 3 });
    expect(errors).toEqual([
      { path: 'answers.contract.weight', message: expect.stringContaining('unknown field') },
    ]);
  });

  it('requires a known importance', () => {
    expect(paths(withAnswer('contract', { value: 'permanent', accept: ['permanent'] }))).toEqual([
      'answers.contract.importance',
    ]);
    const [error] = withAnswer('contract', { ...valid.contract, importance: 'huge' });
    expect(error?.message).toContain('"huge" is not an importance');
  });

  it('requires accept unless the importance is irrelevant', () => {
    const errors = withAnswer('autonomy', { value: 2, importance: 'very' });
    expect(errors).toEqual([{ path: 'answers.autonomy.accept', message: expect.stringContaining('"very"') }]);
    const without = validateAnswerSet(questionnaire, { autonomy: { value: 2, importance: 'irrelevant' } });
    expect(without).toEqual({ ok: true, answers: { autonomy: { value: 2, importance: 'irrelevant' } } });
    const kept = { value: 2, accept: { min: 0, max: 1 }, importance: 'irrelevant' };
    expect(validateAnswerSet(questionnaire, { autonomy: kept })).toEqual({
      ok: true,
      answers: { autonomy: kept },
    });
    expect(paths(withAnswer('autonomy', { accept: { min: 0, max: 9 }, importance: 'irrelevant' }))).toEqual([
      'answers.autonomy.accept.max',
    ]);
  });

  describe('single', () => {
    it('refuses a value that is not an option, listing the options', () => {
      const errors = withAnswer('contract', { ...valid.contract, value: 'remote' });
      expect(errors).toEqual([
        {
          path: 'answers.contract.value',
          message:
            '"remote" is not an option of criterion contract; options are: permanent, fixed-term, freelance',
        },
      ]);
    });

    it('refuses an empty accept, unknown options and duplicates', () => {
      expect(paths(withAnswer('contract', { ...valid.contract, accept: [] }))).toEqual([
        'answers.contract.accept',
      ]);
      const errors = withAnswer('contract', { ...valid.contract, accept: ['permanent', 'gig', 'permanent'] });
      expect(errors).toEqual([
        { path: 'answers.contract.accept.1', message: expect.stringContaining('"gig" is not an option') },
        { path: 'answers.contract.accept.2', message: '"permanent" is listed more than once' },
      ]);
    });
  });

  describe('multi', () => {
    it('refuses an empty value and duplicate options', () => {
      expect(paths(withAnswer('languages', { ...valid.languages, value: [] }))).toEqual([
        'answers.languages.value',
      ]);
      expect(paths(withAnswer('languages', { ...valid.languages, value: ['en', 'en'] }))).toEqual([
        'answers.languages.value.1',
      ]);
    });

    it('checks the accept mode and options', () => {
      const errors = withAnswer('languages', {
        ...valid.languages,
        accept: { mode: 'most', options: ['xx'] },
      });
      expect(paths(errors)).toEqual(['answers.languages.accept.mode', 'answers.languages.accept.options.0']);
      expect(paths(withAnswer('languages', { ...valid.languages, accept: ['en'] }))).toEqual([
        'answers.languages.accept',
      ]);
      const extra = withAnswer('languages', {
        ...valid.languages,
        accept: { mode: 'all', options: ['fr'], x: 1 },
      });
      expect(paths(extra)).toEqual(['answers.languages.accept.x']);
    });
  });

  describe('scale', () => {
    it('refuses a step out of range or not whole', () => {
      expect(withAnswer('autonomy', { ...valid.autonomy, value: 7 })).toEqual([
        { path: 'answers.autonomy.value', message: 'step 7 is out of range 0..4' },
      ]);
      expect(paths(withAnswer('autonomy', { ...valid.autonomy, value: 1.5 }))).toEqual([
        'answers.autonomy.value',
      ]);
    });

    it('refuses min above max and a missing bound', () => {
      expect(withAnswer('autonomy', { ...valid.autonomy, accept: { min: 3, max: 1 } })).toEqual([
        { path: 'answers.autonomy.accept', message: 'min step 3 is above max step 1' },
      ]);
      expect(paths(withAnswer('autonomy', { ...valid.autonomy, accept: { min: 1 } }))).toEqual([
        'answers.autonomy.accept.max',
      ]);
    });
  });

  describe('number', () => {
    it('refuses a value out of range or not finite', () => {
      expect(withAnswer('salary', { ...valid.salary, value: 250000 })).toEqual([
        { path: 'answers.salary.value', message: '250000 is out of range 0..200000' },
      ]);
      expect(paths(withAnswer('salary', { ...valid.salary, value: Number.NaN }))).toEqual([
        'answers.salary.value',
      ]);
      expect(paths(withAnswer('salary', { ...valid.salary, value: '52000' }))).toEqual([
        'answers.salary.value',
      ]);
    });

    it('needs at least one bound in accept, each within range and in order', () => {
      expect(withAnswer('salary', { ...valid.salary, accept: {} })).toEqual([
        { path: 'answers.salary.accept', message: 'give at least one bound: min, max or both' },
      ]);
      expect(paths(withAnswer('salary', { ...valid.salary, accept: { min: -5 } }))).toEqual([
        'answers.salary.accept.min',
      ]);
      expect(paths(withAnswer('salary', { ...valid.salary, accept: { min: 60000, max: 50000 } }))).toEqual([
        'answers.salary.accept',
      ]);
    });
  });

  describe('date', () => {
    it('takes calendar dates YYYY-MM-DD only', () => {
      expect(withAnswer('start', { ...valid.start, value: '2026-02-29' })).toEqual([
        { path: 'answers.start.value', message: 'expected a calendar date YYYY-MM-DD, got "2026-02-29"' },
      ]);
      for (const value of ['2026-9-1', '01/09/2026', 20260901, '2026-09-01T00:00:00Z']) {
        expect(paths(withAnswer('start', { ...valid.start, value }))).toEqual(['answers.start.value']);
      }
      expect(
        validateAnswerSet(questionnaire, { ...valid, start: { ...valid.start, value: '2028-02-29' } }).ok,
      ).toBe(true);
    });

    it('needs at least one bound in accept, each a date and in order', () => {
      expect(withAnswer('start', { ...valid.start, accept: {} })).toEqual([
        { path: 'answers.start.accept', message: 'give at least one bound: from, to or both' },
      ]);
      expect(paths(withAnswer('start', { ...valid.start, accept: { from: 'soon' } }))).toEqual([
        'answers.start.accept.from',
      ]);
      expect(
        withAnswer('start', { ...valid.start, accept: { from: '2026-10-01', to: '2026-09-01' } }),
      ).toEqual([{ path: 'answers.start.accept', message: 'from 2026-10-01 is after to 2026-09-01' }]);
      expect(paths(withAnswer('start', { ...valid.start, accept: { min: '2026-10-01' } }))).toEqual([
        'answers.start.accept',
        'answers.start.accept.min',
      ]);
    });
  });

  describe('profile', () => {
    it('requires a value of exactly one rating per dimension', () => {
      expect(paths(withAnswer('values', { importance: 'very' }))).toEqual(['answers.values.value']);
      const [error] = withAnswer('values', { value: [1, 2], importance: 'very' });
      expect(error).toEqual({
        path: 'answers.values.value',
        message: 'expected 3 ratings 1..5, one per dimension (care, craft, pace), got 2',
      });
    });

    it('refuses a rating outside 1..5', () => {
      expect(withAnswer('values', { value: [1, 6, 3], importance: 'very' })).toEqual([
        { path: 'answers.values.value.1', message: 'rating 6 is out of range 1..5' },
      ]);
    });

    it('refuses an accept', () => {
      const errors = withAnswer('values', { ...valid.values, accept: { min: 1 } });
      expect(errors).toEqual([
        { path: 'answers.values.accept', message: expect.stringContaining('no accept') },
      ]);
    });
  });

  it('reports every problem of every criterion, in criterion order then by path', () => {
    const errors = errorsOf(
      validateAnswerSet(questionnaire, {
        values: { value: [9, 1, 1], importance: 'very' },
        salary: { value: -1, importance: 'somewhat' },
        contract: { value: 'gig', accept: ['permanent'], importance: 'often' },
        nope: { importance: 'very' },
      }),
    );
    expect(paths(errors)).toEqual([
      'answers.nope',
      'answers.contract.importance',
      'answers.contract.value',
      'answers.salary.accept',
      'answers.salary.value',
      'answers.values.value.0',
    ]);
  });

  // The bulk ingest stores an accepted line's answers as the bytes it sent, with no compare
  // (src/profiles/bulk-lines.ts): that holds only while no check rewrites what it accepts.
  it('accept a set only as it was given: the same JSON value, whatever was near valid in it', () => {
    const odd = fc.constantFrom<unknown>(
      null,
      true,
      0,
      -1,
      2.5,
      1e6,
      '',
      'x',
      'nl',
      'permanent',
      '2026-02-29',
      [],
      ['en', 'en'],
      [1, 2, 3],
      {},
    );
    const near = (value: unknown): fc.Arbitrary<unknown> =>
      Array.isArray(value)
        ? fc.oneof(
            { weight: 30, arbitrary: fc.constant(value) },
            fc.shuffledSubarray(value),
            fc.array(fc.oneof(...value.map((v) => fc.constant(v)), odd), { maxLength: 5 }),
            odd,
          )
        : value !== null && typeof value === 'object'
          ? fc.oneof(
              { weight: 2, arbitrary: fc.constant(value) },
              { weight: 6, arbitrary: nearObject(value as Record<string, unknown>) },
              odd,
            )
          : fc.oneof({ weight: 30, arbitrary: fc.constant(value) }, odd);
    const nearObject = (object: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> =>
      fc
        .tuple(
          fc.tuple(
            ...Object.entries(object).map(([key, value]) =>
              fc.tuple(fc.constant(key), fc.option(near(value), { freq: 20, nil: undefined })),
            ),
          ),
          fc.oneof(
            { weight: 30, arbitrary: fc.constant(undefined) },
            fc.tuple(fc.constantFrom('extra', 'min', 'mode', 'value'), odd),
          ),
          fc.boolean(),
        )
        .map(([entries, extra, reversed]) => {
          const kept = entries.filter(([, value]) => value !== undefined);
          if (extra) kept.push(extra);
          return Object.fromEntries(reversed ? kept.reverse() : kept);
        });
    let accepted = 0;
    fc.assert(
      fc.property(nearObject(valid), (given) => {
        const sent = JSON.parse(JSON.stringify(given));
        const result = validateAnswerSet(questionnaire, sent);
        if (!result.ok) return;
        accepted++;
        expect(sameJson(result.answers, sent)).toBe(true);
        expect(sent).toEqual(JSON.parse(JSON.stringify(given)));
      }),
      { numRuns: 2000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });
});
