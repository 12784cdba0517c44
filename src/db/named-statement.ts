import type { DbOrTx } from './client.ts';
import type { SQL } from './orm.ts';

/** What drizzle keeps on a database or transaction handle to run a query (public at runtime, internal in its types). */
interface Internals {
  session: {
    prepareQuery(
      query: unknown,
      fields: undefined,
      name: string | undefined,
      arrayMode: boolean,
      customResultMapper?: (rows: unknown[][]) => unknown,
    ): { execute(): Promise<unknown> };
  };
  dialect: { sqlToQuery(query: SQL): unknown };
}

/**
 * `db.execute(query)` as a named prepared statement: on PostgreSQL each connection parses and
 * plans it once and reuses the plan, where an unnamed statement is planned on every call (for the
 * listings' audit statement, planning was about half of PostgreSQL's CPU). Only for a query whose
 * text never changes under one `name` (the values go in as parameters); the driver refuses a
 * second text for a name. PGlite runs it as an unnamed statement.
 */
export function executeNamed(db: DbOrTx, name: string, query: SQL): Promise<unknown> {
  return runPrepared(db, query, { name });
}

/**
 * Runs `query` through drizzle's own prepared query, which `db.execute` does not expose: under
 * `name` (see executeNamed), and with `asArrays` each row an array of its columns (see
 * rows.ts executeAsArrays) rather than a `{ rows }` result of objects.
 */
export function runPrepared(
  db: DbOrTx,
  query: SQL,
  { name, asArrays = false }: { name?: string; asArrays?: boolean },
): Promise<unknown> {
  const { session, dialect } = db as unknown as Internals;
  const rowsAsGiven = asArrays ? (rows: unknown[][]) => rows : undefined;
  return session.prepareQuery(dialect.sqlToQuery(query), undefined, name, asArrays, rowsAsGiven).execute();
}
