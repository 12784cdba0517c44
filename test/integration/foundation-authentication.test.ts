import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, bearer, plainRequests, useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { expectTracedProblem } from '../support/factories.ts';

describe.each(availableDatabaseKinds())('authentication on %s', (kind) => {
  const t = useTestApp({ kind });
  const { get } = plainRequests(t);

  it.each([
    ['no key', {}],
    ['a wrong key', bearer('mf_this-key-was-never-issued-0123456789')],
    ['a Basic Authorization header', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['Bearer without a key', { authorization: 'Bearer' }],
    ['a key with a space in it', { authorization: `Bearer ${ADMIN_KEY} extra` }],
  ])('answers 401 unauthorized problem+json for %s', async (_case, headers) => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/workspace', headers });
    const problem = expectTracedProblem(response, 401, 'unauthorized');
    expect(problem.requestId).toMatch(/\S/);
  });

  // Node keeps the first of several; a proxy in front may have checked another.
  it('answers 401 to a request with several Authorization headers, a valid key among them', async () => {
    for (const keys of [
      [ADMIN_KEY, ADMIN_KEY],
      [ADMIN_KEY, 'mf_this-key-was-never-issued-0123456789'],
    ]) {
      const response = await t.app.inject({
        method: 'GET',
        url: '/v1/workspace',
        // light-my-request sends an array as repeated headers; its types say string.
        headers: { authorization: keys.map((key) => `Bearer ${key}`) as unknown as string },
      });
      expect(expectTracedProblem(response, 401, 'unauthorized').detail).toBe(
        'Send one Authorization header; this request has several.',
      );
    }
  });

  it('lets the bootstrap admin key into the default workspace', async () => {
    const response = await get('/v1/workspace', ADMIN_KEY);
    expect(response.statusCode).toBe(200);
    expect(response.json().workspace).toMatchObject({ name: 'default', scoreMethod: 'harmonic' });
  });
});
