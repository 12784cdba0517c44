import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { sql } from '../../src/db/orm.ts';
import { executeAsArrays, rowsOf } from '../../src/db/rows.ts';
import { availableDatabaseKinds, createTestDatabase } from '../support/database.ts';

const probe = sql`
  select '0b0a6d3e-5f27-4c4b-9d2e-3b8f1f1a2c01'::uuid as id, 0.25::float8 as score, true as open,
         null::text[] as none, array['a', 'b']::text[] as names, 7::int as n,
         '\\x00ff10'::bytea as bytes, '{"k": [1, "x"]}'::jsonb as doc`;

describe.each(availableDatabaseKinds())('rows as arrays (executeAsArrays), on %s', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(() => database.close());

  it("gives each row as its columns in the select's order, each parsed as db.execute parses it", async () => {
    const [row, ...more] = await executeAsArrays(database.db, probe);
    expect(more).toEqual([]);
    const [object] = rowsOf<Record<string, unknown>>(await database.db.execute(probe));
    expect(row).toEqual(Object.values(object!));
    expect(row).toEqual([
      '0b0a6d3e-5f27-4c4b-9d2e-3b8f1f1a2c01',
      0.25,
      true,
      null,
      ['a', 'b'],
      7,
      expect.anything(),
      { k: [1, 'x'] },
    ]);
    expect([...(row![6] as Uint8Array)]).toEqual([0, 255, 16]);
  });

  it('runs in the transaction it is given, with the parameters of the query', async () => {
    await database.db.execute(sql`create table rows_as_arrays_probe (n int, s text)`);
    await expect(
      database.db.transaction(async (tx) => {
        await tx.execute(sql`insert into rows_as_arrays_probe values (${1}, ${'one'}), (${2}, ${'two'})`);
        const seen = await executeAsArrays(tx, sql`select s, n from rows_as_arrays_probe where n >= ${2}`);
        expect(seen).toEqual([['two', 2]]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await executeAsArrays(database.db, sql`select n from rows_as_arrays_probe`)).toEqual([]);
  });
});
