import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import {
  type Caller,
  caller,
  createCandidate,
  createEmployer,
  createJob,
  createWorkspace,
  expectProblem,
  miniAnswers,
  mintKey,
} from '../support/factories.ts';

/** The criterion each problem is about: `answers.<criterion>.…` */
const criteriaNamed = (errors: { path: string }[] | undefined) =>
  [...new Set((errors ?? []).map((error) => error.path.split('.')[1]))].sort();

describe.each(availableDatabaseKinds())('answers on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ kind });
  });
  afterAll(() => t.close());

  /** A fresh workspace with one job and one candidate; `side` picks whose answers a test uses. */
  async function subjects() {
    const { adminKey, admin } = await createWorkspace(t.app);
    const employer = await createEmployer(t.app, adminKey);
    const job = await createJob(t.app, adminKey, employer.id);
    const candidate = await createCandidate(t.app, adminKey);
    return { adminKey, admin, employer, job, candidate };
  }

  const sides = [
    ['job', (s: Awaited<ReturnType<typeof subjects>>) => `/v1/jobs/${s.job.id}/answers`],
    ['candidate', (s: Awaited<ReturnType<typeof subjects>>) => `/v1/candidates/${s.candidate.id}/answers`],
  ] as const;

  describe.each(sides)('of a %s', (side, answersUrl) => {
    it('answers 404 not_found before any answers were given', async () => {
      const s = await subjects();
      const problem = expectProblem(await s.admin.get(answersUrl(s)), 404, 'not_found');
      const id = side === 'job' ? s.job.id : s.candidate.id;
      expect(problem.detail).toBe(`${side === 'job' ? 'Job' : 'Candidate'} ${id} has no answers`);
    });

    it('stores a valid set against the latest questionnaire version and returns it', async () => {
      const s = await subjects();
      const body = miniAnswers();
      const put = await s.admin.put(answersUrl(s), body);
      expect(put.statusCode, put.body).toBe(200);
      expect(put.json().answers).toMatchObject({ questionnaireId: 'mini', questionnaireVersion: 1 });
      const got = await s.admin.get(answersUrl(s));
      expect(got.statusCode).toBe(200);
      expect(got.json().answers).toMatchObject({ questionnaireId: 'mini', questionnaireVersion: 1 });
      expect(got.json().answers.answers).toEqual(body.answers);
    });

    it('replaces the whole previous set with a new one', async () => {
      const s = await subjects();
      expect((await s.admin.put(answersUrl(s), miniAnswers())).statusCode).toBe(200);
      const next = {
        questionnaireId: 'mini',
        answers: { remote: { value: 2, accept: { min: 1, max: 2 }, importance: 'very' } },
      };
      expect((await s.admin.put(answersUrl(s), next)).statusCode).toBe(200);
      expect((await s.admin.get(answersUrl(s))).json().answers.answers).toEqual(next.answers);
    });

    it('answers 422 invalid_answers naming every invalid criterion, and keeps the previous set', async () => {
      const s = await subjects();
      const previous = miniAnswers();
      expect((await s.admin.put(answersUrl(s), previous)).statusCode).toBe(200);
      const bad = {
        questionnaireId: 'mini',
        answers: {
          contract: { value: 'zero-hours', accept: ['permanent'], importance: 'very' },
          languages: { value: ['nl'], importance: 'somewhat' },
          remote: { value: 3, accept: { min: 0, max: 1 }, importance: 'little' },
          salary: { value: 25_000, accept: { max: 4000 }, importance: 'very' },
          'shoe-size': { value: 44, importance: 'little' },
        },
      };
      const problem = expectProblem(await s.admin.put(answersUrl(s), bad), 422, 'invalid_answers');
      expect(criteriaNamed(problem.errors)).toEqual([
        'contract',
        'languages',
        'remote',
        'salary',
        'shoe-size',
      ]);
      expect(problem.errors?.map((error) => error.path)).toEqual(
        expect.arrayContaining([
          'answers.contract.value',
          'answers.languages.accept',
          'answers.remote.value',
          'answers.salary.value',
          'answers.shoe-size',
        ]),
      );
      expect((await s.admin.get(answersUrl(s))).json().answers.answers).toEqual(previous.answers);
    });

    it('stores nothing at all when the first set given is invalid', async () => {
      const s = await subjects();
      const bad = { questionnaireId: 'mini', answers: { remote: { value: -1, importance: 'irrelevant' } } };
      expectProblem(await s.admin.put(answersUrl(s), bad), 422, 'invalid_answers');
      expectProblem(await s.admin.get(answersUrl(s)), 404, 'not_found');
    });
  });

  describe('storage', () => {
    it('keeps the answers as sent, and drops the packed index row when a hand-written update changes them', async () => {
      const s = await subjects();
      const { answers: sent } = miniAnswers();
      const put = await s.admin.put(`/v1/candidates/${s.candidate.id}/answers`, miniAnswers());
      expect(put.statusCode, put.body).toBe(200);
      const rowOf = async () => {
        const result = await t.database.db.execute(
          sql`select answers::text as text, index_row is not null as packed from answer_sets where candidate_id = ${s.candidate.id}`,
        );
        return (result as unknown as { rows: { text: string; packed: boolean }[] }).rows[0]!;
      };
      const stored = await rowOf();
      expect(JSON.parse(stored.text)).toEqual(sent);
      expect(stored.packed).toBe(true);

      await t.database.db.execute(
        sql`update answer_sets set index_layout = index_layout where candidate_id = ${s.candidate.id}`,
      );
      expect((await rowOf()).packed).toBe(true);
      await t.database.db.execute(
        sql`update answer_sets set answers = ${JSON.stringify({ ...sent, extra: 1 })}::json where candidate_id = ${s.candidate.id}`,
      );
      expect((await rowOf()).packed).toBe(false);
    });
  });

  describe('validation', () => {
    async function put(answers: Record<string, unknown>, extra: Record<string, unknown> = {}) {
      const s = await subjects();
      return s.admin.put(`/v1/candidates/${s.candidate.id}/answers`, {
        questionnaireId: 'mini',
        answers,
        ...extra,
      });
    }

    it.each([
      [
        'an option id that does not exist',
        { contract: { value: 'x', accept: ['permanent'], importance: 'little' } },
        'answers.contract.value',
      ],
      [
        'an accepted option that does not exist',
        { contract: { accept: ['permanent', 'gig'], importance: 'little' } },
        'answers.contract.accept.1',
      ],
      [
        'an empty multi value',
        { languages: { value: [], accept: { mode: 'any', options: ['nl'] }, importance: 'little' } },
        'answers.languages.value',
      ],
      [
        'an unknown multi mode',
        { languages: { accept: { mode: 'most', options: ['nl'] }, importance: 'little' } },
        'answers.languages.accept.mode',
      ],
      [
        'a step past the last one',
        { remote: { accept: { min: 0, max: 3 }, importance: 'little' } },
        'answers.remote.accept.max',
      ],
      ['a fractional step', { remote: { value: 0.5, importance: 'irrelevant' } }, 'answers.remote.value'],
      [
        'a number below the range',
        { salary: { value: -1, importance: 'irrelevant' } },
        'answers.salary.value',
      ],
      [
        'a number accept without bounds',
        { salary: { accept: {}, importance: 'very' } },
        'answers.salary.accept',
      ],
      [
        'a missing accept when importance is not irrelevant',
        { salary: { value: 3000, importance: 'little' } },
        'answers.salary.accept',
      ],
      [
        'a profile vector of the wrong length',
        { values: { value: [3, 3], importance: 'little' } },
        'answers.values.value',
      ],
      ['a rating above 5', { values: { value: [3, 6, 3], importance: 'little' } }, 'answers.values.value.1'],
      ['a rating of 0', { values: { value: [0, 3, 3], importance: 'little' } }, 'answers.values.value.0'],
      ['a profile without a value', { values: { importance: 'little' } }, 'answers.values.value'],
      [
        'a missing importance',
        { contract: { value: 'permanent', accept: ['permanent'] } },
        'answers.contract.importance',
      ],
      [
        'an unknown importance',
        { contract: { accept: ['permanent'], importance: 'crucial' } },
        'answers.contract.importance',
      ],
      [
        'an unknown field in an answer',
        { contract: { accept: ['permanent'], importance: 'little', note: 'x' } },
        'answers.contract.note',
      ],
      ['an unknown criterion', { age: { value: 30, importance: 'little' } }, 'answers.age'],
    ])('answers 422 invalid_answers for %s', async (_case, answers, path) => {
      const problem = expectProblem(await put(answers), 422, 'invalid_answers');
      expect(problem.errors?.map((error) => error.path)).toContain(path);
    });

    it('says in the detail what is wrong when the whole set is refused, not a criterion', async () => {
      const many = Object.fromEntries(Array.from({ length: 256 }, (_, i) => [`c${i}`, {}]));
      const problem = expectProblem(await put(many), 422, 'invalid_answers');
      expect(problem.errors).toEqual([
        { path: 'answers', message: 'at most 6 answers (one per criterion), got 256' },
      ]);
      expect(problem.detail).toBe('At most 6 answers (one per criterion), got 256.');
    });

    it('accepts a missing accept when importance is irrelevant', async () => {
      const response = await put({ contract: { value: 'permanent', importance: 'irrelevant' } });
      expect(response.statusCode, response.body).toBe(200);
    });

    it('answers 422 invalid_answers for a questionnaire or version that does not exist', async () => {
      const unknown = await put({}, { questionnaireId: 'no-such-questionnaire' });
      const problem = expectProblem(unknown, 422, 'invalid_answers');
      expect(problem.errors?.map((error) => error.path)).toEqual(['questionnaireId']);
      expectProblem(await put({}, { questionnaireVersion: 99 }), 422, 'invalid_answers');
    });

    it('answers 400 validation_failed naming an unknown field of the body', async () => {
      const problem = expectProblem(await put({}, { locale: 'nl' }), 400, 'validation_failed');
      expect(JSON.stringify(problem.errors)).toContain('locale');
    });

    it('names the unknown criterion even when every criterion of the questionnaire is also answered', async () => {
      const { answers } = miniAnswers();
      const withUnknown = {
        ...answers,
        salary: { value: 99_999, importance: 'irrelevant' },
        age: { value: 30 },
      };
      const problem = expectProblem(await put(withUnknown), 422, 'invalid_answers');
      expect(criteriaNamed(problem.errors)).toEqual(['age', 'salary']);
    });
  });

  describe('who may answer', () => {
    async function keyed() {
      const s = await subjects();
      const otherEmployer = await createEmployer(t.app, s.adminKey);
      const otherJob = await createJob(t.app, s.adminKey, otherEmployer.id);
      const otherCandidate = await createCandidate(t.app, s.adminKey);
      const employerKey = await mintKey(t.app, s.adminKey, { role: 'employer', employerId: s.employer.id });
      const candidateKey = await mintKey(t.app, s.adminKey, {
        role: 'candidate',
        candidateId: s.candidate.id,
      });
      return {
        ...s,
        otherJob,
        otherCandidate,
        asEmployer: caller(t.app, employerKey.key),
        asCandidate: caller(t.app, candidateKey.key),
      };
    }

    const expectOwnAnswers = async (api: Caller, url: string) => {
      const put = await api.put(url, miniAnswers());
      expect(put.statusCode, put.body).toBe(200);
      expect((await api.get(url)).json().answers.answers).toEqual(miniAnswers().answers);
    };

    it("lets an employer key answer for its own job, and 404s another employer's job", async () => {
      const s = await keyed();
      await expectOwnAnswers(s.asEmployer, `/v1/jobs/${s.job.id}/answers`);
      expectProblem(
        await s.asEmployer.put(`/v1/jobs/${s.otherJob.id}/answers`, miniAnswers()),
        404,
        'not_found',
      );
      expectProblem(await s.asEmployer.get(`/v1/jobs/${s.otherJob.id}/answers`), 404, 'not_found');
      expectProblem(await s.admin.get(`/v1/jobs/${s.otherJob.id}/answers`), 404, 'not_found');
      expectProblem(await s.asEmployer.get(`/v1/candidates/${s.candidate.id}/answers`), 404, 'not_found');
    });

    it('lets a candidate key answer for itself, and 404s another candidate and every job', async () => {
      const s = await keyed();
      await expectOwnAnswers(s.asCandidate, `/v1/candidates/${s.candidate.id}/answers`);
      const other = `/v1/candidates/${s.otherCandidate.id}/answers`;
      expectProblem(await s.asCandidate.put(other, miniAnswers()), 404, 'not_found');
      expectProblem(await s.asCandidate.get(other), 404, 'not_found');
      expectProblem(await s.admin.get(other), 404, 'not_found');
      expectProblem(await s.asCandidate.put(`/v1/jobs/${s.job.id}/answers`, miniAnswers()), 404, 'not_found');
    });

    it('answers 404 not_found for answers of a job or candidate that does not exist', async () => {
      const { admin } = await subjects();
      const missing = '01890000-0000-7000-8000-000000000000';
      expectProblem(await admin.put(`/v1/jobs/${missing}/answers`, miniAnswers()), 404, 'not_found');
      expectProblem(await admin.put(`/v1/candidates/${missing}/answers`, miniAnswers()), 404, 'not_found');
    });
  });
});
