import type { FastifyInstance, FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { hashApiKey } from '../../src/auth/keys.ts';
import { findActiveKeyByHash } from '../../src/auth/repository.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { employers, idempotencyKeys } from '../../src/db/schema.ts';
import { ADMIN_KEY, createTestApp, PLATFORM_KEY, type TestApp, testQuestionnaires } from '../support/app.ts';
import { availableDatabaseKinds, createTestDatabase } from '../support/database.ts';
import {
  caller,
  createCandidate,
  createEmployer,
  createJob,
  createWorkspace,
  expectProblem,
  mintKey,
  tablesMentioning,
  unique,
  uniqueEmail,
} from '../support/factories.ts';

const nonZero = (counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).filter(([, count]) => count > 0));

describe.each(availableDatabaseKinds())('idempotency, strict bodies and body limits on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ kind });
  });
  afterAll(() => t.close());

  /** The three creates a client retries most, each with a body that needs the workspace's data. */
  const creates = [
    ['employers', 'employer', async () => ({ name: unique('Employer'), externalId: unique('e') })],
    [
      'jobs',
      'job',
      async (adminKey: string) => ({
        employerId: (await createEmployer(t.app, adminKey)).id,
        title: 'Welder',
      }),
    ],
    ['candidates', 'candidate', async () => ({ contact: { name: 'Ann', email: uniqueEmail() } })],
  ] as const;

  const countOf = async (api: ReturnType<typeof caller>, path: string) =>
    ((await api.get(`/v1/${path}?limit=100`)).json()[path] as unknown[]).length;

  describe('Idempotency-Key on POST', () => {
    it.each(creates)(
      'replays the first response to /v1/%s without creating a second record',
      async (path, field, body) => {
        const { adminKey, admin } = await createWorkspace(t.app);
        const payload = await body(adminKey);
        const headers = { 'idempotency-key': unique('retry') };
        const first = await admin.post(`/v1/${path}`, payload, headers);
        expect(first.statusCode, first.body).toBe(201);
        expect(first.headers['idempotent-replayed']).toBeUndefined();
        const before = await countOf(admin, path);

        const again = await admin.post(`/v1/${path}`, payload, headers);
        expect(again.statusCode).toBe(201);
        expect(again.headers['idempotent-replayed']).toBe('true');
        expect(again.json()[field].id).toBe(first.json()[field].id);
        expect(again.json()).toEqual(first.json());
        expect(await countOf(admin, path)).toBe(before);
      },
    );

    it.each(creates)(
      'answers 422 idempotency_key_reused for the same key with another body on /v1/%s',
      async (path, _field, body) => {
        const { adminKey, admin } = await createWorkspace(t.app);
        const headers = { 'idempotency-key': unique('reuse') };
        expect((await admin.post(`/v1/${path}`, await body(adminKey), headers)).statusCode).toBe(201);
        const before = await countOf(admin, path);
        const other = await admin.post(`/v1/${path}`, await body(adminKey), headers);
        expectProblem(other, 422, 'idempotency_key_reused');
        expect(await countOf(admin, path)).toBe(before);
      },
    );

    it('answers 422 idempotency_key_reused for the same key on another path', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const headers = { 'idempotency-key': unique('path') };
      expect((await admin.post('/v1/employers', { name: 'Acme' }, headers)).statusCode).toBe(201);
      const employer = await createEmployer(t.app, adminKey);
      const job = await admin.post('/v1/jobs', { employerId: employer.id, title: 'Acme' }, headers);
      expectProblem(job, 422, 'idempotency_key_reused');
    });

    it('keeps keys per caller: another admin key with the same Idempotency-Key creates a new record', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const second = caller(t.app, (await mintKey(t.app, adminKey, { role: 'admin' })).key);
      const headers = { 'idempotency-key': unique('shared') };
      const payload = { name: 'Same body' };
      const first = await admin.post('/v1/employers', payload, headers);
      const other = await second.post('/v1/employers', payload, headers);
      expect(first.statusCode).toBe(201);
      expect(other.statusCode).toBe(201);
      expect(other.headers['idempotent-replayed']).toBeUndefined();
      expect(other.json().employer.id).not.toBe(first.json().employer.id);
      expect(await countOf(admin, 'employers')).toBe(2);
    });

    it('replays a refused request as it was first answered', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      await createEmployer(t.app, adminKey, { externalId: 'taken' });
      const headers = { 'idempotency-key': unique('conflict') };
      const payload = { name: 'Twin', externalId: 'taken' };
      expectProblem(await admin.post('/v1/employers', payload, headers), 409, 'conflict');
      const again = await admin.post('/v1/employers', payload, headers);
      expectProblem(again, 409, 'conflict');
      expect(again.headers['idempotent-replayed']).toBe('true');
    });

    it('does not replay without the header, and ignores the header on other methods', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const payload = { name: 'No key' };
      const a = await admin.post('/v1/employers', payload);
      const b = await admin.post('/v1/employers', payload);
      expect(a.json().employer.id).not.toBe(b.json().employer.id);
      const employer = await createEmployer(t.app, adminKey);
      const headers = { authorization: `Bearer ${adminKey}`, 'idempotency-key': unique('patch') };
      for (const name of ['One', 'Two']) {
        const patched = await t.app.inject({
          method: 'PATCH',
          url: `/v1/employers/${employer.id}`,
          headers,
          payload: { name },
        });
        expect(patched.json().employer.name).toBe(name);
      }
    });

    it('answers 400 validation_failed for an Idempotency-Key longer than 255 characters', async () => {
      const { admin } = await createWorkspace(t.app);
      const response = await admin.post(
        '/v1/employers',
        { name: 'Acme' },
        { 'idempotency-key': 'k'.repeat(256) },
      );
      expectProblem(response, 400, 'validation_failed');
      expect(await countOf(admin, 'employers')).toBe(0);
    });

    it('creates one record when the same request is retried while the first is still in flight', async () => {
      const { admin } = await createWorkspace(t.app);
      const headers = { 'idempotency-key': unique('race') };
      const responses = await Promise.all(
        [1, 2, 3, 4].map(() => admin.post('/v1/employers', { name: 'Raced' }, headers)),
      );
      const created = responses.filter((r) => r.statusCode === 201).map((r) => r.json().employer.id);
      const stillRunning = responses.filter((r) => r.statusCode === 409);
      for (const response of stillRunning) {
        expectProblem(response, 409, 'conflict');
        expect(response.headers['retry-after']).toBe('1');
      }
      expect(created.length + stillRunning.length).toBe(4);
      expect(new Set(created).size).toBe(1);
      expect(await countOf(admin, 'employers')).toBe(1);
    });

    it('never stores a minted key in clear, even to replay an idempotent request', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const minted = await admin.post(
        '/v1/api-keys',
        { role: 'admin' },
        { 'idempotency-key': unique('mint') },
      );
      expect(minted.statusCode).toBe(201);
      const workspace = await caller(t.app, PLATFORM_KEY).post(
        '/v1/workspaces',
        { name: unique('ws') },
        { 'idempotency-key': unique('ws') },
      );
      expect(workspace.statusCode).toBe(201);
      for (const secret of [minted.json().apiKey.key, workspace.json().adminKey, adminKey]) {
        expect(nonZero(await tablesMentioning(t.database.db, secret))).toEqual({});
      }
    });
  });

  describe('strict bodies', () => {
    it.each([
      ['POST /v1/employers', 'POST', '/v1/employers', { name: 'Acme', website: 'x' }, 'website'],
      ['POST /v1/jobs', 'POST', '/v1/jobs', { employerId: '$employer', title: 'Job', salary: 1 }, 'salary'],
      [
        'POST /v1/candidates',
        'POST',
        '/v1/candidates',
        { contact: { name: 'A', email: 'a@example.com', age: 30 } },
        'age',
      ],
      ['PATCH /v1/jobs/{id}', 'PATCH', '/v1/jobs/$job', { title: 'Job', color: 'red' }, 'color'],
      ['PATCH /v1/candidates/{id}', 'PATCH', '/v1/candidates/$candidate', { gender: 'x' }, 'gender'],
      ['POST /v1/api-keys', 'POST', '/v1/api-keys', { role: 'admin', scope: 'all' }, 'scope'],
    ] as const)(
      'answers 400 validation_failed naming the unknown field on %s',
      async (_name, method, url, body, field) => {
        const { adminKey } = await createWorkspace(t.app);
        const employer = await createEmployer(t.app, adminKey);
        const job = await createJob(t.app, adminKey, employer.id);
        const candidate = await createCandidate(t.app, adminKey);
        const fill = (text: string) =>
          text.replace('$employer', employer.id).replace('$job', job.id).replace('$candidate', candidate.id);
        const response = await t.app.inject({
          method,
          url: fill(url),
          headers: { authorization: `Bearer ${adminKey}` },
          payload: JSON.parse(fill(JSON.stringify(body))),
        });
        const problem = expectProblem(response, 400, 'validation_failed');
        expect(JSON.stringify(problem.errors)).toContain(field);
      },
    );

    it.each([
      ['an employer name', '/v1/employers', { name: 'Ac\u0000me' }, 'employers'],
      [
        'a candidate contact',
        '/v1/candidates',
        { contact: { name: 'A\u0000B', email: 'nul@example.com' } },
        'candidates',
      ],
    ])(
      'answers 400 validation_failed, not 500, for a NUL character in %s',
      async (_case, url, body, list) => {
        const { admin } = await createWorkspace(t.app);
        expectProblem(await admin.post(url, body), 400, 'validation_failed');
        expect(await countOf(admin, list)).toBe(0);
      },
    );

    // The driver would encode a lone surrogate as U+FFFD: stored altered, without a word.
    it.each([
      ['a high one', 'Ac\ud800me'],
      ['a low one', 'Ac\udc00me'],
    ])('answers 400 validation_failed naming the field for a lone surrogate (%s)', async (_case, name) => {
      const { admin } = await createWorkspace(t.app);
      const problem = expectProblem(await admin.post('/v1/employers', { name }), 400, 'validation_failed');
      expect(problem.errors).toEqual([
        { path: 'body.name', message: 'must be well-formed Unicode (it holds a lone surrogate)' },
      ]);
      expect(await countOf(admin, 'employers')).toBe(0);
      // A character outside the BMP is a pair of surrogates, and fine.
      expect((await admin.post('/v1/employers', { name: 'Ac\u{1F600}me' })).statusCode).toBe(201);
    });
  });

  describe('body limits', () => {
    it('answers 413 payload_too_large for a 2 MB JSON body and creates nothing', async () => {
      const { admin } = await createWorkspace(t.app);
      const payload = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) });
      const response = await admin.post('/v1/employers', payload, { 'content-type': 'application/json' });
      expectProblem(response, 413, 'payload_too_large');
      expect(await countOf(admin, 'employers')).toBe(0);
    });

    it('answers 413 payload_too_large for JSON just over 1 MB on answers too', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const employer = await createEmployer(t.app, adminKey);
      const job = (await admin.post('/v1/jobs', { employerId: employer.id, title: 'Job' })).json().job;
      const payload = JSON.stringify({ questionnaireId: 'mini', answers: { pad: 'x'.repeat(1_100_000) } });
      const response = await t.app.inject({
        method: 'PUT',
        url: `/v1/jobs/${job.id}/answers`,
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        payload,
      });
      expectProblem(response, 413, 'payload_too_large');
    });
  });
});

/**
 * An app whose replies fail where a test asks (header `x-fail`): `before-commit` once the handler
 * has written but before the reply is stored, `after-commit` once the reply is stored but before
 * it reaches the client — as when the database or the process dies at that moment.
 */
async function appFailingOnRequest(database: Database): Promise<FastifyInstance> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    BOOTSTRAP_PLATFORM_KEY: PLATFORM_KEY,
    BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
  });
  const app = await buildApp({ config, database, questionnaires: await testQuestionnaires(), logger: false });
  const failed = new WeakSet<FastifyRequest>();
  const failOnce = (request: FastifyRequest, when: string) => {
    if (request.headers['x-fail'] !== when || failed.has(request)) return;
    failed.add(request);
    throw new Error(`injected failure ${when}`);
  };
  app.addHook('preSerialization', async (request, _reply, payload) => {
    failOnce(request, 'before-commit');
    return payload;
  });
  app.addHook('onSend', async (request, _reply, payload) => {
    failOnce(request, 'after-commit');
    return payload;
  });
  await app.ready();
  return app;
}

describe.each(availableDatabaseKinds())('idempotency keys through failures on %s', (kind) => {
  let database: Database & { url?: string };
  let app: FastifyInstance;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    app = await appFailingOnRequest(database);
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  const employersNamed = async (workspaceId: string, name: string) =>
    (await database.db.select().from(employers)).filter(
      (e) => e.workspaceId === workspaceId && e.name === name,
    );

  it('replays the committed result to a retry when the reply was lost after the commit', async () => {
    const { workspace, admin } = await createWorkspace(app);
    const name = unique('Committed');
    const key = { 'idempotency-key': unique('after') };
    const lost = await admin.post('/v1/employers', { name }, { ...key, 'x-fail': 'after-commit' });
    expect(lost.statusCode).toBe(500);

    const retried = await admin.post('/v1/employers', { name }, key);
    expect(retried.statusCode, retried.body).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBe('true');
    const stored = await employersNamed(workspace.id, name);
    expect(stored.map((e) => e.id)).toEqual([retried.json().employer.id]);
  });

  it('runs a retry again when the first attempt failed before its commit, and keeps nothing of that attempt', async () => {
    const { workspace, admin } = await createWorkspace(app);
    const name = unique('Uncommitted');
    const key = { 'idempotency-key': unique('before') };
    const failed = await admin.post('/v1/employers', { name }, { ...key, 'x-fail': 'before-commit' });
    expect(failed.statusCode).toBe(500);
    expect(await employersNamed(workspace.id, name)).toEqual([]);

    const retried = await admin.post('/v1/employers', { name }, key);
    expect(retried.statusCode, retried.body).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect((await employersNamed(workspace.id, name)).map((e) => e.id)).toEqual([retried.json().employer.id]);
  });

  it('runs a request whose key an earlier version left "in progress" instead of refusing it for 24 h', async () => {
    const { adminKey, admin } = await createWorkspace(app);
    const key = unique('stuck');
    const caller = await findActiveKeyByHash(database.db, hashApiKey(adminKey));
    await database.db.insert(idempotencyKeys).values({
      callerId: caller!.id,
      key,
      requestHash: 'whatever the stuck request was',
      statusCode: 0,
      responseBody: '',
      createdAt: new Date(),
    });
    const response = await admin.post('/v1/employers', { name: 'Unstuck' }, { 'idempotency-key': key });
    expect(response.statusCode, response.body).toBe(201);
  });
});
