import { fileURLToPath } from 'node:url';
import type { Database } from './client.ts';
import { backoffMs, sqlStateOf } from './faults.ts';
import { drizzlePg, migratePg, migratePglite, type PgliteDatabase } from './orm.ts';

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Any fixed number shared by every replica: the advisory lock that serialises migrations. */
const MIGRATION_LOCK = 7_411_001;
/** SQLSTATE lock_not_available: a statement waited longer than lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';

export interface MigrationOptions {
  /**
   * How long a migration's statement may wait for a table's lock before the migrations are rolled
   * back and tried again after a back-off. While an ALTER waits for its lock, PostgreSQL queues
   * every later query of that table behind it: a migration stuck behind one long transaction (a
   * backup, a report) would otherwise stop the live service's use of the table until it ends.
   */
  lockTimeoutMs?: number;
  /** Told of each attempt given up for a lock; by default one line on stderr. */
  onLockWait?: (attempt: number, delayMs: number) => void;
  /** Tests only: another folder of migrations. */
  migrationsFolder?: string;
}

export async function runMigrations(database: Database, options: MigrationOptions = {}): Promise<void> {
  const folder = options.migrationsFolder ?? migrationsFolder;
  if (database.kind === 'pglite') {
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder: folder });
    return;
  }
  const { lockTimeoutMs = 5_000, onLockWait = sayLockWait(lockTimeoutMs) } = options;
  // Replicas starting together must not apply the same migration twice: they wait for this lock
  // for as long as it takes (the lock timeout is set after it is held).
  const client = await database.pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`set lock_timeout = ${Math.max(0, Math.trunc(lockTimeoutMs))}`);
    for (let attempt = 0; ; attempt++) {
      try {
        // All pending migrations run in one transaction: an attempt given up leaves nothing behind.
        await migratePg(drizzlePg({ client }), { migrationsFolder: folder });
        return;
      } catch (error) {
        if (sqlStateOf(error) !== LOCK_NOT_AVAILABLE) throw error;
        const delayMs = backoffMs(attempt);
        onLockWait(attempt, delayMs);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  } finally {
    await client.query('reset lock_timeout').catch(() => {});
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}

function sayLockWait(lockTimeoutMs: number) {
  return (_attempt: number, delayMs: number) =>
    process.stderr.write(
      `A migration waited ${lockTimeoutMs / 1000} s for a table another session holds (a long transaction: see pg_stat_activity) and was rolled back so that it does not hold up the service; trying again in ${delayMs / 1000} s.\n`,
    );
}
