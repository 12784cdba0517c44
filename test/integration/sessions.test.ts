import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { sessions } from '../../src/db/schema.ts';
import { purgeRetainedRecords } from '../../src/retention.ts';
import { createTestApp, useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import {
  caller,
  createCandidate,
  createEmployer,
  createJob,
  createWorkspace,
  expectProblem,
  mintKey,
  uuidPattern,
} from '../support/factories.ts';

interface Session {
  id: string;
  token: string;
  role: 'candidate' | 'employer';
  candidateId?: string;
  employerId?: string;
  expiresAt: string;
}

describe.each(availableDatabaseKinds())('browser sessions on %s', (kind) => {
  const t = useTestApp({ kind });

  async function mint(adminKey: string, body: object): Promise<Session> {
    const response = await caller(t.app, adminKey).post('/v1/sessions', body);
    expect(response.statusCode, response.body).toBe(201);
    return response.json().session;
  }

  /** Moves a session's expiry into the past (no waiting for it). */
  async function expire(sessionId: string) {
    await t.database.db
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(sessions.id, sessionId));
  }

  async function candidateMarket() {
    const { workspace, adminKey } = await createWorkspace(t.app);
    const candidate = await createCandidate(t.app, adminKey);
    const other = await createCandidate(t.app, adminKey);
    const employer = await createEmployer(t.app, adminKey);
    const job = await createJob(t.app, adminKey, employer.id);
    return { workspace, adminKey, candidate, other, employer, job };
  }

  it('mints a candidate session whose token reaches exactly what a key of that candidate reaches', async () => {
    const { adminKey, candidate, other, job } = await candidateMarket();
    const before = Date.now();
    const session = await mint(adminKey, { candidateId: candidate.id });
    expect(session).toMatchObject({
      id: expect.stringMatching(uuidPattern),
      role: 'candidate',
      candidateId: candidate.id,
    });
    expect(session).not.toHaveProperty('employerId');
    expect(session.token).toMatch(/^mfs_/);
    const ttl = Date.parse(session.expiresAt) - before;
    expect(ttl).toBeGreaterThan(3590_000);
    expect(ttl).toBeLessThanOrEqual(3600_000 + 60_000);

    const browser = caller(t.app, session.token);
    const own = await browser.get(`/v1/candidates/${candidate.id}`);
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().candidate.id).toBe(candidate.id);
    expectProblem(await browser.get(`/v1/candidates/${other.id}`), 404, 'not_found');
    expectProblem(await browser.get(`/v1/jobs/${job.id}`), 404, 'not_found');
  });

  it('mints an employer session that reaches its own jobs and not another employer’s', async () => {
    const { adminKey, employer, job } = await candidateMarket();
    const rival = await createEmployer(t.app, adminKey);
    const rivalJob = await createJob(t.app, adminKey, rival.id);
    const session = await mint(adminKey, { employerId: employer.id, ttlSeconds: 60 });
    expect(session).toMatchObject({ role: 'employer', employerId: employer.id });
    const browser = caller(t.app, session.token);
    expect((await browser.get(`/v1/jobs/${job.id}`)).statusCode).toBe(200);
    expectProblem(await browser.get(`/v1/jobs/${rivalJob.id}`), 404, 'not_found');
  });

  it('stores only a hash of the token', async () => {
    const { adminKey, candidate } = await candidateMarket();
    const session = await mint(adminKey, { candidateId: candidate.id });
    const [row] = await t.database.db.select().from(sessions).where(eq(sessions.id, session.id));
    expect(JSON.stringify(row)).not.toContain(session.token.slice(4));
  });

  it('refuses an expired session with 401 saying it expired, and the purge forgets it', async () => {
    const { adminKey, candidate } = await candidateMarket();
    const session = await mint(adminKey, { candidateId: candidate.id });
    await expire(session.id);
    const problem = expectProblem(
      await caller(t.app, session.token).get(`/v1/candidates/${candidate.id}`),
      401,
      'unauthorized',
    );
    expect(problem.detail).toMatch(/session expired/);

    const live = await mint(adminKey, { candidateId: candidate.id });
    await purgeRetainedRecords(t.database.db, t.config);
    const left = await t.database.db
      .select({ id: sessions.id })
      .from(sessions)
      .where(eq(sessions.candidateId, candidate.id));
    expect(left.map((row) => row.id)).toEqual([live.id]);
  });

  it('revokes a session: the token stops working at once, and a second revoke is a 404', async () => {
    const { adminKey, candidate } = await candidateMarket();
    const api = caller(t.app, adminKey);
    const session = await mint(adminKey, { candidateId: candidate.id });
    expect((await api.delete(`/v1/sessions/${session.id}`)).statusCode).toBe(204);
    const problem = expectProblem(
      await caller(t.app, session.token).get(`/v1/candidates/${candidate.id}`),
      401,
      'unauthorized',
    );
    expect(problem.detail).toMatch(/not valid or has been revoked/);
    expectProblem(await api.delete(`/v1/sessions/${session.id}`), 404, 'not_found');
  });

  it('erasing the candidate or deleting the employer ends their sessions', async () => {
    const { adminKey, candidate, employer } = await candidateMarket();
    const api = caller(t.app, adminKey);
    const candidateSession = await mint(adminKey, { candidateId: candidate.id });
    const employerSession = await mint(adminKey, { employerId: employer.id });
    expect((await api.delete(`/v1/candidates/${candidate.id}`)).statusCode).toBe(204);
    expect((await api.delete(`/v1/employers/${employer.id}`)).statusCode).toBe(204);
    for (const session of [candidateSession, employerSession]) {
      expectProblem(await caller(t.app, session.token).get('/v1/questionnaires'), 401, 'unauthorized');
      expectProblem(await api.delete(`/v1/sessions/${session.id}`), 404, 'not_found');
    }
  });

  it('never lets a session mint keys or sessions, or revoke one', async () => {
    const { adminKey, candidate } = await candidateMarket();
    const session = await mint(adminKey, { candidateId: candidate.id });
    const browser = caller(t.app, session.token);
    expectProblem(
      await browser.post('/v1/api-keys', { role: 'candidate', candidateId: candidate.id }),
      404,
      'not_found',
    );
    expectProblem(await browser.post('/v1/sessions', { candidateId: candidate.id }), 404, 'not_found');
    expectProblem(await browser.delete(`/v1/sessions/${session.id}`), 404, 'not_found');
  });

  it('refuses a ttl outside 60 s to 24 h, and a body naming both or neither subject', async () => {
    const { adminKey, candidate, employer } = await candidateMarket();
    const api = caller(t.app, adminKey);
    const oneSubject = 'body: needs exactly one of candidateId or employerId (and optionally ttlSeconds)';
    for (const [body, detail] of [
      [{ candidateId: candidate.id, ttlSeconds: 59 }, /^body\.ttlSeconds: /],
      [{ candidateId: candidate.id, ttlSeconds: 86_401 }, /^body\.ttlSeconds: /],
      [{ candidateId: candidate.id, ttlSeconds: 90.5 }, /^body\.ttlSeconds: /],
      [{ candidateId: candidate.id, employerId: employer.id }, oneSubject],
      [{ ttlSeconds: 600 }, oneSubject],
      [{ employerId: 'nope' }, 'body.employerId: Invalid UUID'],
    ] as const) {
      const problem = expectProblem(await api.post('/v1/sessions', body), 400, 'validation_failed');
      expect(problem.detail).toMatch(detail);
    }
    const longest = await mint(adminKey, { candidateId: candidate.id, ttlSeconds: 86_400 });
    expect(Date.parse(longest.expiresAt) - Date.now()).toBeGreaterThan(86_000_000);
  });

  it('answers 404 for a candidate, employer or session of another workspace', async () => {
    const mine = await candidateMarket();
    const theirs = await candidateMarket();
    const api = caller(t.app, mine.adminKey);
    expectProblem(await api.post('/v1/sessions', { candidateId: theirs.candidate.id }), 404, 'not_found');
    expectProblem(await api.post('/v1/sessions', { employerId: theirs.employer.id }), 404, 'not_found');
    const theirSession = await mint(theirs.adminKey, { candidateId: theirs.candidate.id });
    expectProblem(await api.delete(`/v1/sessions/${theirSession.id}`), 404, 'not_found');
    expect(
      (await caller(t.app, theirSession.token).get(`/v1/candidates/${theirs.candidate.id}`)).statusCode,
    ).toBe(200);
  });

  it('does not repeat the token when an Idempotency-Key replays the mint', async () => {
    const { adminKey, candidate } = await candidateMarket();
    const api = caller(t.app, adminKey);
    const headers = { 'idempotency-key': `session-${candidate.id}` };
    const first = await api.post('/v1/sessions', { candidateId: candidate.id }, headers);
    const replay = await api.post('/v1/sessions', { candidateId: candidate.id }, headers);
    expect(first.statusCode).toBe(201);
    expect(replay.statusCode).toBe(201);
    expect(first.json().session.token).toMatch(/^mfs_/);
    expect(replay.json().session.id).toBe(first.json().session.id);
    expect(replay.body).not.toContain(first.json().session.token);
  });

  it('does not count an expired session towards the failed-authentication limit', async () => {
    const strict = await createTestApp({ database: t.database, env: { AUTH_FAILURE_LIMIT: '2' } });
    try {
      const { adminKey, candidate } = await candidateMarket();
      const session = await mint(adminKey, { candidateId: candidate.id });
      await expire(session.id);
      for (let attempt = 0; attempt < 4; attempt++) {
        expectProblem(await caller(strict.app, session.token).get('/v1/questionnaires'), 401, 'unauthorized');
      }
      for (let attempt = 0; attempt < 2; attempt++) {
        expectProblem(await caller(strict.app, 'mfs_guessed').get('/v1/questionnaires'), 401, 'unauthorized');
      }
      expectProblem(await caller(strict.app, 'mfs_guessed').get('/v1/questionnaires'), 429, 'rate_limited');
    } finally {
      await strict.close();
    }
  });
  it('tells a session token who it acts as (GET /v1/sessions/current), without the token', async () => {
    const { adminKey, candidate, employer } = await candidateMarket();
    const session = await mint(adminKey, { candidateId: candidate.id });
    const current = await caller(t.app, session.token).get('/v1/sessions/current');
    expect(current.statusCode, current.body).toBe(200);
    expect(current.json().session).toEqual({
      id: session.id,
      role: 'candidate',
      candidateId: candidate.id,
      expiresAt: session.expiresAt,
    });
    const employerSession = await mint(adminKey, { employerId: employer.id });
    const theirs = await caller(t.app, employerSession.token).get('/v1/sessions/current');
    expect(theirs.json().session).toMatchObject({ role: 'employer', employerId: employer.id });
    expect(theirs.body).not.toContain(employerSession.token);
  });

  it('answers /v1/sessions/current with 401 once the session expired, and 404 for keys', async () => {
    const { adminKey, candidate } = await candidateMarket();
    const session = await mint(adminKey, { candidateId: candidate.id });
    await expire(session.id);
    expectProblem(await caller(t.app, session.token).get('/v1/sessions/current'), 401, 'unauthorized');
    const key = await mintKey(t.app, adminKey, { role: 'candidate', candidateId: candidate.id });
    expectProblem(await caller(t.app, key.key).get('/v1/sessions/current'), 404, 'not_found');
    expectProblem(await caller(t.app, adminKey).get('/v1/sessions/current'), 404, 'not_found');
  });
});
