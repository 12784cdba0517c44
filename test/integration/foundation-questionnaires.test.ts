import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, plainRequests, useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { expectTracedProblem } from '../support/factories.ts';

describe.each(availableDatabaseKinds())('questionnaire routes on %s', (kind) => {
  const t = useTestApp({ kind });
  const { get } = plainRequests(t);

  it('lists work-fit and mini', async () => {
    const response = await get('/v1/questionnaires', ADMIN_KEY);
    expect(response.statusCode).toBe(200);
    const ids = response.json().questionnaires.map((q: { id: string }) => q.id);
    expect(ids).toEqual(expect.arrayContaining(['work-fit', 'mini']));
  });

  it('serves work-fit in nl and fr with texts that differ from en', async () => {
    const [en, nl, fr] = await Promise.all(
      ['en', 'nl', 'fr'].map(async (locale) => {
        const response = await get(`/v1/questionnaires/work-fit?locale=${locale}`, ADMIN_KEY);
        expect(response.statusCode).toBe(200);
        return response.json().questionnaire;
      }),
    );
    expect(nl.locale).toBe('nl');
    expect(fr.locale).toBe('fr');
    for (const other of [nl, fr]) {
      expect(other.title).toMatch(/\S/);
      expect(other.title).not.toBe(en.title);
      expect(other.criteria).toHaveLength(en.criteria.length);
      expect(other.criteria[0].candidate.prompt).toMatch(/\S/);
      expect(other.criteria[0].candidate.prompt).not.toBe(en.criteria[0].candidate.prompt);
      expect(other.criteria[0].options[0].label).not.toBe(en.criteria[0].options[0].label);
    }
    expect(nl.criteria[0].candidate.prompt).not.toBe(fr.criteria[0].candidate.prompt);
  });

  it('gives every criterion the wire shape of its kind', async () => {
    const response = await get('/v1/questionnaires/work-fit', ADMIN_KEY);
    const { questionnaire } = response.json();
    expect(questionnaire).toMatchObject({ id: 'work-fit', version: 1, locale: 'en' });
    const labelled = { id: expect.any(String), label: expect.stringMatching(/\S/) };
    const prompt = expect.stringMatching(/\S/);
    const shapeFields = ['options', 'steps', 'range', 'dimensions'];
    const own: Record<string, string> = {
      single: 'options',
      multi: 'options',
      scale: 'steps',
      number: 'range',
      profile: 'dimensions',
    };
    for (const criterion of questionnaire.criteria) {
      expect(criterion).toMatchObject({ id: expect.any(String), title: prompt });
      const field = own[criterion.kind];
      expect(field, `kind of ${criterion.id}`).toBeDefined();
      for (const other of shapeFields.filter((f) => f !== field)) expect(criterion).not.toHaveProperty(other);
      if (criterion.kind === 'single' || criterion.kind === 'multi') {
        expect(criterion.options.length).toBeGreaterThanOrEqual(2);
        for (const option of criterion.options) expect(option).toEqual(labelled);
      } else if (criterion.kind === 'scale') {
        expect(criterion.steps.length).toBeGreaterThanOrEqual(2);
        for (const step of criterion.steps) expect(step).toEqual({ label: prompt });
        expect(criterion.tolerance).toEqual(expect.any(Number));
      } else if (criterion.kind === 'number') {
        expect(criterion.range.min).toBeLessThan(criterion.range.max);
        expect(criterion.toleranceRatio).toBeGreaterThan(0);
      } else {
        expect(criterion.dimensions.length).toBeGreaterThanOrEqual(2);
        for (const dimension of criterion.dimensions) expect(dimension).toEqual(labelled);
      }
      for (const side of ['candidate', 'employer']) {
        expect(criterion[side].prompt).toEqual(prompt);
        if (criterion.kind !== 'profile') expect(criterion[side].acceptPrompt).toEqual(prompt);
      }
    }
  });

  it('answers 400 unsupported_locale naming the supported locales', async () => {
    const response = await get('/v1/questionnaires/work-fit?locale=de', ADMIN_KEY);
    const problem = expectTracedProblem(response, 400, 'unsupported_locale');
    expect(problem.detail).toContain('en, nl, fr');
  });

  it('answers 404 not_found for an unknown questionnaire', async () => {
    expectTracedProblem(await get('/v1/questionnaires/no-such-thing', ADMIN_KEY), 404, 'not_found');
    expectTracedProblem(await get('/v1/questionnaires/work-fit?version=99', ADMIN_KEY), 404, 'not_found');
  });

  it('answers 400 validation_failed naming version for ?version=abc', async () => {
    const response = await get('/v1/questionnaires/work-fit?version=abc', ADMIN_KEY);
    const problem = expectTracedProblem(response, 400, 'validation_failed');
    expect(problem.errors?.[0]?.path).toContain('version');
  });

  it('answers 401 for questionnaires without a key', async () => {
    expectTracedProblem(await get('/v1/questionnaires'), 401, 'unauthorized');
  });
});
