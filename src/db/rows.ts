/** The rows of a raw `db.execute` result: node-postgres and PGlite both answer `{ rows }`; the shared Db type does not say so. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
