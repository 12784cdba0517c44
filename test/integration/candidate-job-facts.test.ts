import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { createMarket, goodCandidate, keyOf, type Market } from '../support/matching-factories.ts';

/** What a candidate sees of a job: its ad's title and employer name, in every list that names jobs. */
describe.each(availableDatabaseKinds())("jobs as a candidate's lists show them on %s", (kind) => {
  let t: TestApp;
  let app: FastifyInstance;
  beforeAll(async () => {
    t = await createTestApp({ kind });
    app = t.app;
  });
  afterAll(() => t.close());

  const factsOf = (m: Market) => ({
    [m.job.id]: { title: m.job.title, employerId: m.employer.id, employerName: m.employer.name },
    [m.otherJob.id]: {
      title: m.otherJob.title,
      employerId: m.otherEmployer.id,
      employerName: m.otherEmployer.name,
    },
  });

  it("gives each row of a candidate's listing the job's title and employer name, and nothing else of the employer", async () => {
    const m = await createMarket(app);
    const candidate = await keyOf(app, m.adminKey, { role: 'candidate', candidateId: m.ids.good });
    const response = await candidate.get(`/v1/candidates/${m.ids.good}/matches`);
    expect(response.statusCode, response.body).toBe(200);
    const rows = response.json().matches as { jobId: string; job: unknown }[];
    expect(rows.map((r) => r.jobId)).toEqual([m.otherJob.id, m.job.id]);
    const facts = factsOf(m);
    for (const row of rows) expect(row.job).toEqual(facts[row.jobId]);
  });

  it('gives the rows of an ad-hoc match of candidate answers the same facts', async () => {
    const m = await createMarket(app);
    const response = await m.admin.post('/v1/match', {
      side: 'candidate',
      questionnaireId: 'mini',
      answers: goodCandidate,
    });
    expect(response.statusCode, response.body).toBe(200);
    const rows = response.json().matches as { jobId: string; job: unknown }[];
    expect(rows.length).toBeGreaterThan(0);
    const facts = factsOf(m);
    for (const row of rows) expect(row.job).toEqual(facts[row.jobId]);
  });

  it("names the job of each introduction in the candidate's list", async () => {
    const m = await createMarket(app);
    const candidate = await keyOf(app, m.adminKey, { role: 'candidate', candidateId: m.ids.good });
    for (const job of [m.job, m.otherJob]) {
      const step = await candidate.post(`/v1/jobs/${job.id}/introductions/${m.ids.good}`, {
        action: 'interested',
      });
      expect(step.statusCode, step.body).toBe(200);
    }
    const response = await candidate.get(`/v1/candidates/${m.ids.good}/introductions`);
    expect(response.statusCode, response.body).toBe(200);
    const rows = response.json().introductions as { jobId: string; job: unknown }[];
    const facts = factsOf(m);
    expect(rows.map((r) => r.job)).toEqual([facts[m.job.id], facts[m.otherJob.id]]);
  });
});
