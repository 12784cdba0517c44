import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { sql } from '../../src/db/orm.ts';
import { loggerOptions } from '../../src/logger.ts';
import { ADMIN_KEY, bearer, createTestApp, PLATFORM_KEY, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds, createTestDatabase } from '../support/database.ts';
import { createCandidate, createWorkspace } from '../support/factories.ts';

const EMAIL = 'secret.person@example.com';
const PHONE = '+32 470 00 00 00';
const SESSION_TOKEN = 'mfs_session-token-for-the-redaction-probe';

/** The app's own logger options (its redaction), at info level, writing into memory. */
function capturingLogger() {
  const lines: string[] = [];
  // NODE_ENV production: never the pino-pretty transport, which cannot be combined with a stream.
  const options = loggerOptions({ LOG_LEVEL: 'info', NODE_ENV: 'production' });
  return {
    lines,
    text: () => lines.join(''),
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    logger: { ...(options as object), stream: { write: (line: string) => void lines.push(line) } },
  };
}

describe('logging', () => {
  const capture = capturingLogger();
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ logger: capture.logger });
  });
  afterAll(() => t.close());
  beforeEach(() => {
    capture.lines.length = 0;
  });

  it('logs each request with its request id as JSON', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/v1/workspace',
      headers: { ...bearer(ADMIN_KEY), 'x-request-id': 'log-test-request-1' },
    });
    expect(response.statusCode).toBe(200);
    const entries = capture.entries();
    expect(entries.length).toBeGreaterThanOrEqual(2);
    expect(entries.filter((entry) => entry.reqId === 'log-test-request-1').length).toBeGreaterThanOrEqual(2);
    expect(capture.text()).toContain('"statusCode":200');
  });

  it('never logs the API key or the contact details of a request body', async () => {
    // The admin key is refused (404) before its body is validated; the platform key's body fails.
    const requests = [
      { key: PLATFORM_KEY, id: 'log-test-contact-1', status: 400, code: 'validation_failed' },
      { key: ADMIN_KEY, id: 'log-test-contact-2', status: 404, code: 'not_found' },
    ];
    for (const { key, id, status, code } of requests) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/workspaces',
        headers: { ...bearer(key), 'x-request-id': id },
        payload: { name: 'Acme', contact: { email: EMAIL, phone: PHONE } },
      });
      expect(response.statusCode).toBe(status);
      expect(response.json().code).toBe(code);
    }
    const text = capture.text();
    expect(text).toContain('log-test-contact-1');
    expect(text).toContain('log-test-contact-2');
    for (const secret of [PLATFORM_KEY, ADMIN_KEY, EMAIL, PHONE, 'secret.person']) {
      expect(text).not.toContain(secret);
    }
  });

  it('logs of a query only the plain parameters’ values: not an externalId, not a token put in the URL', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/v1/candidates?externalId=${encodeURIComponent(EMAIL)}&limit=5&access_token=${SESSION_TOKEN}`,
      headers: { ...bearer(ADMIN_KEY), 'x-request-id': 'log-test-query-1' },
    });
    expect(response.statusCode).toBe(400); // access_token is not a parameter of this list
    const logged = capture
      .entries()
      .map((entry) => (entry.req as { url?: string } | undefined)?.url)
      .filter((url) => url !== undefined);
    expect(logged).toEqual(['/v1/candidates?externalId=…&limit=5&access_token=…']);
    for (const secret of [EMAIL, encodeURIComponent(EMAIL), SESSION_TOKEN])
      expect(capture.text()).not.toContain(secret);
  });

  it('does not log a newly minted key', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/workspaces',
      headers: bearer(PLATFORM_KEY),
      payload: { name: 'Logged workspace' },
    });
    expect(response.statusCode).toBe(201);
    expect(capture.text()).not.toContain(response.json().adminKey);
  });

  it('redacts keys and contact details that code logs alongside a message', () => {
    t.app.log.info(
      {
        candidate: { contact: { name: 'Secret Person', email: EMAIL, phone: PHONE } },
        contact: { email: EMAIL },
        apiKey: { key: ADMIN_KEY },
        adminKey: PLATFORM_KEY,
        session: { token: SESSION_TOKEN },
        req: { headers: { authorization: `Bearer ${ADMIN_KEY}` } },
      },
      'redaction probe',
    );
    const text = capture.text();
    expect(text).toContain('redaction probe');
    expect(text).toContain('[redacted]');
    for (const secret of [ADMIN_KEY, PLATFORM_KEY, SESSION_TOKEN, EMAIL, PHONE, 'Secret Person']) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('logging while the match index loads', () => {
  const capture = capturingLogger();
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ logger: capture.logger });
  });
  afterAll(() => t.close());

  it('answers 503 not_ready saying the index is loading, logged at info without an error', async () => {
    t.app.matchIndex.loaded = false;
    try {
      const response = await t.app.inject({
        method: 'GET',
        url: '/readyz',
        headers: { 'x-request-id': 'log-test-loading' },
      });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({
        code: 'not_ready',
        detail: 'Not ready yet: the match index is still loading.',
      });
    } finally {
      t.app.matchIndex.loaded = true;
    }
    const entry = capture.entries().find((e) => e.reqId === 'log-test-loading' && e.check !== undefined);
    expect(entry).toMatchObject({ level: 30, msg: 'not ready yet', check: 'matchIndex' });
    expect(entry?.err).toBeUndefined();
    expect(capture.entries().filter((e) => e.level === 40)).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });
});

describe('logging when the database is gone', () => {
  const capture = capturingLogger();
  let database: Database;
  let t: TestApp;
  beforeAll(async () => {
    database = await createTestDatabase();
    t = await createTestApp({ database, logger: capture.logger });
    await database.close();
  });
  afterAll(() => t.close());

  it('logs a failed readiness check as a warning and answers 503 not_ready', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/readyz',
      headers: { 'x-request-id': 'log-test-ready' },
    });
    expect(response.statusCode).toBe(503);
    expect(response.json().code).toBe('not_ready');
    const warning = capture.entries().find((entry) => entry.msg === 'readiness check failed');
    expect(warning).toMatchObject({ level: 40, reqId: 'log-test-ready', check: 'database' });
    expect(warning?.err).toBeDefined();
  });

  it('logs an unhandled error with its request id but not the key, and answers a bare 500', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/v1/workspace',
      headers: { ...bearer(ADMIN_KEY), 'x-request-id': 'log-test-error' },
    });
    expect(response.statusCode).toBe(500);
    const problem = response.json();
    expect(problem).toMatchObject({ code: 'internal', requestId: 'log-test-error' });
    expect(problem.detail).not.toMatch(/select|api_keys|closed|pool/i);
    const error = capture.entries().find((entry) => entry.level === 50);
    expect(error).toMatchObject({ reqId: 'log-test-error', msg: 'unhandled error' });
    expect(error?.err).toBeDefined();
    expect(capture.text()).not.toContain(ADMIN_KEY);
  });
});

/**
 * A database error the code does not map (a constraint a DBA added, a trigger, a future
 * migration's) is a 500, and its log line says which constraint of which table, not the row:
 * PostgreSQL's `detail` ("Failing row contains (…)") would put contact details and answers there.
 */
describe.each(availableDatabaseKinds())('database errors in the logs on %s', (kind) => {
  const capture = capturingLogger();
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ kind, logger: capture.logger });
    await t.database.db.execute(
      sql.raw(
        `alter table candidate_contacts add constraint probe_no_boom check (email not like '%boom%') not valid`,
      ),
    );
    await t.database.db.execute(
      sql.raw(
        `alter table answer_sets add constraint probe_no_marked_salary check (answers::text not like '%4567%') not valid`,
      ),
    );
  });
  afterAll(() => t.close());

  const contact = { name: 'Boom Secretperson', email: 'boom-secret@example.com', phone: '+32 499 77 66 55' };
  const personal = ['Secretperson', 'boom-secret', '499 77 66', '4567'];

  it('logs which constraint failed, never the row: a candidate, a bulk line, an answer set', async () => {
    const { admin, adminKey } = await createWorkspace(t.app);
    expect((await admin.post('/v1/candidates', { headline: 'Boom', contact })).statusCode).toBe(500);
    const bulk = await t.app.inject({
      method: 'POST',
      url: '/v1/candidates:bulk',
      headers: { ...bearer(adminKey), 'content-type': 'application/x-ndjson' },
      payload: JSON.stringify({ externalId: 'boom-1', contact }),
    });
    expect(bulk.json().results[0], bulk.body).toMatchObject({ status: 'error', error: { code: 'internal' } });
    const candidate = await createCandidate(t.app, adminKey);
    const answers = await admin.put(`/v1/candidates/${candidate.id}/answers`, {
      questionnaireId: 'mini',
      answers: { salary: { value: 4567, accept: { min: 3200 }, importance: 'very' } },
    });
    expect(answers.statusCode, answers.body).toBe(500);

    const failures = capture.entries().filter((entry) => (entry.level as number) >= 40 && entry.err);
    const constraints = failures.map((entry) => (entry.err as { constraint?: string }).constraint);
    expect(constraints).toEqual(expect.arrayContaining(['probe_no_boom', 'probe_no_marked_salary']));
    expect(failures.every((entry) => (entry.err as { code?: string }).code === '23514')).toBe(true);
    // Each with its request's id, the bulk line's too: an operator finds the request it failed in.
    expect(failures.every((entry) => typeof entry.reqId === 'string')).toBe(true);
    // Each as a word: '4567' also turns up inside a timestamp or an id, where it is no one's salary.
    const logged = capture.text();
    for (const text of personal) expect(logged).not.toMatch(asWord(text));
  });
});

/** `text` not inside a longer word, number or id (a timestamp's digits, a uuid's hex groups). */
function asWord(text: string): RegExp {
  return new RegExp(`(?<![\\w-])${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`);
}
