import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, plainRequests, useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { expectTracedProblem, uuidPattern } from '../support/factories.ts';

describe.each(availableDatabaseKinds())('request ids and headers on %s', (kind) => {
  const t = useTestApp({ kind });
  const { get, post } = plainRequests(t);

  it('answers 404 route_not_found problem+json for an unknown route', async () => {
    const problem = expectTracedProblem(await get('/v1/nothing-here', ADMIN_KEY), 404, 'route_not_found');
    expect(problem.detail).toContain('/v1/nothing-here');
  });

  it('echoes a valid incoming x-request-id in the header and the problem', async () => {
    const response = await get('/v1/workspace', undefined, { 'x-request-id': 'partner-req.42_A' });
    expect(response.headers['x-request-id']).toBe('partner-req.42_A');
    expect(expectTracedProblem(response, 401, 'unauthorized').requestId).toBe('partner-req.42_A');
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
    expect(expectTracedProblem(response, 401, 'unauthorized').requestId).toMatch(uuidPattern);
  });

  it('names the Bearer scheme on every 401 (a missing, unknown or malformed key)', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer mf_not-a-real-key-at-all-000000' },
      { authorization: 'Basic eDp5' },
    ];
    for (const headers of attempts) {
      const response = await get('/v1/workspace', undefined, headers);
      expectTracedProblem(response, 401, 'unauthorized');
      expect(response.headers['www-authenticate']).toBe('Bearer realm="mutualfit"');
    }
    expect((await get('/v1/workspace', ADMIN_KEY)).headers['www-authenticate']).toBeUndefined();
  });

  // API answers carry keys, session tokens, webhook secrets and contact details.
  it('tells caches and browsers to keep no API answer, a minted key and an error included', async () => {
    const minted = await post('/v1/api-keys', ADMIN_KEY, { role: 'admin' });
    expect(minted.statusCode, minted.body).toBe(201);
    for (const response of [
      minted,
      await get('/v1/workspace', ADMIN_KEY),
      await get('/v1/workspace'),
      await get('/v1/nothing-here', ADMIN_KEY),
    ]) {
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it('sets the security headers from helmet', async () => {
    const response = await get('/healthz');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['content-security-policy']).toBeDefined();
  });
});
