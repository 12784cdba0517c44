import { type Config, loadConfig } from './config.ts';
import { type Database, openDatabase } from './db/client.ts';
import { DataDirLockedError } from './db/data-dir-lock.ts';
import { causeChain, isConnectionError, retryThroughOutages, sqlStateOf } from './db/faults.ts';
import { runMigrations } from './db/migrate.ts';

/** Prints a message for the person at the shell and ends the process with a failure. */
export function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** The environment's config, or the end of the process naming every bad variable. */
export function loadConfigOrFail(): Config {
  try {
    return loadConfig();
  } catch (error) {
    return fail((error as Error).message);
  }
}

/** The configured database; a data directory held by another process ends this one, saying `whenLocked`. */
export async function openDatabaseOrFail(config: Config, whenLocked: string): Promise<Database> {
  try {
    return await openDatabase({ ...config, poolMax: config.DATABASE_POOL_MAX });
  } catch (error) {
    if (error instanceof DataDirLockedError) fail(`${error.message}\n${whenLocked}`);
    throw error;
  }
}

/**
 * Runs the pending migrations, waiting (with back-off) while the database cannot be reached: a
 * process started before its database (a machine's boot, an orchestrator starting both at once)
 * starts once the database is there, where it used to exit with a stack trace.
 */
export async function migrateOnceReachable(database: Database): Promise<void> {
  await retryThroughOutages(
    () => runMigrations(database),
    (err, _attempt, delayMs) =>
      process.stderr.write(
        `The database cannot be reached (${messageOf(err)}); trying again in ${delayMs / 1000} s.\n`,
      ),
    { keepAlive: true },
  );
}

/**
 * At the shell, a database that cannot be used ends the process with one line saying why (a
 * wrong password, a missing database, no server), not a stack; any other error is rethrown.
 */
export function failOnDatabase(error: unknown): never {
  if (isConnectionError(error)) {
    fail(
      `The database cannot be reached (${messageOf(error)}). Check DATABASE_URL and that PostgreSQL runs.`,
    );
  }
  if (sqlStateOf(error)) {
    fail(
      `The database refused this process: ${messageOf(error)}. Check DATABASE_URL (user, password, database).`,
    );
  }
  throw error;
}

/** The innermost message: drizzle's own repeats the whole statement. */
function messageOf(error: unknown): string {
  const messages = [...causeChain(error)].map((link) => link.message).filter((m) => typeof m === 'string');
  return messages.at(-1) ?? String(error);
}
