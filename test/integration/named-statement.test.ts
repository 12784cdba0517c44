import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/client.ts';
import { executeNamed } from '../../src/db/named-statement.ts';
import { sql } from '../../src/db/orm.ts';
import { rowsOf } from '../../src/db/rows.ts';
import { availableDatabaseKinds, createTestDatabase } from '../support/database.ts';

const doubled = (n: number) => sql`select ${n}::int * 2 as doubled`;

describe.each(availableDatabaseKinds())('named statements (executeNamed), on %s', (kind) => {
  let database: Database & { url?: string };
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(() => database.close());

  it('answers each call with its own parameters', async () => {
    const answers = [];
    for (const n of [1, 2, 21])
      answers.push(rowsOf<{ doubled: number }>(await executeNamed(database.db, 'doubled', doubled(n))));
    expect(answers).toEqual([[{ doubled: 2 }], [{ doubled: 4 }], [{ doubled: 42 }]]);
  });

  it('runs in the transaction it is given: rolled back with it', async () => {
    await database.db.execute(sql`create table named_statement_probe (n int)`);
    await expect(
      database.db.transaction(async (tx) => {
        await executeNamed(tx, 'probe_insert', sql`insert into named_statement_probe values (${7})`);
        const seen = rowsOf<{ n: number }>(await tx.execute(sql`select n from named_statement_probe`));
        expect(seen).toEqual([{ n: 7 }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(rowsOf(await database.db.execute(sql`select n from named_statement_probe`))).toEqual([]);
  });

  // PGlite has no pg_prepared_statements of the wire protocol's statements to look at.
  if (kind === 'postgres')
    it('is parsed once per connection and then reused', async () => {
      // One connection, so every call meets the statement prepared by the first.
      const single = await openDatabase({ DATABASE_URL: database.url, DATA_DIR: 'memory', poolMax: 1 });
      try {
        for (const n of [1, 2, 3]) await executeNamed(single.db, 'doubled', doubled(n));
        const prepared = rowsOf<{ name: string; runs: number }>(
          await single.db.execute(sql`select name, (generic_plans + custom_plans)::int as runs
          from pg_prepared_statements where name = 'doubled'`),
        );
        expect(prepared).toEqual([{ name: 'doubled', runs: 3 }]);
      } finally {
        await single.close();
      }
    });
});
