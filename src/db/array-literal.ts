import { type SQL, sql } from './orm.ts';

const QUOTE_OR_BACKSLASH = /[\\"]/;

/**
 * `values` as one PostgreSQL array literal parameter, for a statement that casts it (`::uuid[]`,
 * `::int[]`, `::text[]`). node-postgres writes an array itself by quoting each element with two
 * regular-expression replaces, numbers included: about 2 ms of a bulk batch's 1,000 lines, five
 * times what this takes (bench/README.md, 2026-12-07, session 57). Strings are quoted, and escaped
 * only when they hold a quote or a backslash; numbers are written as JSON writes them (so -0 is 0);
 * null is SQL NULL.
 */
export function arrayParam(values: readonly (string | number | null)[]): SQL {
  let text = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (i > 0) text += ',';
    if (value === null) {
      text += 'NULL';
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value))
        throw new RangeError(`not a finite number for an array parameter: ${value}`);
      text += value;
    } else {
      text += QUOTE_OR_BACKSLASH.test(value) ? `"${value.replace(/[\\"]/g, '\\$&')}"` : `"${value}"`;
    }
  }
  return sql`${sql.param(`${text}}`)}`;
}
