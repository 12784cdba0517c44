import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * One process per embedded data directory: PGlite has no lock of its own, and two processes on
 * the same files silently lose each other's writes. The holder is recorded in a lock file
 * created with O_EXCL, so exactly one process can create it.
 */
export const LOCK_FILE = 'mutualfit.lock';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  /** Linux: the process's start time in clock ticks (/proc/<pid>/stat), to tell a reused pid. */
  procStart?: string | undefined;
  command?: string | undefined;
}

export interface DataDirLock {
  readonly path: string;
  /** Removes the lock file if it is still ours; safe to call more than once. */
  release(): void;
}

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  readonly dataDir: string;
  readonly holder: LockHolder;

  constructor(dataDir: string, lockPath: string, holder: LockHolder) {
    const here = holder.host === hostname();
    super(
      `DATA_DIR ${dataDir} is in use by pid ${holder.pid} on host ${holder.host}, started ${holder.startedAt}${holder.command ? ` (${holder.command})` : ''}. ` +
        'Only one process may open an embedded data directory.' +
        (here ? '' : ` If that process no longer runs, delete ${lockPath}.`),
    );
    this.dataDir = dataDir;
    this.holder = holder;
  }
}

const heldHere = new Set<string>();
const MAX_ATTEMPTS = 5;

/** Takes the lock of `dataDir` (created if missing) or throws DataDirLockedError naming the holder. */
export function acquireDataDirLock(
  dataDir: string,
  options: { warn?: (message: string) => void } = {},
): DataDirLock {
  const warn = options.warn ?? ((message: string) => process.stderr.write(`${message}\n`));
  const dir = resolve(dataDir);
  const path = join(dir, LOCK_FILE);
  if (heldHere.has(path)) throw new DataDirLockedError(dir, path, ownHolder());
  mkdirSync(dir, { recursive: true });
  const content = JSON.stringify(ownHolder());
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    try {
      writeFileSync(path, content, { flag: 'wx' });
      return held(path, content);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const seen = readHolder(path);
    if (seen === undefined) continue; // released meanwhile: try again
    if (seen.holder && isAlive(seen.holder)) throw new DataDirLockedError(dir, path, seen.holder);
    if (takeOver(path, seen.raw)) {
      warn(
        seen.holder
          ? `Took over the lock of DATA_DIR ${dir}: pid ${seen.holder.pid} on this host (started ` +
              `${seen.holder.startedAt}) no longer runs.`
          : `Took over the lock of DATA_DIR ${dir}: its lock file was unreadable.`,
      );
    }
  }
  throw new Error(`Could not take the lock of DATA_DIR ${dir} (${path} keeps changing).`);
}

function held(path: string, content: string): DataDirLock {
  heldHere.add(path);
  const release = () => {
    if (!heldHere.delete(path)) return;
    process.removeListener('exit', release);
    try {
      if (readFileSync(path, 'utf8') === content) unlinkSync(path);
    } catch {
      // Already gone: nothing to release.
    }
  };
  // Also on process.exit() and uncaught errors; a killed process leaves a lock that the next
  // start finds stale.
  process.once('exit', release);
  return { path, release };
}

function ownHolder(): LockHolder {
  return {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    procStart: procStartOf(process.pid),
    command: process.argv
      .slice(1)
      .map((arg) => arg.replace(/^.*[/\\]/, ''))
      .join(' ')
      .slice(0, 200),
  };
}

/** undefined: no lock file; holder undefined: a file whose content cannot be read as a holder. */
function readHolder(path: string): { raw: string; holder: LockHolder | undefined } | undefined {
  // A file just created may not have its content yet; give its writer a moment.
  for (let tries = 0; ; tries++) {
    let raw: string;
    try {
      raw = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const holder = parseHolder(raw);
    if (holder || tries >= 10) return { raw, holder };
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}

function parseHolder(raw: string): LockHolder | undefined {
  try {
    const value = JSON.parse(raw) as Partial<LockHolder>;
    if (
      Number.isInteger(value.pid) &&
      typeof value.host === 'string' &&
      typeof value.startedAt === 'string'
    ) {
      return value as LockHolder;
    }
  } catch {
    // Not JSON.
  }
  return undefined;
}

/** Another host's process cannot be checked, so it counts as alive. */
function isAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  // Our own pid, yet we do not hold the lock: a previous run (e.g. pid 1 in a restarted container).
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const start = procStartOf(holder.pid);
  return holder.procStart === undefined || start === undefined || start === holder.procStart;
}

function procStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may hold spaces, so count after its ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * Moves the stale file aside and checks it is the one judged stale: a process that raced us may
 * have replaced it already, and then its fresh lock goes back in place.
 */
function takeOver(path: string, staleRaw: string): boolean {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const moved = readFileSync(aside, 'utf8');
  if (moved !== staleRaw) {
    try {
      linkSync(aside, path);
    } catch {
      // A third process took the place meanwhile; its lock stands.
    }
  }
  unlinkSync(aside);
  return moved === staleRaw;
}
