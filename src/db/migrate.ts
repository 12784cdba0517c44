import { fileURLToPath } from 'node:url';
import type { Database } from './client.ts';
import { drizzlePg, migratePg, migratePglite, type PgliteDatabase } from './orm.ts';

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Any fixed number shared by every replica: the advisory lock that serialises migrations. */
const MIGRATION_LOCK = 7_411_001;

export async function runMigrations(database: Database): Promise<void> {
  if (database.kind === 'pglite') {
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder });
    return;
  }
  // Replicas starting together must not apply the same migration twice.
  const client = await database.pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migratePg(drizzlePg({ client }), { migrationsFolder });
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}
