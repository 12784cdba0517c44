import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions } from '../../src/logger.ts';
import { createTestApp, PLATFORM_KEY, type TestApp } from '../support/app.ts';
import { eventually } from '../support/matching-factories.ts';

/** The app's own logger options at info level, writing JSON entries into memory. */
function capturingLogger() {
  const entries: Record<string, unknown>[] = [];
  const options = loggerOptions({ LOG_LEVEL: 'info', NODE_ENV: 'production' });
  return {
    entries,
    logger: {
      ...(options as object),
      stream: { write: (line: string) => void entries.push(JSON.parse(line)) },
    },
  };
}

describe('a client that closes the connection mid-request', () => {
  const capture = capturingLogger();
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp({ logger: capture.logger });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(() => t.close());

  it('is logged at info, not as an error', async () => {
    // A body announced at 1000 bytes, of which 10 are sent before the client hangs up.
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      [
        'POST /v1/workspaces HTTP/1.1',
        'Host: 127.0.0.1',
        `Authorization: Bearer ${PLATFORM_KEY}`,
        'Content-Type: application/json',
        'Content-Length: 1000',
        'X-Request-Id: aborting-client-1',
        '',
        '{"name": "',
      ].join('\r\n'),
    );
    // Once the server is reading the body (it authenticated the caller first), hang up.
    await eventually(async () => capture.entries.some((e) => e.reqId === 'aborting-client-1'), 60_000, 20);
    socket.destroy();
    const ofRequest = () => capture.entries.filter((e) => e.reqId === 'aborting-client-1');
    await eventually(
      async () => ofRequest().some((e) => /closed the connection/.test(String(e.msg))),
      60_000,
      20,
    );
    expect(ofRequest().filter((e) => (e.level as number) >= 40)).toEqual([]);
    expect(capture.entries.filter((e) => (e.level as number) >= 50)).toEqual([]);
  });
});
