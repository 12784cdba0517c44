import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../src/db/client.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { sql } from '../../src/db/orm.ts';
import { rowsOf } from '../../src/db/rows.ts';
import { dropDatabase, withAdminClient, withDatabase } from './global-setup.ts';

export type DatabaseKind = Database['kind'];

/** The databases this run can test on: always PGlite, and PostgreSQL when a server was found. */
export function availableDatabaseKinds(): DatabaseKind[] {
  return inject('postgresServer') ? ['postgres', 'pglite'] : ['pglite'];
}

/** A fresh, migrated database of its own; closing it also drops it. PostgreSQL ones tell their URL. */
export async function createTestDatabase(
  kind: DatabaseKind = availableDatabaseKinds()[0]!,
): Promise<Database & { url?: string }> {
  if (kind === 'pglite') return openDatabase({ DATA_DIR: 'memory', pgliteImage: await pgliteImage() });
  const server = inject('postgresServer');
  if (!server) throw new Error('no PostgreSQL server is available for this test run');
  const name = `mutualfit_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient(server.adminUrl, (client) =>
    client.query(`create database ${name} template ${server.template}`),
  );
  const url = withDatabase(server.adminUrl, name);
  const database = await openDatabase({ DATABASE_URL: url, DATA_DIR: 'memory', poolMax: 4 });
  const close = database.close;
  return {
    ...database,
    url,
    close: async () => {
      await close();
      await dropDatabase(server.adminUrl, name);
    },
  } as Database & { url: string };
}

/** The database at `url`, migrated; closing it closes the pool and leaves the database. */
export async function openMigratedDatabase(url: string): Promise<Database> {
  const database = await openDatabase({ DATABASE_URL: url, DATA_DIR: 'memory', poolMax: 4 });
  await runMigrations(database);
  return database;
}

let image: Promise<Blob> | undefined;

/** The migrated data directory global-setup wrote, read once per test process. */
function pgliteImage(): Promise<Blob> {
  image ??= readFile(inject('pgliteImage')).then((bytes) => new Blob([bytes]));
  return image;
}

/**
 * The other backends of `client`'s database that wait on a lock, as they are now. Within a
 * transaction PostgreSQL shows pg_stat_activity as it was at the transaction's first look, so a
 * test holding a lock in a transaction would never see a waiter that arrived after that look:
 * the snapshot is dropped first.
 */
export async function lockWaiters(client: import('pg').Client): Promise<number[]> {
  await client.query('select pg_stat_clear_snapshot()');
  const { rows } = await client.query<{ pid: number }>(`select pid from pg_stat_activity
    where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`);
  return rows.map((row) => row.pid);
}

/** Until a statement of `db`'s database waits for a lock (polled for at most 10 s). */
export async function untilAStatementWaitsForALock(db: Database['db']): Promise<void> {
  const waiting = async () =>
    rowsOf<{ n: number }>(
      await db.execute(sql`
        select count(*)::int as n from pg_locks l join pg_stat_activity a using (pid)
         where not l.granted and a.datname = current_database()`),
    )[0]!.n;
  for (let tries = 0; tries < 100 && (await waiting()) === 0; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
