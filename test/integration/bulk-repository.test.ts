import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../src/db/client.ts';
import type { SQL } from '../../src/db/orm.ts';
import type { BulkEntry } from '../../src/profiles/bulk.ts';
import { type CandidateLine, writeCandidates } from '../../src/profiles/bulk-repository.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { createWorkspace, unique, uniqueEmail } from '../support/factories.ts';

const entries = (count: number): BulkEntry<CandidateLine>[] =>
  Array.from({ length: count }, (_, i) => {
    const externalId = unique('c');
    return {
      line: i + 1,
      externalId,
      record: { externalId, headline: 'Welder', minScore: 0.5, contact: { name: 'N', email: uniqueEmail() } },
      answers: undefined,
    };
  });

describe.each(availableDatabaseKinds())('writeCandidates on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ kind });
  });
  afterAll(() => t.close());

  /** Writes `batch` in one transaction, returning what was written and the statements it ran. */
  async function write(workspaceId: string, batch: BulkEntry<CandidateLine>[]) {
    const statements: string[] = [];
    const written = await t.database.db.transaction(async (tx) => {
      const dialect = (tx as unknown as { dialect: { sqlToQuery(q: SQL): { sql: string } } }).dialect;
      const recording = new Proxy(tx, {
        get: (target, property) =>
          property === 'execute'
            ? (query: SQL) => {
                statements.push(dialect.sqlToQuery(query).sql.replace(/\s+/g, ' ').trim());
                return target.execute(query);
              }
            : Reflect.get(target, property),
      }) as Tx;
      return writeCandidates(recording, workspaceId, batch, { origin: 'test' });
    });
    return { written, statements };
  }

  it('writes a batch of new candidates without reading stored rows before the insert', async () => {
    const { workspace } = await createWorkspace(t.app);
    const { written, statements } = await write(workspace.id, entries(3));
    expect([...written.values()].map((w) => w.inserted)).toEqual([true, true, true]);
    // Only the writes themselves (and set_config): the upsert tells new from stored rows.
    expect(statements.filter((s) => /^select /i.test(s) && !s.startsWith('select set_config'))).toEqual([]);
  });

  it('finds a batch sent again unchanged, and a changed contact alone updated', async () => {
    const { workspace } = await createWorkspace(t.app);
    const batch = entries(3);
    const first = await write(workspace.id, batch);
    const again = await write(workspace.id, batch);
    const of = (written: typeof first.written) => batch.map((e) => written.get(e.externalId)!);
    expect(of(again.written).map((w) => w.unchanged)).toEqual([true, true, true]);
    const changed = structuredClone(batch);
    changed[1]!.record.contact.phone = '+32 9 000 00 00';
    const third = await write(workspace.id, changed);
    expect(of(third.written).map((w) => w.unchanged ?? false)).toEqual([true, false, true]);
    expect(of(third.written).map((w) => w.id)).toEqual(of(first.written).map((w) => w.id));
  });
});
