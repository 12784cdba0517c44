import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createTestApp, type TestApp } from '../support/app.ts';

/**
 * Opens a raw connection to the server, sends `head`, then trickles one byte of the body at a time
 * (at most `maxBytes`), and resolves with whatever the server answered once it closes the socket.
 */
function trickle(port: number, head: string, maxBytes: number): Promise<{ answer: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (sent < maxBytes && socket.writable) {
          socket.write('x');
          sent++;
        }
      }, 50);
    });
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, sent });
    });
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server held the socket for 20 s; answered so far: ${answer}`));
    }, 20_000).unref();
  });
}

describe('slow clients over real HTTP', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp({ env: { REQUEST_TIMEOUT_MS: '400', HEADERS_TIMEOUT_MS: '300' } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(() => t.close());

  it('cuts a body trickled slower than the request timeout with 408 problem+json', async () => {
    const head =
      'POST /v1/employers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      `Authorization: Bearer ${ADMIN_KEY}\r\nContent-Length: 100000\r\n\r\n{"name":"`;
    const { answer, sent } = await trickle(port, head, 10_000);
    expect(sent).toBeLessThan(10_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(answer).toContain('"code":"request_timeout"');
  });

  it('cuts headers that never finish', async () => {
    const { answer } = await trickle(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', 10_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('still answers a prompt request', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(response.status).toBe(200);
  });
});
