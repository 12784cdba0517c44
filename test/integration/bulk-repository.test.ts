import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../src/db/client.ts';
import { type SQL, sql } from '../../src/db/orm.ts';
import { rowsOf } from '../../src/db/rows.ts';
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

  /**
   * Writes `batch` in one transaction, returning what was written, the statements it ran, the
   * plan_cache_mode each insert ran under, and the mode the transaction had after the write.
   */
  async function write(workspaceId: string, batch: BulkEntry<CandidateLine>[], planCacheMode = 'auto') {
    const statements: string[] = [];
    const insertPlanModes: string[] = [];
    const { written, modeAfter } = await t.database.db.transaction(async (tx) => {
      await tx.execute(sql.raw(`set local plan_cache_mode = ${planCacheMode}`));
      const dialect = (tx as unknown as { dialect: { sqlToQuery(q: SQL): { sql: string } } }).dialect;
      const recording = new Proxy(tx, {
        get: (target, property) =>
          property === 'execute'
            ? async (query: SQL) => {
                const text = dialect.sqlToQuery(query).sql.replace(/\s+/g, ' ').trim();
                statements.push(text);
                if (/^insert /i.test(text)) insertPlanModes.push(await planModeOf(target));
                return target.execute(query);
              }
            : Reflect.get(target, property),
      }) as Tx;
      const written = await writeCandidates(recording, workspaceId, batch, { origin: 'test' });
      return { written, modeAfter: await planModeOf(tx) };
    });
    return { written, statements, insertPlanModes, modeAfter };
  }

  async function planModeOf(tx: Tx): Promise<string> {
    const [row] = rowsOf<{ mode: string }>(
      await tx.execute(sql`select current_setting('plan_cache_mode') as mode`),
    );
    return row!.mode;
  }

  it('writes a batch of new candidates without reading stored rows before the insert', async () => {
    const { workspace } = await createWorkspace(t.app);
    const { written, statements } = await write(workspace.id, entries(3));
    expect([...written.values()].map((w) => w.inserted)).toEqual([true, true, true]);
    // Only the writes themselves (and set_config): the upsert tells new from stored rows.
    expect(statements.filter((s) => /^select /i.test(s) && !s.startsWith('select set_config'))).toEqual([]);
  });

  it('plans its inserts generically (no parameter copied into a plan), then gives the transaction its own mode back', async () => {
    const { workspace } = await createWorkspace(t.app);
    // Stored as given: the statement neither reads the answers nor checks them against the packed row.
    const answers = {
      questionnaireId: 'work-fit',
      questionnaireVersion: 1,
      json: new TextEncoder().encode('{}'),
      indexRow: new Uint8Array([1, 2, 3]),
      indexLayout: 'test',
    };
    const withAnswers = () => entries(3).map((e) => ({ ...e, answers }));
    const generic = ['force_generic_plan', 'force_generic_plan', 'force_generic_plan'];
    const first = await write(workspace.id, withAnswers());
    expect(first.insertPlanModes).toEqual(generic);
    expect(first.modeAfter).toBe('auto');
    const second = await write(workspace.id, withAnswers(), 'force_custom_plan');
    expect(second.insertPlanModes).toEqual(generic);
    expect(second.modeAfter).toBe('force_custom_plan');
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
