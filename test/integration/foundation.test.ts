import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { workspaces } from '../../src/db/schema.ts';
import { ADMIN_KEY, bearer, createTestApp, PLATFORM_KEY, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds, createTestDatabase } from '../support/database.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Asserts an RFC 9457 problem with this status and code, and returns its body. */
function expectProblem(response: LightMyRequestResponse, status: number, code: string) {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = response.json();
  expect(problem).toMatchObject({
    type: expect.stringContaining(code.replaceAll('_', '-')),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code,
    requestId: expect.any(String),
  });
  expect(problem.requestId).toBe(response.headers['x-request-id']);
  return problem;
}

describe.each(availableDatabaseKinds())('foundation on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ kind });
  });
  afterAll(() => t.close());

  const get = (url: string, key?: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers: { ...(key ? bearer(key) : {}), ...headers } });
  const post = (url: string, key: string, payload: object) =>
    t.app.inject({ method: 'POST', url, headers: bearer(key), payload });

  describe('health', () => {
    it('answers /healthz without a key', async () => {
      const response = await get('/healthz');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ok' });
    });

    it('reports ready on /readyz once the database answers and the match index is loaded', async () => {
      const response = await get('/readyz');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ready', checks: { database: 'ok', matchIndex: 'ok' } });
    });
  });

  describe('authentication', () => {
    it.each([
      ['no key', {}],
      ['a wrong key', bearer('mf_this-key-was-never-issued-0123456789')],
      ['a Basic Authorization header', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['Bearer without a key', { authorization: 'Bearer' }],
      ['a key with a space in it', { authorization: `Bearer ${ADMIN_KEY} extra` }],
    ])('answers 401 unauthorized problem+json for %s', async (_case, headers) => {
      const response = await t.app.inject({ method: 'GET', url: '/v1/workspace', headers });
      const problem = expectProblem(response, 401, 'unauthorized');
      expect(problem.requestId).toMatch(/\S/);
    });

    it('lets the bootstrap admin key into the default workspace', async () => {
      const response = await get('/v1/workspace', ADMIN_KEY);
      expect(response.statusCode).toBe(200);
      expect(response.json().workspace).toMatchObject({ name: 'default', scoreMethod: 'harmonic' });
    });
  });

  describe('workspaces', () => {
    it('lets the platform key create a workspace whose admin key sees only that workspace', async () => {
      const created = await post('/v1/workspaces', PLATFORM_KEY, { name: 'Acme jobs' });
      expect(created.statusCode).toBe(201);
      const { workspace, adminKey } = created.json();
      expect(workspace).toMatchObject({ id: expect.stringMatching(uuidPattern), name: 'Acme jobs' });
      expect(adminKey).toMatch(/^mf_/);

      const seen = await get('/v1/workspace', adminKey);
      expect(seen.statusCode).toBe(200);
      expect(seen.json().workspace).toMatchObject({ id: workspace.id, name: 'Acme jobs' });
      expect(seen.json().workspace.name).not.toBe('default');
    });

    it('answers 404, not 403, when an admin key calls a platform endpoint', async () => {
      const response = await post('/v1/workspaces', ADMIN_KEY, { name: 'Sneaky' });
      expectProblem(response, 404, 'not_found');
    });

    it('answers 404 when the platform key asks for a workspace of its own', async () => {
      expectProblem(await get('/v1/workspace', PLATFORM_KEY), 404, 'not_found');
    });
  });

  describe('questionnaires', () => {
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
        for (const other of shapeFields.filter((f) => f !== field))
          expect(criterion).not.toHaveProperty(other);
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
      const problem = expectProblem(response, 400, 'unsupported_locale');
      expect(problem.detail).toContain('en, nl, fr');
    });

    it('answers 404 not_found for an unknown questionnaire', async () => {
      expectProblem(await get('/v1/questionnaires/no-such-thing', ADMIN_KEY), 404, 'not_found');
      expectProblem(await get('/v1/questionnaires/work-fit?version=99', ADMIN_KEY), 404, 'not_found');
    });

    it('answers 400 validation_failed naming version for ?version=abc', async () => {
      const response = await get('/v1/questionnaires/work-fit?version=abc', ADMIN_KEY);
      const problem = expectProblem(response, 400, 'validation_failed');
      expect(problem.errors[0].path).toContain('version');
    });

    it('answers 401 for questionnaires without a key', async () => {
      expectProblem(await get('/v1/questionnaires'), 401, 'unauthorized');
    });
  });

  describe('requests and headers', () => {
    it('answers 404 route_not_found problem+json for an unknown route', async () => {
      const problem = expectProblem(await get('/v1/nothing-here', ADMIN_KEY), 404, 'route_not_found');
      expect(problem.detail).toContain('/v1/nothing-here');
    });

    it('echoes a valid incoming x-request-id in the header and the problem', async () => {
      const response = await get('/v1/workspace', undefined, { 'x-request-id': 'partner-req.42_A' });
      expect(response.headers['x-request-id']).toBe('partner-req.42_A');
      expect(expectProblem(response, 401, 'unauthorized').requestId).toBe('partner-req.42_A');
    });

    it('generates a fresh request id when none is sent', async () => {
      const first = await get('/healthz');
      const second = await get('/healthz');
      expect(first.headers['x-request-id']).toMatch(uuidPattern);
      expect(second.headers['x-request-id']).toMatch(uuidPattern);
      expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
    });

    it.each([
      ['markup and spaces', 'has spaces <script>'],
      ['over 64 characters', 'a'.repeat(200)],
    ])('replaces an incoming x-request-id with %s by a fresh one', async (_case, unsafe) => {
      const response = await get('/v1/workspace', undefined, { 'x-request-id': unsafe });
      expect(response.headers['x-request-id']).toMatch(uuidPattern);
      expect(expectProblem(response, 401, 'unauthorized').requestId).toMatch(uuidPattern);
    });

    it('sets the security headers from helmet', async () => {
      const response = await get('/healthz');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(response.headers['content-security-policy']).toBeDefined();
    });
  });

  describe('API keys', () => {
    it('mints an admin key shown once, lists it without its secret, and revokes it', async () => {
      const minted = await post('/v1/api-keys', ADMIN_KEY, { role: 'admin', label: 'ci' });
      expect(minted.statusCode).toBe(201);
      const { apiKey } = minted.json();
      expect(apiKey).toMatchObject({ id: expect.stringMatching(uuidPattern), role: 'admin', label: 'ci' });
      expect(apiKey.key).toMatch(/^mf_[A-Za-z0-9_-]{40,}$/);
      expect((await get('/v1/workspace', apiKey.key)).json().workspace.name).toBe('default');

      const listed = await get('/v1/api-keys?limit=100', ADMIN_KEY);
      expect(listed.statusCode).toBe(200);
      const entry = listed.json().apiKeys.find((k: { id: string }) => k.id === apiKey.id);
      expect(entry).toMatchObject({ role: 'admin', keyPrefix: apiKey.key.slice(0, 10), revokedAt: null });
      for (const k of listed.json().apiKeys) {
        expect(k).not.toHaveProperty('key');
        expect(k).not.toHaveProperty('keyHash');
      }
      expect(listed.body).not.toContain(apiKey.key);

      const revoked = await t.app.inject({
        method: 'DELETE',
        url: `/v1/api-keys/${apiKey.id}`,
        headers: bearer(ADMIN_KEY),
      });
      expect(revoked.statusCode).toBe(204);
      expect(revoked.body).toBe('');
      expectProblem(await get('/v1/workspace', apiKey.key), 401, 'unauthorized');
    });

    it('answers 404 not_found when revoking an unknown key', async () => {
      const response = await t.app.inject({
        method: 'DELETE',
        url: `/v1/api-keys/${randomUUID()}`,
        headers: bearer(ADMIN_KEY),
      });
      expectProblem(response, 404, 'not_found');
    });

    it('answers 422 invalid_input when minting an employer key for an employer that does not exist', async () => {
      const response = await post('/v1/api-keys', ADMIN_KEY, { role: 'employer', employerId: randomUUID() });
      const problem = expectProblem(response, 422, 'invalid_input');
      expect(problem.errors).toEqual([{ path: 'body.employerId', message: expect.any(String) }]);
    });

    it('walks every key once with limit=1 and nextCursor', async () => {
      for (let i = 0; i < 3; i++)
        expect((await post('/v1/api-keys', ADMIN_KEY, { role: 'admin' })).statusCode).toBe(201);
      const all = (await get('/v1/api-keys?limit=100', ADMIN_KEY)).json();
      expect(all.nextCursor).toBeNull();
      expect(all.apiKeys.length).toBeGreaterThanOrEqual(4);

      const walked: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const page = await get(`/v1/api-keys?limit=1${query}`, ADMIN_KEY);
        expect(page.statusCode).toBe(200);
        expect(page.json().apiKeys.length).toBeLessThanOrEqual(1);
        walked.push(...page.json().apiKeys.map((k: { id: string }) => k.id));
        cursor = page.json().nextCursor;
        expect(walked.length).toBeLessThanOrEqual(all.apiKeys.length);
      } while (cursor);
      expect(new Set(walked).size).toBe(walked.length);
      expect(walked).toEqual(all.apiKeys.map((k: { id: string }) => k.id));
    });

    it('answers 400 invalid_cursor for a garbage cursor', async () => {
      expectProblem(await get('/v1/api-keys?cursor=not-a-cursor', ADMIN_KEY), 400, 'invalid_cursor');
    });

    it('answers 400 invalid_cursor for a well-formed cursor whose position is not an id', async () => {
      const forged = Buffer.from(JSON.stringify({ after: "x' or 1=1" })).toString('base64url');
      for (const list of ['/v1/api-keys', '/v1/candidates', '/v1/employers', '/v1/jobs', '/v1/webhooks']) {
        expectProblem(await get(`${list}?cursor=${forged}`, ADMIN_KEY), 400, 'invalid_cursor');
      }
    });

    it('answers 400 validation_failed for a limit out of range', async () => {
      expectProblem(await get('/v1/api-keys?limit=101', ADMIN_KEY), 400, 'validation_failed');
    });
  });

  describe('bootstrap admin key rotation', () => {
    let database: Database;
    const apps: TestApp[] = [];
    beforeAll(async () => {
      database = await createTestDatabase(kind);
    });
    afterAll(async () => {
      for (const app of apps) await app.close();
      await database.close();
    });

    it('revokes the old bootstrap key when the app starts with another one', async () => {
      const first = await createTestApp({ kind, database });
      apps.push(first);
      const oldKey = await first.app.inject({
        method: 'GET',
        url: '/v1/workspace',
        headers: bearer(ADMIN_KEY),
      });
      expect(oldKey.json().workspace.name).toBe('default');

      const newAdminKey = 'rotated-admin-key-for-tests-0123456789';
      const second = await createTestApp({ kind, database, env: { BOOTSTRAP_ADMIN_KEY: newAdminKey } });
      apps.push(second);
      const stale = await second.app.inject({
        method: 'GET',
        url: '/v1/workspace',
        headers: bearer(ADMIN_KEY),
      });
      expectProblem(stale, 401, 'unauthorized');
      const fresh = await second.app.inject({
        method: 'GET',
        url: '/v1/workspace',
        headers: bearer(newAdminKey),
      });
      expect(fresh.statusCode).toBe(200);
      expect(fresh.json().workspace).toEqual(oldKey.json().workspace);
      const names = await database.db.select({ name: workspaces.name }).from(workspaces);
      expect(names).toEqual([{ name: 'default' }]);
    });
  });

  describe('with a 2 kB body limit', () => {
    let limited: TestApp;
    beforeAll(async () => {
      limited = await createTestApp({ kind, env: { BODY_LIMIT_BYTES: '2048' } });
    });
    afterAll(() => limited.close());

    const createWorkspace = (payload: string) =>
      limited.app.inject({
        method: 'POST',
        url: '/v1/workspaces',
        headers: { ...bearer(PLATFORM_KEY), 'content-type': 'application/json' },
        payload,
      });
    const workspaceNames = async () =>
      (await limited.database.db.select({ name: workspaces.name }).from(workspaces)).map((row) => row.name);

    it('answers 400 validation_failed naming an unknown field, and creates nothing', async () => {
      const response = await createWorkspace(JSON.stringify({ name: 'Acme', colour: 'blue' }));
      const problem = expectProblem(response, 400, 'validation_failed');
      expect(JSON.stringify(problem.errors)).toContain('colour');
      expect(await workspaceNames()).toEqual(['default']);
    });

    it('answers 400 validation_failed for invalid JSON, and creates nothing', async () => {
      expectProblem(await createWorkspace('{ "name": "Acme", '), 400, 'validation_failed');
      expect(await workspaceNames()).toEqual(['default']);
    });

    it('answers 413 payload_too_large for a body over the limit, and creates nothing', async () => {
      const response = await createWorkspace(JSON.stringify({ name: 'x'.repeat(5000) }));
      expectProblem(response, 413, 'payload_too_large');
      expect(await workspaceNames()).toEqual(['default']);
    });
  });

  describe('with a rate limit of 3 requests', () => {
    let limited: TestApp;
    beforeAll(async () => {
      limited = await createTestApp({ kind, env: { RATE_LIMIT_MAX: '3' } });
    });
    afterAll(() => limited.close());

    it('answers the 4th request of a key with 429 rate_limited and Retry-After, but not another key', async () => {
      const call = (key: string) =>
        limited.app.inject({ method: 'GET', url: '/v1/workspace', headers: bearer(key) });
      const minted = await limited.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: bearer(ADMIN_KEY),
        payload: { role: 'admin' },
      });
      expect(minted.statusCode).toBe(201);
      expect((await call(ADMIN_KEY)).statusCode).toBe(200);
      expect((await call(ADMIN_KEY)).statusCode).toBe(200);

      const limitedResponse = await call(ADMIN_KEY);
      expectProblem(limitedResponse, 429, 'rate_limited');
      expect(Number(limitedResponse.headers['retry-after'])).toBeGreaterThan(0);

      expect((await call(minted.json().apiKey.key)).statusCode).toBe(200);
      expect((await limited.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    });
  });

  describe('CORS', () => {
    let withCors: TestApp;
    beforeAll(async () => {
      withCors = await createTestApp({ kind, env: { CORS_ORIGINS: 'https://partner.example' } });
    });
    afterAll(() => withCors.close());

    const preflight = (origin: string) =>
      withCors.app.inject({
        method: 'OPTIONS',
        url: '/v1/questionnaires',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });

    it('allows a preflight from a configured origin', async () => {
      const response = await preflight('https://partner.example');
      expect(response.statusCode).toBeLessThan(300);
      expect(response.headers['access-control-allow-origin']).toBe('https://partner.example');
      expect(String(response.headers['access-control-allow-headers'])).toMatch(/authorization/i);
    });

    it('gives no allow-origin to a preflight from another origin', async () => {
      const response = await preflight('https://evil.example');
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('sets allow-origin on an actual request from a configured origin', async () => {
      const response = await withCors.app.inject({
        method: 'GET',
        url: '/v1/questionnaires',
        headers: { origin: 'https://partner.example', ...bearer(ADMIN_KEY) },
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['access-control-allow-origin']).toBe('https://partner.example');
    });
  });
});
