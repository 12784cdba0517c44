/** Runs the mutualfit service as a child process for the bench, on loopback, and watches it. */

import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type pg from 'pg';
import { request } from './http.ts';

export interface IndexLoaded {
  profiles: number;
  indexBytes: number;
  bytesPerProfile: number;
  ms: number;
}

export interface Service {
  pid: number;
  baseUrl: string;
  logFile: string;
  /** Resolves with ms since spawn once /readyz answers 200. */
  waitReady(timeoutMs: number): Promise<number>;
  /** The "match index loaded" log line (waits a little for it after ready). */
  indexLoaded(timeoutMs?: number): Promise<IndexLoaded>;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  cwd: string;
  databaseUrl: string;
  adminKey: string;
  logFile: string;
  /** NODE_OPTIONS for the child, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
  nodeOptions?: string | undefined;
}

const running = new Set<ChildProcess>();

/** Kills every child still running (errors, SIGINT); only processes this bench started. */
export function killAllServices(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startService(options: ServiceOptions): Promise<Service> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  // Logs go straight to a file: the bench does no per-line work while it measures.
  const fd = openSync(options.logFile, 'w');
  const started = performance.now();
  const child = spawn(process.execPath, ['src/server.ts'], {
    cwd: options.cwd,
    stdio: ['ignore', fd, fd],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: options.databaseUrl,
      LOG_LEVEL: 'info',
      RATE_LIMIT_MAX: '100000000',
      BOOTSTRAP_ADMIN_KEY: options.adminKey,
      // The listing's and the ingest's threads, as the caller's environment says (defaults otherwise),
      // and glibc's tunables (docs/operations.md#huge-pages).
      ...Object.fromEntries(
        Object.entries(process.env).filter(
          ([name]) => name.startsWith('MATCH_') || name === 'INGEST_WORKERS' || name === 'GLIBC_TUNABLES',
        ),
      ),
      ...(options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions } : {}),
    },
  });
  closeSync(fd);
  running.add(child);
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? `code ${code}`}`;
      running.delete(child);
      resolve();
    });
  });
  if (child.pid === undefined) throw new Error('the service could not be started');
  const pid = child.pid;

  const failure = (what: string) =>
    new Error(`${what}; last lines of ${options.logFile}:\n${tail(options.logFile, 15)}`);

  return {
    pid,
    baseUrl,
    logFile: options.logFile,
    async waitReady(timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      for (let attempt = 1; performance.now() < deadline; attempt++) {
        if (exited) throw failure(`the service ${exited} before it was ready`);
        const answer = await request(baseUrl, 'GET', '/readyz', { timeoutMs: 5_000 }).catch(() => undefined);
        if (answer?.status === 200) return performance.now() - started;
        // A fatal log line (e.g. the index failed to load) means /readyz will never answer 200.
        if (attempt % 10 === 0 && findLogLine(options.logFile, '"level":60')) {
          throw failure('the service logged a fatal error before it was ready');
        }
        await sleep(100);
      }
      throw failure(`the service was not ready within ${Math.round(timeoutMs / 1000)} s`);
    },
    async indexLoaded(timeoutMs = 10_000) {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        const line = findLogLine(options.logFile, '"msg":"match index loaded"');
        if (line) {
          return {
            profiles: Number(line.profiles),
            indexBytes: Number(line.indexBytes),
            bytesPerProfile: Number(line.bytesPerProfile),
            ms: Number(line.ms),
          };
        }
        await sleep(100);
      }
      throw failure('no "match index loaded" line in the service log');
    },
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** VmRSS and VmHWM (peak) of a process, in MB. */
export function readMemory(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: round1(kb('VmRSS') / 1024), peakMb: round1(kb('VmHWM') / 1024) };
}

/** User + system CPU seconds a process has used so far (/proc/<pid>/stat, 100 ticks a second). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds so far of each PostgreSQL backend connected to `database` (by pid, from /proc: the
 * server must run on this machine). Background processes (WAL writer, checkpointer) are not counted.
 */
export async function backendCpu(pool: pg.Pool, database: string): Promise<Map<number, number>> {
  const { rows } = await pool.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
    [database],
  );
  const seconds = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      seconds.set(pid, cpuSeconds(pid));
    } catch {
      // ended meanwhile
    }
  }
  return seconds;
}

/**
 * The CPU seconds `database`'s backends used since the sampler started (`sample()`), read every
 * second as well, so that a backend ending meanwhile still counts up to its last reading; one that
 * connects later counts whole. `stop()` ends the readings.
 */
export function backendCpuSampler(pool: pg.Pool, database: string) {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  let started = false;
  const sample = async () => {
    for (const [pid, seconds] of await backendCpu(pool, database)) {
      if (!first.has(pid)) first.set(pid, started ? 0 : seconds);
      last.set(pid, seconds);
    }
    started = true;
    return backendCpuSince(first, last);
  };
  const timer = setInterval(() => void sample().catch(() => {}), 1000);
  return { sample, stop: () => clearInterval(timer) };
}

/** Transactions committed in `database` so far (PostgreSQL's statistics, which lag by up to a second). */
export async function commits(pool: pg.Pool, database: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    'select xact_commit as n from pg_stat_database where datname = $1',
    [database],
  );
  return Number(rows[0]?.n ?? Number.NaN);
}

/** CPU seconds the backends used between two readings (a backend new since the first counts whole). */
export function backendCpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

export function logPath(dir: string, name: string): string {
  return join(dir, `${name}.log`);
}

/** The last JSON log line containing `needle`. */
function findLogLine(file: string, needle: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const at = text.lastIndexOf(needle);
  if (at < 0) return undefined;
  const start = text.lastIndexOf('\n', at) + 1;
  const end = text.indexOf('\n', at);
  try {
    return JSON.parse(text.slice(start, end < 0 ? undefined : end)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const round1 = (x: number) => Math.round(x * 10) / 10;
