import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createTestApp, type TestApp } from '../support/app.ts';
import { type Caller, caller } from '../support/factories.ts';

/** Bounds the OpenAPI document states, held by the service. */
describe('input bounds', () => {
  let t: TestApp;
  let admin: Caller;
  beforeAll(async () => {
    t = await createTestApp();
    admin = caller(t.app, ADMIN_KEY);
  });
  afterAll(() => t.close());

  it('cuts a problem quoting a huge field name to the documented lengths', async () => {
    const key = 'k'.repeat(10_000);
    const response = await admin.post('/v1/employers', { name: 'Acme', [key]: 1 });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json();
    expect(problem.code).toBe('validation_failed');
    expect(problem.detail.length).toBeLessThanOrEqual(2000);
    for (const error of problem.errors) expect(error.message.length).toBeLessThanOrEqual(500);
  });

  it('keeps at most 100 field problems', async () => {
    const jobs = Array.from({ length: 150 }, () => ({ id: 1, capacity: 'x', preferences: 'y' }));
    const response = await admin.post('/v1/allocations', { candidates: [], jobs });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors.length).toBeLessThanOrEqual(100);
  });

  it('refuses more answers than a questionnaire has criteria', async () => {
    const answers = Object.fromEntries(
      Array.from({ length: 257 }, (_, i) => [`c${i}`, { importance: 'little' }]),
    );
    const response = await admin.post('/v1/match', { side: 'job', questionnaireId: 'work-fit', answers });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].path).toBe('body.answers');
  });

  it('refuses a JSON body that is not valid UTF-8 rather than storing U+FFFD, and stores nothing', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/employers',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      payload: Buffer.concat([Buffer.from('{"name":"Citro'), Buffer.from([0xeb]), Buffer.from('n"}')]),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'validation_failed',
      detail: 'The body is not valid UTF-8.',
    });
    const names = (await admin.get('/v1/employers?limit=100'))
      .json()
      .employers.map((e: { name: string }) => e.name);
    expect(names.filter((name: string) => name.startsWith('Citro'))).toEqual([]);
  });

  it('takes query integers in decimal digits only: not 0x10, 1e1 or padded with spaces', async () => {
    expect((await admin.get('/v1/employers?limit=16')).statusCode).toBe(200);
    for (const query of [
      '/v1/employers?limit=0x10',
      '/v1/employers?limit=1e1',
      '/v1/employers?limit=%205',
      '/v1/questionnaires/mini?version=0x1',
    ]) {
      const response = await admin.get(query);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().detail, query).toMatch(
        /^querystring\.(limit|version): must be a whole number in decimal digits$/,
      );
    }
  });

  it('names the bound a query integer is out of, not its form', async () => {
    for (const [query, message] of [
      ['/v1/employers?limit=101', 'querystring.limit: must be at most 100'],
      ['/v1/employers?limit=0', 'querystring.limit: must be at least 1'],
      ['/v1/questionnaires/mini?version=0', 'querystring.version: must be at least 1'],
    ]) {
      const response = await admin.get(query!);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().detail, query).toBe(message);
    }
  });

  it('refuses an empty PATCH', async () => {
    const response = await admin.patch('/v1/workspace', {});
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('validation_failed');
  });

  it('answers 400, not 500, for a NUL character in a query string or a path parameter', async () => {
    for (const url of ['/v1/candidates?externalId=a%00b', '/v1/questionnaires/work%00fit']) {
      const response = await admin.get(url);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().code).toBe('validation_failed');
    }
  });

  it('trims a key label', async () => {
    const response = await admin.post('/v1/api-keys', { role: 'admin', label: '  ops  ' });
    expect(response.statusCode).toBe(201);
    expect(response.json().apiKey.label).toBe('ops');
  });
});
