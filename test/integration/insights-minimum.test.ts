import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { caller, createCandidate, expectProblem, mintKey } from '../support/factories.ts';
import { createMarket, goodCandidate, type Market, putAnswers } from '../support/matching-factories.ts';

/**
 * A job's insights over a handful of candidates would describe people (with one candidate, a few
 * what-ifs read her answers back): below INSIGHTS_MIN_CANDIDATES counted candidates they answer 409.
 */
describe.each(availableDatabaseKinds())('the minimum market of job insights on %s', (kind) => {
  let t: TestApp;
  let app: FastifyInstance;
  let m: Market;
  beforeAll(async () => {
    t = await createTestApp({ kind }); // the default minimum
    app = t.app;
    m = await createMarket(app);
  });
  afterAll(() => t.close());

  const minimum = () => t.config.INSIGHTS_MIN_CANDIDATES;
  const whatIf = { answers: {}, minScore: 0.1 };

  async function addAnsweredCandidates(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let k = 0; k < count; k++) {
      const candidate = await createCandidate(app, m.adminKey);
      await putAnswers(m.admin, `/v1/candidates/${candidate.id}/answers`, goodCandidate);
      ids.push(candidate.id);
    }
    return ids;
  }

  it('refuses a small market to the job’s employer and to admins, GET and what-if alike, and says why', async () => {
    expect(minimum()).toBe(10);
    expect(m.scored.length).toBeLessThan(minimum());
    const employer = caller(
      app,
      (await mintKey(app, m.adminKey, { role: 'employer', employerId: m.employer.id })).key,
    );
    const path = `/v1/jobs/${m.job.id}/insights`;
    for (const response of [
      await employer.get(path),
      await employer.post(path, whatIf),
      await m.admin.get(path),
      await m.admin.post(path, whatIf),
    ]) {
      const problem: { detail: string; minimum?: number } = expectProblem(
        response,
        409,
        'too_few_candidates',
      );
      expect(problem.detail).toContain(`at least ${minimum()}`);
      expect(problem.minimum).toBe(minimum());
      expect(JSON.stringify(problem)).not.toContain(m.ids.good);
    }
    // Counts of jobs describe no person: a candidate's insights have no minimum.
    const own = await m.admin.get(`/v1/candidates/${m.ids.good}/insights`);
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().insights.others).toBe(2);
  });

  it('counts once the job’s market reaches the minimum, and not while candidates hiding from it keep it below', async () => {
    const path = `/v1/jobs/${m.job.id}/insights`;
    const added = await addAnsweredCandidates(minimum() - m.scored.length);
    const counted = await m.admin.get(path);
    expect(counted.statusCode, counted.body).toBe(200);
    expect(counted.json().insights.others).toBe(minimum());
    expect((await m.admin.post(path, whatIf)).statusCode).toBe(200);

    // Candidates hiding from the job's employer are not counted for it: the market is below again.
    const hide = await m.admin.patch(`/v1/candidates/${added[0]}`, {
      hiddenFromEmployerIds: [m.employer.id],
    });
    expect(hide.statusCode, hide.body).toBe(200);
    expectProblem(await m.admin.get(path), 409, 'too_few_candidates');
    // The other employer's job still counts every one of them.
    expect((await m.admin.get(`/v1/jobs/${m.otherJob.id}/insights`)).json().insights.others).toBe(minimum());
  });
});

describe('INSIGHTS_MIN_CANDIDATES', () => {
  it('lowered to 0, counts a market below the default minimum', async () => {
    const t = await createTestApp({ env: { INSIGHTS_MIN_CANDIDATES: '0' } });
    try {
      const m = await createMarket(t.app);
      const response = await m.admin.get(`/v1/jobs/${m.job.id}/insights`);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().insights.others).toBe(m.scored.length);
    } finally {
      await t.close();
    }
  });
});
