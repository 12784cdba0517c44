import type { DbOrTx } from './client.ts';
import type { SQL } from './orm.ts';

/** What drizzle keeps on a database or transaction handle to run a query (public at runtime, internal in its types). */
export interface Internals {
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
  const { session, dialect } = db as unknown as Internals;
  return session.prepareQuery(dialect.sqlToQuery(query), undefined, name, false).execute();
}
