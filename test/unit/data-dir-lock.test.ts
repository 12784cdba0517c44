import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  acquireDataDirLock,
  DataDirLockedError,
  LOCK_FILE,
  type LockHolder,
} from '../../src/db/data-dir-lock.ts';

/** The pid of a process that has ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describe('the lock of an embedded data directory', () => {
  let dir: string;
  let lockPath: string;
  const warnings: string[] = [];
  const warn = (message: string) => warnings.push(message);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mutualfit-lock-'));
    lockPath = join(dir, LOCK_FILE);
    warnings.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeHolder = (holder: Partial<LockHolder>) =>
    writeFileSync(
      lockPath,
      JSON.stringify({
        pid: process.ppid,
        host: hostname(),
        startedAt: '2026-01-02T03:04:05.000Z',
        ...holder,
      }),
    );

  it('records this process as the holder and removes the file on release', () => {
    const lock = acquireDataDirLock(join(dir, 'data'), { warn });
    const holder = JSON.parse(readFileSync(lock.path, 'utf8')) as LockHolder;
    expect(holder).toMatchObject({ pid: process.pid, host: hostname() });
    expect(new Date(holder.startedAt).getTime()).toBeLessThanOrEqual(Date.now());
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
    lock.release();
    acquireDataDirLock(join(dir, 'data'), { warn }).release();
    expect(warnings).toEqual([]);
  });

  it('refuses while a live process of this host holds it, naming the directory and the holder', () => {
    writeHolder({ command: 'server.ts' });
    let error: unknown;
    try {
      acquireDataDirLock(dir, { warn });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DataDirLockedError);
    const message = (error as Error).message;
    for (const part of [dir, `pid ${process.ppid}`, hostname(), '2026-01-02T03:04:05.000Z', 'server.ts']) {
      expect(message).toContain(part);
    }
    expect(readFileSync(lockPath, 'utf8')).toContain(`"pid":${process.ppid}`);
  });

  it('refuses a second hold within the same process', () => {
    const lock = acquireDataDirLock(dir, { warn });
    expect(() => acquireDataDirLock(dir, { warn })).toThrow(DataDirLockedError);
    lock.release();
  });

  it('refuses a lock of another host even when the pid is not alive here, saying how to clear it', () => {
    writeHolder({ pid: deadPid(), host: 'another-host' });
    expect(() => acquireDataDirLock(dir, { warn })).toThrow(`delete ${lockPath}`);
  });

  it('takes over the lock of a process of this host that no longer runs, and says so', () => {
    const pid = deadPid();
    writeHolder({ pid });
    const lock = acquireDataDirLock(dir, { warn });
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
    expect(warnings).toEqual([expect.stringContaining(`pid ${pid}`)]);
    lock.release();
  });

  it('takes over a lock recorded with its own pid (a restarted container) or a reused pid', () => {
    writeHolder({ pid: process.pid });
    acquireDataDirLock(dir, { warn }).release();
    writeHolder({ pid: process.ppid, procStart: 'not-the-start-of-that-process' });
    acquireDataDirLock(dir, { warn }).release();
    expect(warnings).toHaveLength(2);
  });

  it('takes over a lock file whose content cannot be read as a holder', () => {
    writeFileSync(lockPath, '');
    acquireDataDirLock(dir, { warn }).release();
    expect(warnings).toEqual([expect.stringContaining('unreadable')]);
  });

  it('does not remove a lock file that is no longer its own', () => {
    const lock = acquireDataDirLock(dir, { warn });
    writeHolder({});
    lock.release();
    expect(existsSync(lockPath)).toBe(true);
  });
});
