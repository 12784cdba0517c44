import { type ChildProcess, spawn } from 'node:child_process';

const running = new Set<ChildProcess>();

/** A child `node` running one of the project's TypeScript entry points, as `npm start` does. */
export interface Child {
  pid: number;
  output(): { stdout: string; stderr: string };
  /** Resolves with the exit code (null after a signal). */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
  /** SIGKILL: the process ends at once, as in a crash. */
  kill(): void;
}

/** The environment of a child: no database or keys of the test run, an embedded DATA_DIR. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: '0',
    MATCH_WORKERS: '0',
    ...extra,
  };
}

export function runEntry(entry: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(
    process.execPath,
    ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', entry, ...args],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return {
    pid: child.pid!,
    output: () => ({ stdout, stderr }),
    exited,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: () => child.kill('SIGKILL'),
  };
}

/** Waits until `check` holds, or the child ends first (then fails with what it printed). */
export async function until(child: Child, what: string, check: () => boolean): Promise<void> {
  let ended = false;
  void child.exited.then(() => {
    ended = true;
  });
  while (!check()) {
    if (ended) throw new Error(`the child ended before ${what}:\n${child.output().stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Kills what a test left running (after a failed assertion). */
export function killLeftovers(): void {
  for (const child of running) child.kill('SIGKILL');
}
