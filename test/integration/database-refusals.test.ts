import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { isConnectionError } from '../../src/db/faults.ts';
import { migrationsFolder, runMigrations } from '../../src/db/migrate.ts';
import { sql } from '../../src/db/orm.ts';
import { MatchIndex } from '../../src/matching/index.ts';
import { loadIndex } from '../../src/matching/sync.ts';
import { createTestApp, type TestApp, testQuestionnaires } from '../support/app.ts';
import { availableDatabaseKinds, createTestDatabase } from '../support/database.ts';
import { caller, createWorkspace, expectProblem, unique } from '../support/factories.ts';
import { withAdminClient, withDatabase } from '../support/global-setup.ts';
import { eventually, marketCandidates } from '../support/matching-factories.ts';
import {
  type FaultyPostgres,
  faultyPostgresKinds,
  startFaultyPostgres,
} from '../support/private-postgres.ts';

it.each([
  ['too many connections (53300)', '53300', 'sorry, too many clients already'],
  ['a read-only server (25006)', '25006', 'cannot execute INSERT in a read-only transaction'],
  ['a full disk (53100)', '53100', 'could not extend file "base/5/16384": No space left on device'],
  ['a server out of memory (53200)', '53200', 'out of memory'],
])('takes %s for the database being unavailable, not for a failed query', (_name, code, message) => {
  const refused = Object.assign(new Error(message), { code });
  expect(isConnectionError(refused)).toBe(true);
  expect(isConnectionError(new Error('Failed query: insert …', { cause: refused }))).toBe(true);
});

// A connection limit binds only roles that are not superusers, so the app connects as a role of
// its own, on a private cluster (where the test may create roles).
const kinds = (await faultyPostgresKinds()).filter((kind) => kind === 'private cluster');

describe.each(kinds)('PostgreSQL turning the service away, on a %s', (kind) => {
  let server: FaultyPostgres;
  let t: TestApp;
  let appUrl: string;
  const superuser = <T>(query: (client: import('pg').Client) => Promise<T>) =>
    withAdminClient(server.directUrl, query);
  const limitTo = (connections: number) =>
    superuser(async (client) => {
      await client.query(`alter role limited connection limit ${connections}`);
      // New connections only: the ones the app holds are ended, so it must make new ones.
      if (connections === 0) {
        await client.query(
          `select pg_terminate_backend(pid) from pg_stat_activity where usename = 'limited'`,
        );
      }
    });

  beforeAll(async () => {
    server = await startFaultyPostgres(kind);
    await superuser(async (client) => {
      await client.query('create role limited login');
      await client.query('create database limited owner limited');
    });
    const url = new URL(withDatabase(server.directUrl, 'limited'));
    url.username = 'limited';
    appUrl = url.toString();
    t = await createTestApp({ databaseUrl: appUrl });
  });
  afterAll(async () => {
    await t?.close();
    await server?.close();
  });

  it('answers 503 database_unavailable with Retry-After, not 500, and serves again once connections are free', async () => {
    const { adminKey } = await createWorkspace(t.app);
    const admin = caller(t.app, adminKey);
    expect((await admin.get('/v1/employers')).statusCode).toBe(200);

    await limitTo(0);
    const refused = [
      await admin.get('/v1/employers'),
      await admin.post('/v1/employers', { name: 'Refused' }),
    ];
    for (const response of refused) {
      expectProblem(response, 503, 'database_unavailable');
      expect(response.headers['retry-after']).toBe('5');
    }

    await limitTo(-1);
    await eventually(async () => (await admin.get('/v1/employers')).statusCode === 200, 10_000);
    const listed = (await admin.get('/v1/employers')).json().employers;
    expect(listed.map((e: { name: string }) => e.name)).not.toContain('Refused');
  });

  it('answers 503, not 500, while the database is read-only (a failover), and writes on a fresh connection once it is not', async () => {
    const { adminKey } = await createWorkspace(t.app);
    const admin = caller(t.app, adminKey);
    const readOnly = (on: boolean) =>
      superuser((client) =>
        client.query(
          `alter database limited ${on ? 'set default_transaction_read_only = on' : 'reset default_transaction_read_only'}`,
        ),
      );
    await readOnly(true);
    try {
      // The setting binds new sessions only: the app's present ones end, as in a failover.
      await superuser((client) =>
        client.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = 'limited'`),
      );
      for (let i = 0; i < 3; i++) {
        const refused = await admin.post('/v1/employers', { name: `Read-only ${i}` });
        expectProblem(refused, 503, 'database_unavailable');
        expect(refused.headers['retry-after']).toBe('5');
      }
    } finally {
      await readOnly(false);
    }
    // No session is ended now: a read-only connection is dropped when it fails, not kept in the
    // pool, so the writes land within the pool's size of tries.
    const statuses: number[] = [];
    for (let i = 0; i < 5 && statuses.at(-1) !== 201; i++) {
      statuses.push((await admin.post('/v1/employers', { name: 'Writable again' })).statusCode);
    }
    expect(statuses.at(-1)).toBe(201);
    expect(statuses.filter((status) => status !== 503 && status !== 201)).toEqual([]);
  });

  it('loads the match index once connections are free, instead of giving up', async () => {
    await limitTo(0);
    const loading = await openDatabase({ DATABASE_URL: appUrl, DATA_DIR: 'memory', poolMax: 4 });
    try {
      const index = new MatchIndex(await testQuestionnaires());
      const warnings: string[] = [];
      const log = { warn: (_: unknown, message: string) => warnings.push(message), info: () => {} };
      const loaded = loadIndex(loading.db, index, log as unknown as FastifyBaseLogger);
      await eventually(async () => warnings.length > 0, 10_000);
      expect(index.loaded).toBe(false);
      await limitTo(-1);
      await loaded;
      expect(index.loaded).toBe(true);
      expect(new Set(warnings)).toEqual(
        new Set(['the database went away while loading the match index; loading again']),
      );
    } finally {
      await limitTo(-1);
      await loading.close();
    }
  });
});

describe.each(availableDatabaseKinds())('a database out of disk space (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ kind });
  });
  afterAll(() => t?.close());

  /** Inserts into `table` fail as PostgreSQL's do when the disk is full (SQLSTATE 53100). */
  const diskFull = async (table: string, full: boolean) => {
    const { db } = t.database;
    if (!full) return void (await db.execute(sql.raw(`drop trigger disk_full on ${table}`)));
    await db.execute(
      sql.raw(`create or replace function disk_full() returns trigger language plpgsql as $$ begin
        raise exception 'could not extend file "base/5/16384": No space left on device' using errcode = 'disk_full';
      end $$`),
    );
    await db.execute(
      sql.raw(`create trigger disk_full before insert on ${table} for each row execute function disk_full()`),
    );
  };

  it('answers 503 with Retry-After, for a bulk request as a whole (no line is at fault), and stores nothing', async () => {
    const { adminKey } = await createWorkspace(t.app);
    const admin = caller(t.app, adminKey);
    const line = {
      externalId: unique('full'),
      contact: { name: 'Full', email: `${unique('full')}@example.com` },
      questionnaireId: 'mini',
      answers: marketCandidates.better.answers,
    };
    const bulk = () =>
      t.app.inject({
        method: 'POST',
        url: '/v1/candidates:bulk',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/x-ndjson' },
        payload: `${JSON.stringify(line)}\n`,
      });
    await diskFull('candidates', true);
    try {
      for (const response of [await bulk(), await admin.post('/v1/candidates', { contact: line.contact })]) {
        expectProblem(response, 503, 'database_unavailable');
        expect(response.headers['retry-after']).toBe('5');
      }
      expect((await admin.get('/v1/candidates')).json().candidates).toEqual([]);
    } finally {
      await diskFull('candidates', false);
    }
    const stored = await bulk();
    expect(stored.json().summary).toMatchObject({ created: 1, failed: 0 });
  });
});

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

describe.each(availableDatabaseKinds().filter((kind) => kind === 'postgres'))(
  'a migration that needs a lock another session holds (%s)',
  (kind) => {
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
  },
);
