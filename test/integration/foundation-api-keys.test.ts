import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, bearer, plainRequests, useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { expectTracedProblem, uuidPattern } from '../support/factories.ts';

describe.each(availableDatabaseKinds())('API keys on %s', (kind) => {
  const t = useTestApp({ kind });
  const { get, post } = plainRequests(t);

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
    expectTracedProblem(await get('/v1/workspace', apiKey.key), 401, 'unauthorized');
  });

  it('answers 404 not_found when revoking an unknown key', async () => {
    const response = await t.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${randomUUID()}`,
      headers: bearer(ADMIN_KEY),
    });
    expectTracedProblem(response, 404, 'not_found');
  });

  it('answers 422 invalid_input when minting an employer key for an employer that does not exist', async () => {
    const response = await post('/v1/api-keys', ADMIN_KEY, { role: 'employer', employerId: randomUUID() });
    const problem = expectTracedProblem(response, 422, 'invalid_input');
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
    expectTracedProblem(await get('/v1/api-keys?cursor=not-a-cursor', ADMIN_KEY), 400, 'invalid_cursor');
  });

  it('answers 400 invalid_cursor for a well-formed cursor whose position is not an id', async () => {
    const forged = Buffer.from(JSON.stringify({ after: "x' or 1=1" })).toString('base64url');
    for (const list of ['/v1/api-keys', '/v1/candidates', '/v1/employers', '/v1/jobs', '/v1/webhooks']) {
      expectTracedProblem(await get(`${list}?cursor=${forged}`, ADMIN_KEY), 400, 'invalid_cursor');
    }
  });

  it('answers 400 validation_failed for a limit out of range', async () => {
    expectTracedProblem(await get('/v1/api-keys?limit=101', ADMIN_KEY), 400, 'validation_failed');
  });
});
