import { type Config, loadConfig } from './config.ts';
import { type Database, openDatabase } from './db/client.ts';
import { DataDirLockedError } from './db/data-dir-lock.ts';

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
    return await openDatabase(config);
  } catch (error) {
    if (error instanceof DataDirLockedError) fail(`${error.message}\n${whenLocked}`);
    throw error;
  }
}
