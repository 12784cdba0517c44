import { createRequire } from 'node:module';

/**
 * drizzle-orm, loaded through `require`: everything in src imports drizzle from here.
 *
 * Node 24's ESM loader reads drizzle-orm's 180 kB package.json again for each of the ~460 modules
 * an `import` of drizzle loads (its `exports` map is parsed per module), which took 1.7 s of every
 * start on the bench machine; the CommonJS build of the same version loads in 0.3 s. drizzle tells
 * its own objects apart by a global symbol, not by module identity, so code that imports the ESM
 * build (drizzle-kit, a test) still works with these.
 */
const load = typeof require === 'function' ? require : createRequire(import.meta.url);

const orm = load('drizzle-orm') as typeof import('drizzle-orm');
export const {
  and,
  asc,
  count,
  desc,
  DrizzleQueryError,
  eq,
  gt,
  gte,
  inArray,
  isNotNull,
  isNull,
  like,
  lt,
  lte,
  ne,
  notInArray,
  or,
  sql,
} = orm;
export type { SQL } from 'drizzle-orm';

const pgCore = load('drizzle-orm/pg-core') as typeof import('drizzle-orm/pg-core');
export const {
  alias,
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  json,
  jsonb,
  pgEnum,
  pgSequence,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} = pgCore;
export type { AnyPgColumn, PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

export const { drizzle: drizzlePg } = load(
  'drizzle-orm/node-postgres',
) as typeof import('drizzle-orm/node-postgres');
export const { drizzle: drizzlePglite } = load('drizzle-orm/pglite') as typeof import('drizzle-orm/pglite');
export type { PgliteDatabase } from 'drizzle-orm/pglite';
export const { migrate: migratePg } = load(
  'drizzle-orm/node-postgres/migrator',
) as typeof import('drizzle-orm/node-postgres/migrator');
export const { migrate: migratePglite } = load(
  'drizzle-orm/pglite/migrator',
) as typeof import('drizzle-orm/pglite/migrator');
