import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import {
  type Caller,
  createCandidate,
  createEmployer,
  createJob,
  createWorkspace,
  expectProblem,
  walkList,
} from '../support/factories.ts';
import { createMarket, keyOf } from '../support/matching-factories.ts';

/** `path` with one more query parameter. */
const withQuery = (path: string, query: string) => `${path}${path.includes('?') ? '&' : '?'}${query}`;
const withCursor = (path: string, cursor: string) => withQuery(path, `cursor=${encodeURIComponent(cursor)}`);

/** The nextCursor of the first page of `path` at `limit` (the list must hold more rows). */
async function firstCursor(api: Caller, path: string, limit = 1): Promise<string> {
  const response = await api.get(withQuery(path, `limit=${limit}`));
  expect(response.statusCode, response.body).toBe(200);
  const cursor = response.json().nextCursor as string | null;
  expect(cursor).not.toBeNull();
  return cursor as string;
}

/** 400 invalid_cursor saying the cursor pages another listing (not an empty page read as the end). */
function expectAnotherListing(response: LightMyRequestResponse) {
  expect(expectProblem(response, 400, 'invalid_cursor').detail).toContain('another listing');
}

describe.each(availableDatabaseKinds())('list cursors on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ kind });
  });
  afterAll(() => t.close());

  /** A workspace with two employers, three jobs each (one of A's closed, one with an externalId). */
  async function jobsOfTwoEmployers() {
    const { adminKey, admin } = await createWorkspace(t.app);
    const a = await createEmployer(t.app, adminKey);
    const b = await createEmployer(t.app, adminKey);
    const jobsOf = async (employerId: string, fields: Record<string, unknown>[]) => {
      const ids: string[] = [];
      for (const field of fields) ids.push((await createJob(t.app, adminKey, employerId, field)).id);
      return ids;
    };
    const aJobs = await jobsOf(a.id, [{}, { status: 'closed' }, { externalId: 'ext-a' }]);
    const bJobs = await jobsOf(b.id, [{}, {}, {}]);
    return { adminKey, admin, a, b, aJobs, bJobs };
  }

  it("refuses a jobs cursor under another employerId, status or externalId, and pages its own list's rest", async () => {
    const { admin, a, b, aJobs } = await jobsOfTwoEmployers();
    const cursor = await firstCursor(admin, `/v1/jobs?employerId=${a.id}`);
    for (const other of [
      `/v1/jobs?employerId=${b.id}`,
      '/v1/jobs',
      `/v1/jobs?employerId=${a.id}&status=open`,
      `/v1/jobs?employerId=${a.id}&externalId=ext-a`,
    ]) {
      expectAnotherListing(await admin.get(withCursor(other, cursor)));
    }
    // Its own list takes it, at another limit too.
    const rest = await admin.get(withCursor(`/v1/jobs?limit=5&employerId=${a.id}`, cursor));
    expect(rest.statusCode, rest.body).toBe(200);
    expect(rest.json().nextCursor).toBeNull();
    const first = (await admin.get(`/v1/jobs?employerId=${a.id}&limit=1`)).json().jobs[0].id as string;
    expect(new Set([first, ...rest.json().jobs.map((job: { id: string }) => job.id)])).toEqual(
      new Set(aJobs),
    );
  });

  it('walks each filtered list to its end with its own cursors, every row once', async () => {
    const { admin, a, b, aJobs, bJobs } = await jobsOfTwoEmployers();
    for (const [path, ids] of [
      [`/v1/jobs?employerId=${a.id}`, aJobs],
      [`/v1/jobs?employerId=${b.id}`, bJobs],
      ['/v1/jobs', [...aJobs, ...bJobs]],
      [`/v1/jobs?employerId=${a.id}&status=open`, [aJobs[0], aJobs[2]]],
    ] as const) {
      for (const limit of [1, 2]) {
        const walked = await walkList(admin, path, 'jobs', limit);
        expect(walked).toHaveLength(ids.length);
        expect(new Set(walked)).toEqual(new Set(ids));
      }
    }
    const employers = await walkList(admin, '/v1/employers', 'employers', 1);
    expect(new Set(employers)).toEqual(new Set([a.id, b.id]));
  });

  it("refuses one route's cursor on another route", async () => {
    const { adminKey, admin } = await createWorkspace(t.app);
    for (let i = 0; i < 3; i++) await createCandidate(t.app, adminKey);
    const cursor = await firstCursor(admin, '/v1/candidates');
    for (const other of [
      '/v1/webhooks',
      '/v1/employers',
      '/v1/jobs',
      '/v1/api-keys',
      '/v1/candidates?externalId=someone',
    ]) {
      expectAnotherListing(await admin.get(withCursor(other, cursor)));
    }
    expect(await walkList(admin, '/v1/candidates', 'candidates', 1)).toHaveLength(3);
  });

  it("refuses a job's introductions cursor on another job's and on a candidate's introductions", async () => {
    const m = await createMarket(t.app);
    const employer = await keyOf(t.app, m.adminKey, { role: 'employer', employerId: m.employer.id });
    const intros: string[] = [];
    for (const candidateId of [m.ids.better, m.ids.good]) {
      const response = await employer.post(`/v1/jobs/${m.job.id}/introductions/${candidateId}`, {
        action: 'interested',
      });
      expect(response.statusCode, response.body).toBe(200);
      intros.push(response.json().introduction.id);
    }
    const other = await m.admin.post(`/v1/jobs/${m.otherJob.id}/introductions/${m.ids.good}`, {
      action: 'interested',
      side: 'candidate',
    });
    expect(other.statusCode, other.body).toBe(200);

    const path = `/v1/jobs/${m.job.id}/introductions`;
    const cursor = await firstCursor(m.admin, path);
    expectAnotherListing(await m.admin.get(withCursor(`/v1/jobs/${m.otherJob.id}/introductions`, cursor)));
    expectAnotherListing(await m.admin.get(withCursor(`/v1/candidates/${m.ids.good}/introductions`, cursor)));
    const next = await m.admin.get(withCursor(path, cursor));
    expect(next.statusCode, next.body).toBe(200);
    expect(await walkList(m.admin, path, 'introductions', 1)).toEqual(intros);
  });

  it('refuses a cursor from before lists named theirs (start again without it)', async () => {
    const { adminKey, admin } = await createWorkspace(t.app);
    const candidate = await createCandidate(t.app, adminKey);
    const old = Buffer.from(JSON.stringify({ after: candidate.id })).toString('base64url');
    const problem = expectProblem(await admin.get(withCursor('/v1/candidates', old)), 400, 'invalid_cursor');
    expect(problem.detail).toContain('start again without it');
  });
});
