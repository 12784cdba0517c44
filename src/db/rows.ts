import type { DbOrTx } from './client.ts';
import { runPrepared } from './named-statement.ts';
import type { SQL } from './orm.ts';

/** The rows of a raw `db.execute` result: node-postgres and PGlite both answer `{ rows }`; the shared Db type does not say so. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

/**
 * `db.execute(query)` with each row an array of its columns in the select's order, on node-postgres
 * and PGlite alike: no object a row with a key a column (at start-up the driver's row objects were
 * about a tenth of the load's CPU).
 */
export function executeAsArrays<T extends unknown[]>(db: DbOrTx, query: SQL): Promise<T[]> {
  return runPrepared(db, query, { asArrays: true }) as Promise<T[]>;
}
