import { once } from 'node:events';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { createWorkspace, expectProblem, miniAnswers, uniqueEmail } from '../support/factories.ts';

interface BulkReply {
  results: {
    line: number;
    status: string;
    id?: string;
    externalId?: string;
    error?: { code: string; detail: string };
  }[];
  summary: { created: number; updated: number; failed: number };
}

const candidate = (externalId: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ externalId, contact: { name: `P ${externalId}`, email: uniqueEmail() }, ...extra });

/** A body as a stream of `size`-byte reads: lines split across them, as a slow client sends it. */
const trickle = (body: string, size: number) => {
  const bytes = Buffer.from(body);
  return Readable.from(
    Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
      bytes.subarray(i * size, (i + 1) * size),
    ),
  );
};

/** A line's outcome without its id (ids differ from one workspace to the next). */
const outcomes = (reply: BulkReply) =>
  reply.results.map(({ line, status, externalId, error }) => ({
    line,
    status,
    externalId,
    code: error?.code,
  }));

/** A body of every kind of line: good, bad JSON, a schema error, bad answers, a repeat, blanks, CRLF, no final newline. */
function mixedBody() {
  return [
    candidate('a', miniAnswers()),
    '',
    'not json',
    candidate('b', { nickname: 'x' }),
    candidate('c', { questionnaireId: 'mini', answers: { remote: { value: 9, importance: 'very' } } }),
    candidate('a'),
    '   ',
    candidate('d'),
  ].join('\r\n');
}

describe.each(availableDatabaseKinds())('bulk bodies streamed in on %s', (kind) => {
  let t: TestApp;
  let small: TestApp;
  let oneThread: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ kind });
    small = await createTestApp({ kind, env: { BULK_BODY_LIMIT_BYTES: '2048' } });
    oneThread = await createTestApp({ kind, env: { INGEST_WORKERS: '0' } });
  });
  afterAll(async () => {
    await Promise.all([t.close(), small.close(), oneThread.close()]);
  });

  const post = (
    app: TestApp,
    key: string,
    payload: string | Readable,
    headers: Record<string, string> = {},
  ) =>
    app.app.inject({
      method: 'POST',
      url: '/v1/candidates:bulk',
      headers: { ...bearer(key), 'content-type': 'application/x-ndjson', ...headers },
      payload,
    });

  it('answers a body that arrives in many small reads as the same body sent at once', async () => {
    const body = mixedBody();
    const whole = await post(t, (await createWorkspace(t.app)).adminKey, body);
    const streamed = await post(t, (await createWorkspace(t.app)).adminKey, trickle(body, 7));
    expect(streamed.statusCode, streamed.body.slice(0, 500)).toBe(200);
    expect(outcomes(streamed.json())).toEqual(outcomes(whole.json()));
    expect(outcomes(streamed.json())).toEqual([
      { line: 1, status: 'created', externalId: 'a', code: undefined },
      { line: 3, status: 'error', externalId: undefined, code: 'validation_failed' },
      { line: 4, status: 'error', externalId: 'b', code: 'validation_failed' },
      { line: 5, status: 'error', externalId: 'c', code: 'invalid_answers' },
      { line: 6, status: 'error', externalId: 'a', code: 'invalid_input' },
      { line: 8, status: 'created', externalId: 'd', code: undefined },
    ]);
  });

  it('answers the same on the ingest threads as on the request’s thread (INGEST_WORKERS=0)', async () => {
    const body = mixedBody();
    const threads = await post(t, (await createWorkspace(t.app)).adminKey, body);
    const calling = await post(oneThread, (await createWorkspace(oneThread.app)).adminKey, body);
    expect(calling.statusCode).toBe(200);
    const withoutIds = (reply: BulkReply) => ({
      ...reply,
      results: reply.results.map(({ id: _id, ...rest }) => rest),
    });
    expect(withoutIds(calling.json())).toEqual(withoutIds(threads.json()));
  });

  it.each([
    ['whose length is declared', (body: string) => body],
    ['that arrives in pieces without a declared length', (body: string) => trickle(body, 100)],
  ])(
    'answers 413 payload_too_large for a body over the limit %s, and stores none of it',
    async (_case, send) => {
      const { adminKey, admin } = await createWorkspace(small.app);
      const body = Array.from({ length: 30 }, (_, i) => candidate(`big-${i}`)).join('\n');
      expect(Buffer.byteLength(body)).toBeGreaterThan(2048);
      expectProblem(await post(small, adminKey, send(body)), 413, 'payload_too_large');
      expect((await admin.get('/v1/candidates')).json().candidates).toEqual([]);
    },
  );

  it('answers 413 at once to a body announced over the limit, over HTTP, before it has arrived', async () => {
    const { adminKey, admin } = await createWorkspace(small.app);
    const address = await small.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    const socket = connect(Number(port), '127.0.0.1');
    socket.write(
      [
        'POST /v1/candidates:bulk HTTP/1.1',
        'host: 127.0.0.1',
        `authorization: Bearer ${adminKey}`,
        'content-type: application/x-ndjson',
        'content-length: 1000000',
        '',
        candidate('early'),
      ].join('\r\n'),
    );
    // Without the check the server would wait for the other 999,9xx bytes (then time out, 408).
    const [answer] = (await once(socket, 'data')) as [Buffer];
    socket.destroy();
    expect(answer.toString('latin1')).toMatch(/^HTTP\/1\.1 413 /);
    expect((await admin.get('/v1/candidates')).json().candidates).toEqual([]);
  });

  it('answers 400 naming the first line that is not valid UTF-8, and stores none of the body', async () => {
    const { adminKey, admin } = await createWorkspace(t.app);
    const body = Buffer.concat([
      Buffer.from(`${candidate('fine')}\n`),
      Buffer.from('{"externalId":"latin1","contact":{"name":"Zo'),
      Buffer.from([0xeb]), // ë in Latin-1: not UTF-8
      Buffer.from('","email":"z@x.io"}}\n'),
    ]);
    const response = await post(t, adminKey, Readable.from([body]));
    const problem = expectProblem(response, 400, 'validation_failed');
    expect(problem.detail).toBe('body: line 2 is not valid UTF-8; send the body as UTF-8');
    expect((await admin.get('/v1/candidates')).json().candidates).toEqual([]);
  });

  it('answers 400 validation_failed for a NUL byte anywhere in the body, and stores none of it', async () => {
    const { adminKey, admin } = await createWorkspace(t.app);
    const body = `${candidate('fine')}\n{"externalId":"nul\u0000","contact":{"name":"N","email":"n@x.io"}}`;
    const problem = expectProblem(await post(t, adminKey, trickle(body, 16)), 400, 'validation_failed');
    expect(problem.detail).toContain('NUL');
    expect((await admin.get('/v1/candidates')).json().candidates).toEqual([]);
  });

  it('replays a streamed bulk request sent again with its Idempotency-Key, and refuses the key with another body', async () => {
    const { adminKey } = await createWorkspace(t.app);
    const headers = { 'idempotency-key': `bulk-${uniqueEmail()}` };
    const body = [candidate('k-1'), candidate('k-2')].join('\n');
    const first = await post(t, adminKey, trickle(body, 10), headers);
    const again = await post(t, adminKey, trickle(body, 13), headers);
    expect(first.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const other = await post(t, adminKey, candidate('k-3'), headers);
    expectProblem(other, 422, 'idempotency_key_reused');
  });

  it('writes a 2,500-line request with an Idempotency-Key in its one transaction, batch after batch', async () => {
    const { adminKey, admin } = await createWorkspace(t.app);
    const headers = { 'idempotency-key': `bulk-${uniqueEmail()}` };
    const body = Array.from({ length: 2_500 }, (_, i) => candidate(`t-${i}`, miniAnswers())).join('\n');
    const first = await post(t, adminKey, trickle(body, 65_536), headers);
    expect(first.statusCode, first.body.slice(0, 500)).toBe(200);
    expect((first.json() as BulkReply).summary).toEqual({
      created: 2_500,
      updated: 0,
      unchanged: 0,
      failed: 0,
    });
    const again = await post(t, adminKey, body, headers);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const listed = (await admin.get('/v1/candidates?limit=1&externalId=t-2499')).json().candidates;
    expect(listed).toHaveLength(1);
  });
});
