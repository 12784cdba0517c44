import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, createTestApp } from '../support/app.ts';

/**
 * A request that reaches the server while it closes (SIGTERM: `app.close()`) gets a problem+json
 * 503, like every other error, and `Connection: close`, so the client tries another instance.
 * Only a connection with a request in flight stays open while the server closes, so the late
 * request is pipelined behind one whose body is still arriving.
 */
describe('a request while the server closes', () => {
  it('answers 503 not_ready problem+json with Connection: close, after the request in flight', async () => {
    const t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as { port: number };
    const line = JSON.stringify({ externalId: 'a', contact: { name: 'A', email: 'a@example.com' } });
    const body = `${line}\n`;
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
    });
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    const half = Math.floor(body.length / 2);
    const arrived = new Promise((resolve) => t.app.server.once('request', resolve));
    socket.write(
      'POST /v1/candidates:bulk HTTP/1.1\r\nHost: x\r\n' +
        `Authorization: Bearer ${ADMIN_KEY}\r\nContent-Type: application/x-ndjson\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`,
    );
    // Once the server has the request (its headers parsed), start closing; the server stops
    // listening after the close hooks ran.
    await arrived;
    const closed = t.close();
    while (t.app.server.listening) await new Promise((resolve) => setTimeout(resolve, 10));
    socket.write(
      `${body.slice(half)}GET /v1/workspace HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_KEY}\r\n\r\n`,
    );
    await ended;
    await closed;

    const answers = received.split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatch(/^HTTP\/1\.1 200 /);
    const late = answers[1]!;
    expect(late).toMatch(/^HTTP\/1\.1 503 /);
    expect(late).toMatch(/\r\ncontent-type: application\/problem\+json/i);
    expect(late).toMatch(/\r\nconnection: close\r\n/i);
    const problem = JSON.parse(late.slice(late.indexOf('\r\n\r\n') + 4));
    expect(problem).toMatchObject({ status: 503, code: 'not_ready' });
    expect(problem.detail).toContain('shutting down');
    expect(problem.requestId).toEqual(expect.any(String));
  }, 60_000);
});
