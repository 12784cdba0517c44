import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { withAdminClient, withDatabase } from './global-setup.ts';

const run = promisify(execFile);
const DEBIAN_BINARIES = '/usr/lib/postgresql';

/**
 * A PostgreSQL server a test may take away and bring back: `stop()` makes it unreachable (open
 * connections die, new ones are refused), `start()` brings it back on the same address.
 */
export interface FaultyPostgres {
  /** How it fails: a private cluster stopped for real, or a proxy cut in front of a shared server. */
  kind: 'private cluster' | 'proxy';
  /** The URL an app uses: through the fault. */
  url: string;
  /** A URL to the same database that bypasses the fault (for pg_terminate_backend and checks). */
  directUrl: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * What this machine can fail: a private cluster stopped for real where Debian's binaries are
 * installed (CI), and a proxy in front of the tests' server where there is one (a laptop has
 * at least that; CI runs both, so neither goes untested).
 */
export async function faultyPostgresKinds(): Promise<FaultyPostgres['kind'][]> {
  const kinds: FaultyPostgres['kind'][] = [];
  if (await debianBinDir()) kinds.push('private cluster');
  if (inject('postgresServer')) kinds.push('proxy');
  return kinds;
}

export async function startFaultyPostgres(kind: FaultyPostgres['kind']): Promise<FaultyPostgres> {
  return kind === 'private cluster' ? startPrivateCluster() : startProxiedServer();
}

/** The newest installed version's bin directory holding initdb and pg_ctl, if any. */
async function debianBinDir(): Promise<string | undefined> {
  const versions = await readdir(DEBIAN_BINARIES).catch(() => [] as string[]);
  for (const version of versions.sort((a, b) => Number(b) - Number(a))) {
    const bin = join(DEBIAN_BINARIES, version, 'bin');
    const files = await readdir(bin).catch(() => [] as string[]);
    if (files.includes('initdb') && files.includes('pg_ctl')) return bin;
  }
  return undefined;
}

/**
 * initdb + pg_ctl in a temporary directory, on a free loopback port. PostgreSQL refuses to run as
 * root, so as root the binaries run as the `postgres` user, which owns the directory.
 * fsync is off: the test kills the server process, not the machine, so written WAL survives.
 */
async function startPrivateCluster(): Promise<FaultyPostgres> {
  const bin = (await debianBinDir())!;
  const asRoot = process.getuid?.() === 0;
  const dir = await mkdtemp(join(tmpdir(), 'mutualfit-pg-'));
  if (asRoot) await chown(dir, ...(await postgresIds()));
  const data = join(dir, 'data');
  const pgRun = (tool: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], { cwd: dir })
      : run(join(bin, tool), args, { cwd: dir });
  await pgRun('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = async () => {
    await pgRun('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', options, '-w', '-t', '60', 'start']);
  };
  await start();
  const serverUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await withAdminClient(serverUrl, (client) => client.query('create database mutualfit'));
  const url = withDatabase(serverUrl, 'mutualfit');
  return {
    kind: 'private cluster',
    url,
    directUrl: url,
    stop: async () => void (await pgRun('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])),
    start,
    close: async () => {
      await pgRun('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postgresIds(): Promise<[number, number]> {
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: group } = await run('id', ['-g', 'postgres']);
  return [Number(stdout.trim()), Number(group.trim())];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Without the binaries (a laptop): a database of its own on the tests' server, reached through
 * a loopback TCP proxy. `stop()` closes the proxy's port and cuts every connection through it.
 */
async function startProxiedServer(): Promise<FaultyPostgres> {
  const server = inject('postgresServer');
  if (!server) throw new Error('no PostgreSQL server is available for this test run');
  const name = `mutualfit_faults_${process.pid}_${Date.now()}`;
  await withAdminClient(server.adminUrl, (client) =>
    client.query(`create database ${name} template ${server.template}`),
  );
  const directUrl = withDatabase(server.adminUrl, name);
  const target = new URL(directUrl);
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((inbound) => {
    const outbound = net.connect(Number(target.port || 5432), target.hostname);
    for (const [a, b] of [
      [inbound, outbound],
      [outbound, inbound],
    ] as const) {
      sockets.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        sockets.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  });
  const port = await freePort();
  const start = () =>
    new Promise<void>((resolve, reject) => {
      proxy.once('error', reject);
      proxy.listen(port, '127.0.0.1', () => resolve());
    });
  const stop = async () => {
    const closed = new Promise<void>((resolve) => proxy.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  await start();
  const url = new URL(directUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    kind: 'proxy',
    url: url.toString(),
    directUrl,
    stop,
    start,
    close: async () => {
      if (proxy.listening) await stop();
      await withAdminClient(server.adminUrl, (client) =>
        client.query(`drop database if exists ${name} with (force)`),
      );
    },
  };
}
