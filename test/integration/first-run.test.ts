import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_WORKSPACE_ID, ensureFirstRunWorkspace } from '../../src/auth/bootstrap.ts';
import { hashApiKey } from '../../src/auth/keys.ts';
import { findActiveKeyByHash } from '../../src/auth/repository.ts';
import type { Database } from '../../src/db/client.ts';
import { LOCK_FILE } from '../../src/db/data-dir-lock.ts';
import { workspaces } from '../../src/db/schema.ts';
import { availableDatabaseKinds, createTestDatabase } from '../support/database.ts';
import { type Child, childEnv, killLeftovers, runEntry, until } from '../support/processes.ts';

// Real processes on a real data directory: `npm start`, `npm run key` and `npm run migrate`.
const SLOW = { timeout: 600_000 };

const KEY = /export ADMIN_KEY=(mf_[\w-]+)/;

describe('npm start on an embedded data directory', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mutualfit-data-'));
  });
  afterEach(() => {
    killLeftovers();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const env = () => childEnv({ DATA_DIR: dataDir });

  async function startServer(extra: Record<string, string> = {}): Promise<Child & { url: string }> {
    const child = runEntry('src/server.ts', [], { ...env(), ...extra });
    await until(child, 'it was ready', () => child.output().stdout.includes('mutualfit is listening'));
    const url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(child.output().stdout)![1]!;
    return { ...child, url };
  }

  async function finished(entry: string, args: string[] = []) {
    const child = runEntry(entry, args, env());
    const code = await child.exited;
    return { code, ...child.output() };
  }

  const get = async (url: string, key: string) =>
    fetch(url, { headers: { authorization: `Bearer ${key}` } }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as Record<string, never>,
    }));

  it(
    'prints an admin key once, on the first start only, and recovers the lock after a crash',
    SLOW,
    async () => {
      const first = await startServer();
      await until(first, 'it printed the key', () => KEY.test(first.output().stderr));
      const key = KEY.exec(first.output().stderr)![1]!;
      expect(first.output().stderr).toContain('npm run key -- --workspace default --role admin');
      expect(first.output().stdout).not.toContain(key);
      const workspace = await get(`${first.url}/v1/workspace`, key);
      expect(workspace.body.workspace).toMatchObject({ name: 'default' });
      first.kill();
      await first.exited;
      expect(existsSync(join(dataDir, LOCK_FILE))).toBe(true);

      const second = await startServer();
      expect(second.output().stderr).toContain(`Took over the lock of DATA_DIR ${dataDir}: pid ${first.pid}`);
      const keys = await get(`${second.url}/v1/api-keys`, key);
      expect(keys.status).toBe(200);
      expect(keys.body.apiKeys).toHaveLength(1);
      expect(await second.stop()).toBe(0);
      expect(second.output().stderr).not.toMatch(/mf_|first run/);
      expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    },
  );

  it(
    'lets one process at a time open the directory: the key command, then the server alone',
    SLOW,
    async () => {
      const minted = await finished('src/auth/key-cli.ts', ['--workspace', 'default', '--role', 'admin']);
      expect(minted.code, minted.stderr).toBe(0);
      const key = minted.stdout.trim();
      expect(key).toMatch(/^mf_[\w-]+$/);
      expect(minted.stderr).toContain('stored as a hash');

      const server = await startServer();
      expect((await get(`${server.url}/v1/workspace`, key)).body.workspace).toMatchObject({
        name: 'default',
      });
      // The workspace existed already: this start is not a first run.
      expect(server.output().stderr).not.toContain('ADMIN_KEY');

      const second = await finished('src/server.ts');
      expect(second.code).not.toBe(0);
      for (const part of [`DATA_DIR ${dataDir}`, `pid ${server.pid}`, `host ${hostname()}`, 'started ']) {
        expect(second.stderr).toContain(part);
      }
      const migrate = await finished('src/db/migrate-cli.ts');
      expect(migrate.code).not.toBe(0);
      expect(migrate.stderr).toContain(`pid ${server.pid}`);
      const refused = await finished('src/auth/key-cli.ts', ['--role', 'admin']);
      expect(refused.code).not.toBe(0);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain(`pid ${server.pid}`);
      expect(refused.stderr).toContain('stop it and run this again');
      expect(refused.stderr).toContain('/v1/api-keys');

      // The server still answers, and lets go of the directory when it stops.
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect(await server.stop()).toBe(0);
      expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    },
  );

  it('starts its rank thread with the service, before any listing asks for it', SLOW, async () => {
    const server = await startServer({ MATCH_WORKERS: '1' });
    const readyThreads = async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return Number(/^mutualfit_rank_threads_ready (\S+)$/m.exec(text)?.[1]);
    };
    // A thread's start takes well under a second; a minute leaves room for a busy machine.
    const deadline = Date.now() + 60_000;
    let ready = await readyThreads();
    while (ready === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ready = await readyThreads();
    }
    expect(ready).toBe(1);
    expect(server.output().stdout).not.toContain('/matches');
    expect(await server.stop()).toBe(0);
  });
});

describe.each(availableDatabaseKinds())('the first run on %s', (kind) => {
  let database: Database;
  beforeEach(async () => {
    database = await createTestDatabase(kind);
  });
  afterEach(() => database.close());

  it('creates the default workspace and one admin key, even when replicas start together', async () => {
    const keys = (await Promise.all([1, 2, 3].map(() => ensureFirstRunWorkspace(database.db)))).filter(
      Boolean,
    );
    expect(keys).toHaveLength(1);
    const stored = await findActiveKeyByHash(database.db, hashApiKey(keys[0]!));
    expect(stored).toMatchObject({ workspaceId: DEFAULT_WORKSPACE_ID, role: 'admin' });
    expect(await ensureFirstRunWorkspace(database.db)).toBeUndefined();
  });

  it('does nothing on a database that already has a workspace', async () => {
    await database.db.insert(workspaces).values({ name: 'a board made with the platform key' });
    expect(await ensureFirstRunWorkspace(database.db)).toBeUndefined();
  });
});
