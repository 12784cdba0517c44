import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsFolder, runMigrations } from '../../src/db/migrate.ts';
import { availableDatabaseKinds, createTestDatabase } from '../support/database.ts';
import { withAdminClient } from '../support/global-setup.ts';
import { eventually } from '../support/matching-factories.ts';

/** The project's migrations and one more that alters `employers`, in a folder of their own. */
async function withOneMoreMigration(sql: string): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'mutualfit-migrations-'));
  await cp(migrationsFolder, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalPath, 'utf8'));
  const last = journal.entries.at(-1);
  const tag = '9999_lock_wait_probe';
  journal.entries.push({ ...last, idx: last.idx + 1, when: last.when + 1, tag });
  await writeFile(journalPath, JSON.stringify(journal));
  await writeFile(join(folder, `${tag}.sql`), sql);
  return folder;
}

const kinds = availableDatabaseKinds().filter((kind) => kind === 'postgres');

describe.each(kinds)('a migration that needs a lock another session holds (%s)', (kind) => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let folder: string;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    folder = await withOneMoreMigration('ALTER TABLE "employers" ADD COLUMN "lock_wait_probe" integer;');
  });
  afterAll(async () => {
    await database?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('gives up its attempt and tries again, instead of queueing the table’s readers behind it, and lands once the lock is free', async () => {
    await withAdminClient(database.url!, async (reader) => {
      // A long read (a backup, a report) holds the table in ACCESS SHARE mode.
      await reader.query('begin');
      await reader.query('select count(*) from employers');
      const waits: number[] = [];
      const migrating = runMigrations(database, {
        migrationsFolder: folder,
        lockTimeoutMs: 100,
        onLockWait: (attempt) => waits.push(attempt),
      });
      await eventually(async () => waits.length >= 2, 30_000);
      await reader.query('commit');
      await migrating;
      const { rows } = await reader.query(
        `select count(*)::int as n from information_schema.columns
          where table_name = 'employers' and column_name = 'lock_wait_probe'`,
      );
      expect(rows[0].n).toBe(1);
      // Each given-up attempt rolled back whole: the migration is recorded once.
      const applied = await reader.query('select count(*)::int as n from drizzle.__drizzle_migrations');
      const journal = JSON.parse(await readFile(join(folder, 'meta', '_journal.json'), 'utf8'));
      expect(applied.rows[0].n).toBe(journal.entries.length);
    });
  });
});
