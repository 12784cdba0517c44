import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerSet } from '../../src/answers/types.ts';
import type { ScoreMethod } from '../../src/matching/types.ts';
import type { QuestionnaireDefinition } from '../../src/questionnaires/definition.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { caller, createCandidate, createWorkspace, expectProblem, mintKey } from '../support/factories.ts';
import { bruteForceInsights } from '../support/insights-oracle.ts';
import {
  createMarket,
  goodCandidate,
  jobAnswers,
  loadMini,
  type Market,
  otherJobAnswers,
  putAnswers,
} from '../support/matching-factories.ts';

/** GET and POST /v1/{jobs|candidates}/{id}/insights against a brute force on the reference scorer. */
describe.each(availableDatabaseKinds())('insights on %s', (kind) => {
  let t: TestApp;
  let app: FastifyInstance;
  let mini: QuestionnaireDefinition;
  let m: Market;
  beforeAll(async () => {
    // These markets are smaller than a job's insights need by default (insights-minimum.test.ts).
    t = await createTestApp({ kind, env: { INSIGHTS_MIN_CANDIDATES: '0' } });
    app = t.app;
    mini = await loadMini();
    m = await createMarket(app);
  });
  afterAll(() => t.close());

  const openJobs = () => [
    { answers: jobAnswers, minScore: 0.9 },
    { answers: otherJobAnswers, minScore: 0.5 },
  ];
  const expected = (
    side: 'job' | 'candidate',
    subjectId: string,
    subject: { answers: AnswerSet; minScore: number },
    others: { answers: AnswerSet; minScore: number }[],
    method: ScoreMethod = 'harmonic',
  ) => ({
    subjectId,
    side,
    questionnaireId: 'mini',
    questionnaireVersion: 1,
    ...bruteForceInsights(mini, side, subject, others, method),
  });

  it("counts a job's insights as the brute force does, with its dealbreakers on both sides", async () => {
    const response = await m.admin.get(`/v1/jobs/${m.job.id}/insights`);
    expect(response.statusCode, response.body).toBe(200);
    const { insights } = response.json();
    expect(insights).toEqual(expected('job', m.job.id, { answers: jobAnswers, minScore: 0.9 }, m.scored));
    const salary = insights.criteria.find((c: { criterionId: string }) => c.criterionId === 'salary');
    expect(salary.rejecting).toBeGreaterThan(0); // tooExpensive breaks the job's salary dealbreaker
    expect(salary.rejectedBy).toBeGreaterThan(0); // the job breaks wantsMore's
    expect(insights.others).toBe(m.scored.length);
  });

  it("counts a candidate's insights over the open jobs, for the candidate's own key", async () => {
    const key = await mintKey(app, m.adminKey, { role: 'candidate', candidateId: m.ids.good });
    const response = await caller(app, key.key).get(`/v1/candidates/${m.ids.good}/insights`);
    expect(response.statusCode, response.body).toBe(200);
    const good = m.scored.find((c) => c.id === m.ids.good)!;
    expect(response.json().insights).toEqual(expected('candidate', m.ids.good, good, openJobs()));
  });

  it('names the sole barriers of a pair that is not acceptable in its explanation', async () => {
    // Salary aside it meets the job well enough (S(job→candidate) = 68.5/71 ≥ 0.9); tooExpensive does not (63/71).
    const closeCall = await createCandidate(app, m.adminKey);
    await putAnswers(m.admin, `/v1/candidates/${closeCall.id}/answers`, {
      ...goodCandidate,
      languages: {
        value: ['nl', 'en'],
        accept: { mode: 'any', options: ['nl', 'fr'] },
        importance: 'somewhat',
      },
      remote: { value: 1, accept: { min: 0, max: 2 }, importance: 'very' },
      salary: { value: 5000, accept: { min: 3800 }, importance: 'dealbreaker' },
    });
    const barred = await m.admin.get(`/v1/jobs/${m.job.id}/matches/${closeCall.id}`);
    expect(barred.json().explanation).toMatchObject({ acceptable: false, soleBarriers: ['salary'] });
    const tooExpensive = await m.admin.get(`/v1/jobs/${m.job.id}/matches/${m.ids.tooExpensive}`);
    expect(tooExpensive.json().explanation).toMatchObject({ acceptable: false, soleBarriers: [] });
    await m.admin.delete(`/v1/candidates/${closeCall.id}`);
    const good = await m.admin.get(`/v1/jobs/${m.job.id}/matches/${m.ids.good}`);
    expect(good.json().explanation).toMatchObject({ acceptable: true, soleBarriers: [] });
  });

  it('answers a what-if with overrides merged on the stored answers, and stores nothing', async () => {
    const overrides = {
      salary: { value: 4000, accept: { max: 5500 }, importance: 'dealbreaker' },
      values: null,
    };
    const response = await m.admin.post(`/v1/jobs/${m.job.id}/insights`, {
      answers: overrides,
      minScore: 0.5,
    });
    expect(response.statusCode, response.body).toBe(200);
    const { values: _, ...rest } = jobAnswers;
    const modified = { ...rest, salary: overrides.salary } as AnswerSet;
    expect(response.json().insights).toEqual(
      expected('job', m.job.id, { answers: modified, minScore: 0.5 }, m.scored),
    );
    const stored = await m.admin.get(`/v1/jobs/${m.job.id}/answers`);
    expect(stored.json().answers.answers).toEqual(jobAnswers);
    const again = await m.admin.get(`/v1/jobs/${m.job.id}/insights`);
    expect(again.json().insights).toEqual(
      expected('job', m.job.id, { answers: jobAnswers, minScore: 0.9 }, m.scored),
    );
  });

  it('refuses a what-if with 422 naming every bad criterion', async () => {
    const response = await m.admin.post(`/v1/jobs/${m.job.id}/insights`, {
      answers: {
        contract: { value: 'nope', accept: ['permanent'], importance: 'very' },
        remote: { value: 1, importance: 'very' },
        ghost: null,
      },
    });
    const problem = expectProblem(response, 422, 'invalid_answers');
    const named = new Set(problem.errors!.map((e) => e.path.split('.')[1]));
    expect(named).toEqual(new Set(['contract', 'remote', 'ghost']));
  });

  it('refuses a what-if body with unknown fields or a minScore out of range (400)', async () => {
    expectProblem(
      await m.admin.post(`/v1/jobs/${m.job.id}/insights`, { answers: {}, extra: 1 }),
      400,
      'validation_failed',
    );
    expectProblem(
      await m.admin.post(`/v1/jobs/${m.job.id}/insights`, { answers: {}, minScore: 2 }),
      400,
      'validation_failed',
    );
  });

  it('answers 409 no_answers for a subject that has not answered', async () => {
    const problem = expectProblem(
      await m.admin.get(`/v1/candidates/${m.ids.silent}/insights`),
      409,
      'no_answers',
    );
    expect(problem.detail).toBe(
      `Candidate ${m.ids.silent} has not answered a questionnaire yet; PUT /v1/candidates/${m.ids.silent}/answers first.`,
    );
    expectProblem(
      await m.admin.post(`/v1/candidates/${m.ids.silent}/insights`, { answers: {} }),
      409,
      'no_answers',
    );
  });

  it('answers 404 outside the caller’s reach: another employer, another candidate, another workspace', async () => {
    const otherEmployer = await mintKey(app, m.adminKey, {
      role: 'employer',
      employerId: m.otherEmployer.id,
    });
    const own = await mintKey(app, m.adminKey, { role: 'employer', employerId: m.employer.id });
    const candidate = await mintKey(app, m.adminKey, { role: 'candidate', candidateId: m.ids.good });
    const elsewhere = await createWorkspace(app);
    expect((await caller(app, own.key).get(`/v1/jobs/${m.job.id}/insights`)).statusCode).toBe(200);
    expectProblem(
      await caller(app, otherEmployer.key).get(`/v1/jobs/${m.job.id}/insights`),
      404,
      'not_found',
    );
    expectProblem(
      await caller(app, otherEmployer.key).post(`/v1/jobs/${m.job.id}/insights`, { answers: {} }),
      404,
      'not_found',
    );
    expectProblem(
      await caller(app, candidate.key).get(`/v1/candidates/${m.ids.better}/insights`),
      404,
      'not_found',
    );
    expectProblem(await caller(app, candidate.key).get(`/v1/jobs/${m.job.id}/insights`), 404, 'not_found');
    expectProblem(await elsewhere.admin.get(`/v1/jobs/${m.job.id}/insights`), 404, 'not_found');
    expectProblem(await elsewhere.admin.get(`/v1/candidates/${m.ids.good}/insights`), 404, 'not_found');
  });

  it('counts only open jobs, and bins the histogram with the workspace score method', async () => {
    const w = await createMarket(app);
    expect((await w.admin.patch('/v1/workspace', { scoreMethod: 'min' })).statusCode).toBe(200);
    expect((await w.admin.patch(`/v1/jobs/${w.otherJob.id}`, { status: 'closed' })).statusCode).toBe(200);
    const good = w.scored.find((c) => c.id === w.ids.good)!;
    const response = await w.admin.get(`/v1/candidates/${w.ids.good}/insights`);
    expect(response.json().insights).toEqual(
      expected('candidate', w.ids.good, good, [{ answers: jobAnswers, minScore: 0.9 }], 'min'),
    );
    const jobSide = await w.admin.get(`/v1/jobs/${w.job.id}/insights`);
    expect(jobSide.json().insights).toEqual(
      expected('job', w.job.id, { answers: jobAnswers, minScore: 0.9 }, w.scored, 'min'),
    );
  });

  it('counts a new candidate as soon as its answers are written', async () => {
    const w = await createMarket(app);
    const before = (await w.admin.get(`/v1/jobs/${w.job.id}/insights`)).json().insights.others;
    const fresh = await createCandidate(app, w.adminKey);
    await putAnswers(w.admin, `/v1/candidates/${fresh.id}/answers`, jobAnswers);
    const after = (await w.admin.get(`/v1/jobs/${w.job.id}/insights`)).json().insights.others;
    expect(after).toBe(before + 1);
  });

  it("leaves out the candidates hiding from the job's employer, the jobs hidden from the candidate, and paused candidates", async () => {
    const w = await createMarket(app);
    const hide = await w.admin.patch(`/v1/candidates/${w.ids.good}`, {
      hiddenFromEmployerIds: [w.employer.id],
    });
    expect(hide.statusCode, hide.body).toBe(200);
    const visible = w.scored.filter((c) => c.id !== w.ids.good);
    const jobSide = await w.admin.get(`/v1/jobs/${w.job.id}/insights`);
    expect(jobSide.json().insights).toEqual(
      expected('job', w.job.id, { answers: jobAnswers, minScore: 0.9 }, visible),
    );
    const good = w.scored.find((c) => c.id === w.ids.good)!;
    const candidateSide = await w.admin.get(`/v1/candidates/${w.ids.good}/insights`);
    expect(candidateSide.json().insights).toEqual(
      expected('candidate', w.ids.good, good, [{ answers: otherJobAnswers, minScore: 0.5 }]),
    );

    const paused = visible[0]!;
    expect((await w.admin.patch(`/v1/candidates/${paused.id}`, { paused: true })).statusCode).toBe(200);
    const withoutPaused = await w.admin.get(`/v1/jobs/${w.job.id}/insights`);
    expect(withoutPaused.json().insights).toEqual(
      expected('job', w.job.id, { answers: jobAnswers, minScore: 0.9 }, visible.slice(1)),
    );
    // The paused candidate's own insights: what it would meet if it resumed (its listing says paused).
    const own = await w.admin.get(`/v1/candidates/${paused.id}/insights`);
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().insights).toEqual(expected('candidate', paused.id, paused, openJobs()));
    expect(own.json().insights.acceptable).toBeGreaterThan(0);
    expectProblem(await w.admin.get(`/v1/candidates/${paused.id}/matches`), 409, 'candidate_paused');
  });
});
