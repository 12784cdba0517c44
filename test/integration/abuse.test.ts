import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, bearer, createTestApp, PLATFORM_KEY, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { createCandidate, createEmployer, expectProblem, mintKey } from '../support/factories.ts';

describe.each(availableDatabaseKinds())('abuse gets a clear 4xx on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ kind, env: { AUTH_FAILURE_LIMIT: '3' } });
  });
  afterAll(() => t.close());

  const admin = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, extra = {}) =>
    t.app.inject({ method, url, headers: bearer(ADMIN_KEY), ...extra });
  const postJson = (url: string, payload: string) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/json' },
      payload,
    });

  describe('NUL bytes in the query string', () => {
    it.each([
      '/v1/jobs?cursor=%00',
      '/v1/jobs?externalId=a%00',
      '/v1/candidates?externalId=%00x',
      '/v1/questionnaires?locale=a%00',
    ])('answers 400 validation_failed for %s', async (url) => {
      const problem = expectProblem(await admin('GET', url), 400, 'validation_failed');
      expect(problem.errors?.[0]?.path).toMatch(/^querystring\./);
      expect(problem.detail).toContain('NUL');
    });
  });

  describe('deeply nested JSON', () => {
    it('answers 400 validation_failed for 10,000 nested arrays', async () => {
      const problem = expectProblem(
        await postJson('/v1/employers', `${'['.repeat(10_000)}${']'.repeat(10_000)}`),
        400,
        'validation_failed',
      );
      expect(problem.detail).toContain('deeper than 64');
    });

    it('answers 400 for 10,000 nested objects inside a valid field', async () => {
      const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
      expectProblem(
        await postJson('/v1/employers', `{"name":"x","extra":${deep}}`),
        400,
        'validation_failed',
      );
    });

    it('still takes brackets inside strings as text', async () => {
      const response = await postJson('/v1/employers', JSON.stringify({ name: `${'['.repeat(100)} "\\` }));
      expect(response.statusCode, response.body).toBe(201);
    });

    it('still refuses prototype poisoning, naming the key rather than calling valid JSON invalid', async () => {
      for (const body of [
        '{"name":"x","__proto__":{"admin":true}}',
        '{"name":"x","extra":{"constructor":{"prototype":{"admin":true}}}}',
      ]) {
        const problem = expectProblem(await postJson('/v1/employers', body), 400, 'validation_failed');
        expect(problem.detail).toContain('"__proto__" key');
        expect(problem.detail).not.toContain('not valid JSON');
      }
      // A key named constructor that holds no prototype is an ordinary key.
      const plain = await postJson('/v1/employers', '{"name":"constructor","extra":{"constructor":1}}');
      expect(plain.statusCode).not.toBe(500);
      expect(plain.json().detail ?? '').not.toContain('__proto__');
    });
  });

  describe('compressed bodies', () => {
    it('answers 415 naming the Content-Encoding, before reading the body, and stores nothing', async () => {
      const { gzipSync, brotliCompressSync } = await import('node:zlib');
      const json = JSON.stringify({ name: 'Compressed' });
      for (const [encoding, payload] of [
        ['gzip', gzipSync(json)],
        ['br', brotliCompressSync(json)],
      ] as const) {
        const response = await t.app.inject({
          method: 'POST',
          url: '/v1/employers',
          headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/json', 'content-encoding': encoding },
          payload,
        });
        const problem = expectProblem(response, 415, 'unsupported_media_type');
        expect(problem.detail).toBe(
          `Content-Encoding "${encoding}" is not accepted: send the body uncompressed.`,
        );
        expect(response.headers['accept-encoding']).toBe('identity');
      }
      // Authentication comes first: without a key, the answer is 401 whatever the body.
      const anonymous = await t.app.inject({
        method: 'POST',
        url: '/v1/employers',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        payload: gzipSync(json),
      });
      expect(anonymous.statusCode).toBe(401);
      const identity = await t.app.inject({
        method: 'POST',
        url: '/v1/employers',
        headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/json', 'content-encoding': 'identity' },
        payload: JSON.stringify({ name: 'Plain' }),
      });
      expect(identity.statusCode, identity.body).toBe(201);
      const names = (
        await t.app.inject({ method: 'GET', url: '/v1/employers?limit=100', headers: bearer(ADMIN_KEY) })
      )
        .json()
        .employers.map((e: { name: string }) => e.name);
      expect(names).not.toContain('Compressed');
    });
  });

  describe('declared charsets', () => {
    const send = (url: string, contentType: string, payload: string) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: { ...bearer(ADMIN_KEY), 'content-type': contentType },
        payload,
      });
    const employerNames = async () =>
      (await admin('GET', '/v1/employers?limit=100')).json().employers.map((e: { name: string }) => e.name);

    it('answers 415 naming a charset other than UTF-8 on a JSON body, and stores nothing', async () => {
      for (const charset of ['latin1', '"ISO-8859-1"', 'utf-16']) {
        const response = await send(
          '/v1/employers',
          `application/json; charset=${charset}`,
          JSON.stringify({ name: 'Latin' }),
        );
        const problem = expectProblem(response, 415, 'unsupported_media_type');
        expect(problem.detail).toBe(
          `Charset "${charset.replaceAll('"', '').toLowerCase()}" is not accepted: send the body as UTF-8 (charset=utf-8, or no charset).`,
        );
      }
      expect(await employerNames()).not.toContain('Latin');
    });

    it('answers 415 naming the charset on an NDJSON bulk body, and stores nothing', async () => {
      const line = JSON.stringify({
        externalId: 'latin-1',
        headline: 'h',
        contact: { name: 'n', email: 'l@example.com' },
      });
      const problem = expectProblem(
        await send('/v1/candidates:bulk', 'application/x-ndjson; charset=latin1', line),
        415,
        'unsupported_media_type',
      );
      expect(problem.detail).toContain('"latin1"');
      expect(problem.detail).toContain('UTF-8');
      expect((await admin('GET', '/v1/candidates?externalId=latin-1')).json().candidates).toEqual([]);
    });

    it('takes UTF-8 and US-ASCII however the charset is written', async () => {
      for (const [i, charset] of ['utf-8', 'UTF-8', '"utf-8"', 'Utf8', 'us-ascii'].entries()) {
        const response = await send(
          '/v1/employers',
          `application/json; charset=${charset}`,
          JSON.stringify({ name: `Utf ${i} é` }),
        );
        expect(response.statusCode, response.body).toBe(201);
      }
      const bulk = await send(
        '/v1/candidates:bulk',
        'application/x-ndjson;charset="UTF-8"',
        JSON.stringify({
          externalId: 'utf-1',
          headline: 'é',
          contact: { name: 'n', email: 'u@example.com' },
        }),
      );
      expect(bulk.statusCode, bulk.body).toBe(200);
      expect(bulk.json().summary.created).toBe(1);
    });
  });

  describe('errors say what to do', () => {
    it('names the line and column of a JSON syntax error', async () => {
      const problem = expectProblem(
        await postJson('/v1/employers', '{"name":\n "x",, }'),
        400,
        'validation_failed',
      );
      expect(problem.detail).toMatch(/position 14 \(line 2 column 6\)/);
    });

    it('names the line and column of an unexpected token deep in a long body', async () => {
      const body = `{"name": "${'a'.repeat(40)}",\n "externalId": x, "more": "${'b'.repeat(40)}"}`;
      const problem = expectProblem(await postJson('/v1/employers', body), 400, 'validation_failed');
      expect(problem.detail).toContain(`position ${body.indexOf('x,')} (line 2 column 16)`);
    });

    it('names where a JSON body stops short', async () => {
      const problem = expectProblem(await postJson('/v1/employers', '{"name":'), 400, 'validation_failed');
      expect(problem.detail).toMatch(/end of JSON input at position 8 \(line 1 column 9\)/);
    });

    it('names the accepted media types in a 415', async () => {
      const xml = await admin('POST', '/v1/employers', {
        headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/xml' },
        payload: '<employer/>',
      });
      expect(expectProblem(xml, 415, 'unsupported_media_type').detail).toContain('send application/json');
      const text = await admin('POST', '/v1/employers', {
        headers: { ...bearer(ADMIN_KEY), 'content-type': 'text/plain' },
        payload: 'name=x',
      });
      expect(expectProblem(text, 415, 'unsupported_media_type').detail).toContain('application/json');
      const bulk = await admin('POST', '/v1/candidates:bulk', {
        headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/xml' },
        payload: '<x/>',
      });
      expect(expectProblem(bulk, 415, 'unsupported_media_type').detail).toContain('application/x-ndjson');
    });

    it('answers 405 method_not_allowed with Allow for a wrong method on a known path', async () => {
      const response = await admin('PUT', '/v1/employers');
      const problem = expectProblem(response, 405, 'method_not_allowed');
      expect(response.headers.allow).toBe('GET, HEAD, POST');
      expect(problem.detail).toContain('GET, HEAD, POST');
      const one = await admin('POST', '/v1/jobs/00000000-0000-4000-8000-000000000000');
      expectProblem(one, 405, 'method_not_allowed');
      expect(one.headers.allow).toBe('GET, HEAD, PATCH, DELETE');
    });

    it('keeps 404 route_not_found for a path that does not exist', async () => {
      expectProblem(await admin('PUT', '/v1/nothing-here'), 404, 'route_not_found');
    });

    it('names WEBHOOK_ALLOW_INSECURE_URLS when refusing a plain-http receiver', async () => {
      const response = await admin('POST', '/v1/webhooks', {
        payload: { url: 'http://hooks.example.com/x', eventTypes: ['match.mutual'] },
      });
      expect(expectProblem(response, 400, 'validation_failed').detail).toContain(
        'WEBHOOK_ALLOW_INSECURE_URLS',
      );
    });
  });

  describe('router errors', () => {
    it('answers bad percent-encoding with problem+json and the request id', async () => {
      const response = await t.app.inject({
        url: '/v1/jobs/%E0%A4%A',
        headers: { ...bearer(ADMIN_KEY), 'x-request-id': 'bad-url-1' },
      });
      const problem = expectProblem(response, 400, 'validation_failed');
      expect(problem).toMatchObject({ requestId: 'bad-url-1' });
      expect(response.headers['x-request-id']).toBe('bad-url-1');
    });

    it('answers an over-long path parameter with 414 problem+json and the request id', async () => {
      const response = await t.app.inject({
        url: `/v1/jobs/${'a'.repeat(300)}`,
        headers: { ...bearer(ADMIN_KEY), 'x-request-id': 'long-param-1' },
      });
      expect(expectProblem(response, 414, 'uri_too_long')).toMatchObject({ requestId: 'long-param-1' });
    });
  });

  describe('failed authentications per address', () => {
    const questionnaires = (key: string, remoteAddress: string) =>
      t.app.inject({ url: '/v1/questionnaires', headers: bearer(key), remoteAddress });

    it('answers 429 with Retry-After once an address has failed too often, whatever key it tries next', async () => {
      const address = '198.51.100.7';
      for (let i = 0; i < 3; i++) {
        expectProblem(await questionnaires(`guess-${i}-0123456789abcdef`, address), 401, 'unauthorized');
      }
      const blocked = await questionnaires('yet-another-guess-0123456789', address);
      expect(expectProblem(blocked, 429, 'rate_limited').detail).toContain('failed authentications');
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      // A valid key from the blocked address waits too: otherwise guessing right would still show.
      expectProblem(await questionnaires(ADMIN_KEY, address), 429, 'rate_limited');
      // Clients on other addresses are not affected.
      expect((await questionnaires(ADMIN_KEY, '198.51.100.8')).statusCode).toBe(200);
    });

    it('counts a missing key as a failed authentication', async () => {
      const address = '198.51.100.9';
      for (let i = 0; i < 3; i++) {
        const response = await t.app.inject({ url: '/v1/questionnaires', remoteAddress: address });
        expectProblem(response, 401, 'unauthorized');
      }
      expectProblem(await questionnaires(ADMIN_KEY, address), 429, 'rate_limited');
    });

    it('does not count successful authentications', async () => {
      const address = '198.51.100.10';
      for (let i = 0; i < 5; i++) expect((await questionnaires(ADMIN_KEY, address)).statusCode).toBe(200);
    });
  });

  describe('failed authentications behind a trusted proxy', () => {
    let proxied: TestApp;
    beforeAll(async () => {
      proxied = await createTestApp({ kind, env: { AUTH_FAILURE_LIMIT: '2', TRUST_PROXY: '127.0.0.1' } });
    });
    afterAll(() => proxied.close());

    it('counts per forwarded client address', async () => {
      const call = (key: string, client: string) =>
        proxied.app.inject({
          url: '/v1/questionnaires',
          headers: { ...bearer(key), 'x-forwarded-for': client },
        });
      await call('wrong-key-1-0123456789abcdef', '203.0.113.1');
      await call('wrong-key-2-0123456789abcdef', '203.0.113.1');
      expectProblem(await call(ADMIN_KEY, '203.0.113.1'), 429, 'rate_limited');
      expect((await call(ADMIN_KEY, '203.0.113.2')).statusCode).toBe(200);
    });
  });

  describe('role checks come before body validation', () => {
    it('answers 404 not_found to every key outside each route, whatever the body', async () => {
      const employer = await createEmployer(t.app, ADMIN_KEY);
      const candidate = await createCandidate(t.app, ADMIN_KEY);
      const keys = {
        platform: PLATFORM_KEY,
        admin: ADMIN_KEY,
        employer: (await mintKey(t.app, ADMIN_KEY, { role: 'employer', employerId: employer.id })).key,
        candidate: (await mintKey(t.app, ADMIN_KEY, { role: 'candidate', candidateId: candidate.id })).key,
      };
      const routes = t.app.keyedRoutes.filter((route) => route.method !== 'HEAD');
      expect(routes.length).toBeGreaterThan(40);
      let refusals = 0;
      for (const route of routes) {
        const url = route.url
          .replace(/(?<!:):(?!:)[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000')
          .replaceAll('::', ':');
        for (const [role, key] of Object.entries(keys)) {
          if (route.roles.includes(role as keyof typeof keys)) continue;
          for (const payload of ['{"unexpected": [1, 2, {"shape": true}]}', '{not json']) {
            const response = await t.app.inject({
              method: route.method as 'GET',
              url: `${url}?limit=not-a-number`,
              headers: { ...bearer(key), 'content-type': 'application/json' },
              ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload }),
            });
            expect(response.statusCode, `${role} ${route.method} ${route.url}: ${response.body}`).toBe(404);
            expect(response.json()).toMatchObject({ code: 'not_found' });
            refusals++;
          }
        }
      }
      expect(refusals).toBeGreaterThan(100);
    });
  });
});
