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
   * Writes `batch` in one transaction, returning what was written, the statements it ran (and
   * their parameters), the plan_cache_mode each insert ran under, and the mode the transaction had
   * after the write.
   */
  async function write(workspaceId: string, batch: BulkEntry<CandidateLine>[], planCacheMode = 'auto') {
    const statements: string[] = [];
    const parameters: unknown[][] = [];
    const insertPlanModes: string[] = [];
    const { written, modeAfter } = await t.database.db.transaction(async (tx) => {
      await tx.execute(sql.raw(`set local plan_cache_mode = ${planCacheMode}`));
      const dialect = (
        tx as unknown as { dialect: { sqlToQuery(q: SQL): { sql: string; params: unknown[] } } }
      ).dialect;
      const recording = new Proxy(tx, {
        get: (target, property) =>
          property === 'execute'
            ? async (query: SQL) => {
                const { sql: text, params } = dialect.sqlToQuery(query);
                statements.push(text.replace(/\s+/g, ' ').trim());
                parameters.push(params);
                if (/^\s*insert /i.test(text)) insertPlanModes.push(await planModeOf(target));
                return target.execute(query);
              }
            : Reflect.get(target, property),
      }) as Tx;
      const written = await writeCandidates(recording, workspaceId, batch, { origin: 'test' });
      return { written, modeAfter: await planModeOf(tx) };
    });
    return { written, statements, parameters, insertPlanModes, modeAfter };
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

  it('stores each packed row and layout key as given, sending each distinct key once', async () => {
    const { workspace } = await createWorkspace(t.app);
    const packed = (indexRow: number[], indexLayout: string) => ({
      questionnaireId: 'work-fit',
      questionnaireVersion: 1,
      json: new TextEncoder().encode('{}'),
      indexRow: new Uint8Array(indexRow),
      indexLayout,
    });
    const given = [packed([1, 2, 3], 'layout-a'), packed([4], 'layout-b'), packed([5, 6, 0, 7], 'layout-a')];
    const batch = entries(3).map((e, i) => ({ ...e, answers: given[i] }));
    const { written, statements, parameters } = await write(workspace.id, batch);
    const rows = rowsOf<{ candidate_id: string; index_row: Uint8Array; index_layout: string }>(
      await t.database.db.execute(sql`select candidate_id, index_row, index_layout from answer_sets
        where candidate_id in (${sql.join(
          batch.map((e) => sql`${written.get(e.externalId)!.id}::uuid`),
          sql`, `,
        )})`),
    );
    const stored = batch.map((e) => rows.find((r) => r.candidate_id === written.get(e.externalId)!.id)!);
    expect(stored.map((r) => [...r.index_row])).toEqual([[1, 2, 3], [4], [5, 6, 0, 7]]);
    expect(stored.map((r) => r.index_layout)).toEqual(['layout-a', 'layout-b', 'layout-a']);
    const answersInsert = statements.findIndex((s) => s.startsWith('insert into answer_sets'));
    const sent = JSON.stringify(parameters[answersInsert]);
    expect(sent.split('layout-a').length - 1).toBe(1);
  });

  it('inserts the contacts and answers of new candidates plainly, and upserts those of stored ones, in one batch', async () => {
    const { workspace } = await createWorkspace(t.app);
    const answers = (json: string) => ({
      questionnaireId: 'work-fit',
      questionnaireVersion: 1,
      json: new TextEncoder().encode(json),
      indexRow: new Uint8Array([1]),
      indexLayout: 'test',
    });
    const stored = entries(2).map((e) => ({ ...e, answers: answers('{"v":1}') }));
    await write(workspace.id, stored);
    const changedStored = structuredClone(stored);
    for (const e of changedStored) {
      e.record.contact.email = uniqueEmail();
      e.answers = answers('{"v":2}');
    }
    const fresh = entries(2).map((e) => ({ ...e, answers: answers('{"v":3}') }));
    const batch = [changedStored[0]!, fresh[0]!, changedStored[1]!, fresh[1]!];
    const { written, statements } = await write(workspace.id, batch);
    expect(batch.map((e) => written.get(e.externalId)!.inserted)).toEqual([false, true, false, true]);
    const inserts = (table: string) =>
      statements
        .filter((s) => s.startsWith(`insert into ${table} `))
        .map((s) => (s.includes(' on conflict ') ? 'upsert' : 'insert'));
    expect(inserts('candidate_contacts')).toEqual(['insert', 'upsert']);
    expect(inserts('answer_sets')).toEqual(['insert', 'upsert']);
    const rows = rowsOf<{ candidate_id: string; email: string; answers: unknown }>(
      await t.database.db.execute(sql`select c.candidate_id, c.email, a.answers
        from candidate_contacts c join answer_sets a using (candidate_id)
        where c.workspace_id = ${workspace.id}::uuid`),
    );
    const rowOf = (e: BulkEntry<CandidateLine>) =>
      rows.find((r) => r.candidate_id === written.get(e.externalId)!.id);
    expect(batch.map((e) => [rowOf(e)?.email, rowOf(e)?.answers])).toEqual(
      batch.map((e, i) => [e.record.contact.email, { v: i % 2 === 0 ? 2 : 3 }]),
    );
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
