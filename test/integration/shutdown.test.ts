import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Child, childEnv, killLeftovers, runEntry, until } from '../support/processes.ts';

// A real process on a real data directory, stopped with SIGTERM while a request is in flight.
const SLOW = { timeout: 300_000 };
const KEY = /export ADMIN_KEY=(mf_[\w-]+)/;
const LISTENING = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/;

describe('SIGTERM with a request in flight', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mutualfit-shutdown-'));
  });
  afterEach(() => {
    killLeftovers();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function startServer(graceMs: number, extra: Record<string, string> = {}) {
    const child = runEntry(
      'src/server.ts',
      [],
      childEnv({ DATA_DIR: dataDir, SHUTDOWN_GRACE_MS: String(graceMs), ...extra }),
    );
    // The key (stderr) and the address (stdout) come on two pipes, in either order on a busy machine.
    await until(
      child,
      'it printed the key and its address',
      () => KEY.test(child.output().stderr) && LISTENING.test(child.output().stdout),
    );
    const url = LISTENING.exec(child.output().stdout)![1]!;
    return { child, url, key: KEY.exec(child.output().stderr)![1]! };
  }

  /**
   * A bulk upload whose body is sent in two halves `pauseMs` apart; SIGTERM goes to the server once
   * the first half is in. Resolves with the status, or the connection error.
   */
  async function bulkAcrossSigterm(server: { child: Child; url: string; key: string }, pauseMs: number) {
    const lines = ['a', 'b'].map((id) =>
      JSON.stringify({ externalId: id, contact: { name: id, email: `${id}@x.io` } }),
    );
    const body = `${lines.join('\n')}\n`;
    const half = Math.floor(body.length / 2);
    const answer = new Promise<{ status?: number; body?: string; error?: string }>((resolve) => {
      const req = request(`${server.url}/v1/candidates:bulk`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${server.key}`,
          'content-type': 'application/x-ndjson',
          'content-length': String(Buffer.byteLength(body)),
        },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode, body: text }));
      });
      req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
      req.write(body.slice(0, half));
      // SIGTERM only once the server has the request: one that arrives after it is refused with
      // 503 (this instance is shutting down), which a busy machine would otherwise make of this one.
      void until(server.child, 'the request arrived', () =>
        server.child.output().stdout.includes('"url":"/v1/candidates:bulk"'),
      ).then(
        () => {
          process.kill(server.child.pid, 'SIGTERM');
          setTimeout(() => req.end(body.slice(half)), pauseMs);
        },
        (error: Error) => resolve({ error: error.message }),
      );
    });
    return { answer: await answer, exit: await server.child.exited };
  }

  it('lets the request finish within SHUTDOWN_GRACE_MS, then exits cleanly', SLOW, async () => {
    const server = await startServer(60_000);
    const { answer, exit } = await bulkAcrossSigterm(server, 3_000);
    expect(answer.status, answer.body ?? answer.error).toBe(200);
    expect(JSON.parse(answer.body!).summary).toEqual({ created: 2, updated: 0, unchanged: 0, failed: 0 });
    expect(exit).toBe(0);
    expect(server.child.output().stdout).toContain('"signal":"SIGTERM"');
  });

  it('with SHUTDOWN_DRAIN_MS, answers /readyz 503 and still serves until the drain ends', SLOW, async () => {
    const server = await startServer(60_000, { SHUTDOWN_DRAIN_MS: '5000' });
    await until(server.child, 'it was ready', () =>
      server.child.output().stdout.includes('match index loaded'),
    );
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const signalled = Date.now();
    process.kill(server.child.pid, 'SIGTERM');
    await until(server.child, 'it began draining', () => server.child.output().stdout.includes('draining'));

    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await ready.json()) as { detail: string }).detail).toContain('shutting down');
    const served = await fetch(`${server.url}/v1/workspace`, {
      headers: { authorization: `Bearer ${server.key}` },
    });
    expect(served.status).toBe(200);
    expect(await server.child.exited).toBe(0);
    // A lower bound only: the drain is a wait of its own, however busy the machine.
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(5_000);
    const stdout = server.child.output().stdout;
    expect(stdout.indexOf('"msg":"closing"')).toBeGreaterThan(stdout.indexOf('draining'));
  });

  it(
    'npm start hands SIGTERM sent to npm on to the server, which closes and frees the data directory',
    SLOW,
    async () => {
      const env = childEnv({ DATA_DIR: dataDir });
      const npm = spawn('npm', ['start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      npm.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      npm.stderr.resume();
      let npmClosed = false;
      npm.on('close', () => {
        npmClosed = true;
      });
      /** Polls `check` for up to `ms` (a bound for a failure to show, not a timing). */
      const within = async (ms: number, check: () => boolean) => {
        for (let waited = 0; !check() && waited < ms; waited += 100) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return check();
      };
      const serverPid = () => Number(/"pid":(\d+)/.exec(stdout)?.[1]);
      try {
        expect(await within(120_000, () => LISTENING.test(stdout))).toBe(true);
        expect(existsSync(join(dataDir, 'mutualfit.lock'))).toBe(true);
        npm.kill('SIGTERM');
        // The server must not outlive npm: a process manager that stops npm stops the service.
        expect(await within(30_000, () => stdout.includes('"msg":"closing"'))).toBe(true);
        expect(await within(30_000, () => !isAlive(serverPid()))).toBe(true);
        expect(await within(30_000, () => npmClosed)).toBe(true);
        expect(existsSync(join(dataDir, 'mutualfit.lock'))).toBe(false);
      } finally {
        if (isAlive(serverPid())) process.kill(serverPid(), 'SIGKILL');
        npm.kill('SIGKILL');
      }
    },
  );

  it('exits once SHUTDOWN_GRACE_MS has passed, the request unanswered', SLOW, async () => {
    const server = await startServer(1_000);
    const { answer, exit } = await bulkAcrossSigterm(server, 8_000);
    expect(answer.status).toBeUndefined();
    expect(answer.error).toBeDefined();
    expect(exit).not.toBe(0);
  });
});

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
