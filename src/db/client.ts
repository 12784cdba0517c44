import type { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { isConnectionError } from './faults.ts';
import { drizzlePg, drizzlePglite, type PgDatabase, type PgQueryResultHKT, sql } from './orm.ts';
import { requestScoped } from './request-transaction.ts';
import * as schema from './schema.ts';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle, usable wherever a Db is. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

/** The system of record: a pg pool on a server, or embedded PGlite. */
export type Database =
  | { kind: 'postgres'; db: Db; pool: pg.Pool; close(): Promise<void> }
  | { kind: 'pglite'; db: Db; client: PGlite; close(): Promise<void> };

export interface DatabaseOptions {
  DATABASE_URL?: string | undefined;
  DATA_DIR: string;
  poolMax?: number;
  /** How long a query waits for a connection before it fails (and the request answers 503). */
  connectionTimeoutMs?: number;
  /**
   * An in-memory PGlite database starts as this data directory (a `dumpDataDir` tarball) instead
   * of running initdb: the tests start each of theirs from one migrated image.
   */
  pgliteImage?: Blob;
}

/** Emitted by the pool for every connection lost, idle or checked out (see `reportConnectionLosses`). */
const CONNECTION_LOST = 'connectionLost';

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.DATABASE_URL) {
    const pool = new pg.Pool({
      connectionString: options.DATABASE_URL,
      max: options.poolMax ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    });
    // A client that loses its server (failover, restart, pg_terminate_backend) emits 'error'; with
    // no listener that would end the process. Idle ones are the pool's 'error'; checked-out ones
    // (a transaction in flight) only their own. The query that used it fails on its own.
    const lost = (err: Error) => (pool as EventEmitter).emit(CONNECTION_LOST, err);
    pool.on('error', lost);
    pool.on('connect', (client) => client.on('error', lost));
    const db = drizzlePg({ client: pool, schema, casing: 'snake_case' }) as unknown as Db;
    return { kind: 'postgres', db: requestScoped(db, poolTransaction(pool)), pool, close: () => pool.end() };
  }
  const lock = options.DATA_DIR === 'memory' ? undefined : acquireDataDirLock(options.DATA_DIR);
  const client = await openPglite(options.DATA_DIR, options.pgliteImage).catch((error: unknown) => {
    lock?.release();
    throw error;
  });
  const db = drizzlePglite({ client, schema, casing: 'snake_case' }) as unknown as Db;
  const close = () => client.close().finally(() => lock?.release());
  return { kind: 'pglite', db: requestScoped(db), client, close };
}

/**
 * `transaction()` on a checked-out client that is always given back. drizzle's own leaks the
 * client when BEGIN fails (a connection that died while idle in the pool): a few of those and
 * the pool is exhausted for good. A client whose connection failed is dropped, not reused.
 */
function poolTransaction(pool: pg.Pool): Db['transaction'] {
  // One drizzle per connection: building one reads the whole schema (about 0.2 ms of CPU), and
  // the pool hands out the same few clients again and again.
  const onClient = new WeakMap<pg.PoolClient, Db>();
  const dbOf = (client: pg.PoolClient) => {
    let db = onClient.get(client);
    if (!db) {
      db = drizzlePg({ client, schema, casing: 'snake_case' }) as unknown as Db;
      onClient.set(client, db);
    }
    return db;
  };
  return async (run, config) => {
    const client = await pool.connect();
    let failure: unknown;
    try {
      return await dbOf(client).transaction(run, config);
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      client.release(isConnectionError(failure) ? (failure as Error) : undefined);
    }
  };
}

/** Logs each lost connection at warn; before this is called they are dropped silently. */
export function reportConnectionLosses(database: Database, log: Pick<FastifyBaseLogger, 'warn'>): void {
  if (database.kind !== 'postgres') return;
  (database.pool as EventEmitter).on(CONNECTION_LOST, (err: Error) =>
    log.warn(
      { err: { message: err.message, code: (err as { code?: string }).code } },
      'database connection lost',
    ),
  );
}

async function openPglite(dataDir: string, image: Blob | undefined): Promise<PGlite> {
  if (dataDir === 'memory') return PGlite.create(image && { loadDataDir: image });
  await mkdir(dataDir, { recursive: true });
  return PGlite.create(dataDir);
}

export async function pingDatabase(db: Db): Promise<void> {
  await db.execute(sql`select 1`);
}
