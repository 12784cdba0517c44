import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayParam } from '../../src/db/array-literal.ts';
import type { Database } from '../../src/db/client.ts';
import { sql } from '../../src/db/orm.ts';
import { rowsOf } from '../../src/db/rows.ts';
import { availableDatabaseKinds, createTestDatabase } from '../support/database.ts';

describe.each(availableDatabaseKinds())('array parameters (arrayParam), on %s', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(() => database.close());

  const read = async (query: ReturnType<typeof sql>) =>
    rowsOf<{ value: unknown }>(await database.db.execute(query))[0]!.value;

  it('reads back every string as given: quotes, backslashes, separators, braces, NULL, blanks, non-ASCII', async () => {
    const strings = [
      'a"b',
      'back\\slash',
      '\\"',
      'a,b',
      '{x}',
      'NULL',
      'null',
      '',
      ' padded ',
      'é ☃ 𝄞',
      "it's",
    ];
    expect(await read(sql`select ${arrayParam(strings)}::text[] as value`)).toEqual(strings);
  });

  it('reads back any strings and integers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ unit: 'grapheme' }).filter((s) => !s.includes('\0')),
          { maxLength: 20 },
        ),
        fc.array(fc.integer(), { maxLength: 20 }),
        async (strings, integers) => {
          expect(await read(sql`select ${arrayParam(strings)}::text[] as value`)).toEqual(strings);
          expect(await read(sql`select ${arrayParam(integers)}::int8[] as value`)).toEqual(
            integers.map((n) => (kind === 'pglite' ? n : String(n))),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reads back any doubles and NULLs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }), {
          maxLength: 20,
        }),
        fc.array(
          fc.option(
            fc.string().filter((s) => !s.includes('\0')),
            { nil: null },
          ),
          { maxLength: 20 },
        ),
        async (doubles, strings) => {
          // Written as JSON writes a number: -0 as 0.
          const expected = doubles.map((d) => (d === null ? null : d + 0));
          expect(await read(sql`select ${arrayParam(doubles)}::float8[] as value`)).toEqual(expected);
          expect(await read(sql`select ${arrayParam(strings)}::text[] as value`)).toEqual(strings);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('casts to the type the statement names, and refuses a number that is not finite', async () => {
    const ids = ['0b0a6d3e-5f27-4c4b-9d2e-3b8f1f1a2c01', '00000000-0000-7000-8000-000000000001'];
    expect(await read(sql`select ${arrayParam(ids)}::uuid[] as value`)).toEqual(ids);
    expect(await read(sql`select ${arrayParam([3, -1, 0])}::int[] as value`)).toEqual([3, -1, 0]);
    expect(await read(sql`select ${arrayParam([])}::int[] as value`)).toEqual([]);
    expect(() => arrayParam([1, Number.NaN])).toThrow(/not a finite number/);
  });
});
