import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, bearer, createTestApp, type TestApp } from '../support/app.ts';

describe('the service over real HTTP', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp();
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  /** GET with the path sent as written (fetch would resolve `..` and `%2e` first, as curl --path-as-is does not). */
  function getAsIs(path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(`${base}/`, { path }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('answers a path climbing out of the API reference’s assets as no route (404), not as a server error', async () => {
    for (const path of [
      '/docs/static/../../package.json',
      '/docs/static/%2e',
      '/docs/static/%2e%2e/%2e%2e/package.json',
    ]) {
      const { status, body } = await getAsIs(path);
      expect(status, `${path}: ${body}`).toBe(404);
      expect(JSON.parse(body)).toMatchObject({ code: 'route_not_found' });
    }
  });

  /** The raw response to `head` (request line and headers) sent as written on a new connection. */
  function sendRaw(head: string): Promise<string> {
    const { hostname, port } = new URL(base);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.end(head));
      let response = '';
      socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
      socket.on('end', () => resolve(response));
      socket.on('error', reject);
    });
  }

  it('answers an HTTP/1.1 request without a Host header with a problem naming the header', async () => {
    const response = await sendRaw('GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n');
    const [head, body] = response.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/content-type: application\/problem\+json/i);
    expect(head).toMatch(/x-request-id: \S+/i);
    expect(JSON.parse(body!)).toMatchObject({
      code: 'validation_failed',
      detail: expect.stringContaining('Host'),
    });
  });

  it('still serves an HTTP/1.0 request without a Host header, which that version allows', async () => {
    const response = await sendRaw('GET /healthz HTTP/1.0\r\n\r\n');
    expect(response).toMatch(/^HTTP\/1\.[01] 200 /);
  });

  it('listens on a loopback port', () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers /healthz with JSON, a request id and security headers', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('x-request-id')).toMatch(/\S/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('serves the localized questionnaire to an admin key', async () => {
    const response = await fetch(`${base}/v1/questionnaires/work-fit?locale=fr`, {
      headers: bearer(ADMIN_KEY),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const { questionnaire } = (await response.json()) as {
      questionnaire: { title: string; criteria: unknown[] };
    };
    expect(questionnaire).toMatchObject({ id: 'work-fit', version: 1, locale: 'fr' });
    expect(questionnaire.title).toBe('Compatibilité professionnelle');
    expect(questionnaire.criteria.length).toBeGreaterThanOrEqual(24);
  });

  it('answers 401 unauthorized problem+json without a key', async () => {
    const response = await fetch(`${base}/v1/questionnaires`, {
      headers: { 'x-request-id': 'http-test-401' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('x-request-id')).toBe('http-test-401');
    expect(await response.json()).toMatchObject({
      status: 401,
      code: 'unauthorized',
      requestId: 'http-test-401',
      detail: expect.stringContaining('Bearer'),
    });
  });

  it('answers 400 validation_failed for a body that is not JSON', async () => {
    const response = await fetch(`${base}/v1/api-keys`, {
      method: 'POST',
      headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/json' },
      body: '{"role":',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ status: 400, code: 'validation_failed' });
  });
});
