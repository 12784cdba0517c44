import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/rows.ts';
import { eraseCandidate } from '../../src/profiles/privacy.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { createMarket } from '../support/matching-factories.ts';

/*
 * A listing recorded while a candidate's erasure is in flight. On PostgreSQL the listing's audit
 * statement and the erasure run on two connections at once; PGlite has one connection, so there
 * the listing waits for the erasure whatever the code does.
 */
describe.each(availableDatabaseKinds())('an erasure and a listing at once on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ kind });
  });
  afterAll(() => t.close());

  it('leaves the erased id in no audit record and no answer, though the listing ranked it', async () => {
    const m = await createMarket(t.app);
    const erased = m.ids.good;
    let listing: Promise<{ matches: { candidateId: string }[] }> | undefined;
    await t.database.db.transaction(async (tx) => {
      expect(await eraseCandidate(tx, m.workspace.id, erased, 'test-erasure')).toBe(true);
      // The index still holds the candidate: the listing ranks it while the erasure is open.
      listing = m.admin.get(`/v1/jobs/${m.job.id}/matches`).then((r) => r.json());
      await new Promise((resolve) => setTimeout(resolve, 500));
    });
    const { matches } = await listing!;
    expect(matches.map((row) => row.candidateId)).toEqual([m.ids.better]);
    const naming = rowsOf<{ n: number }>(
      await t.database.db.execute(
        sql`select count(*)::int as n from audit_events where result_ids ? ${erased} or subject_id = ${erased}::uuid`,
      ),
    );
    expect(naming[0]!.n).toBe(0);
  });

  it('stores an allocation from the matches that ran during the erasure without the erased candidate', async () => {
    const m = await createMarket(t.app);
    const erased = m.ids.better;
    let allocating: Promise<{ statusCode: number; body: string }> | undefined;
    await t.database.db.transaction(async (tx) => {
      expect(await eraseCandidate(tx, m.workspace.id, erased, 'test-erasure')).toBe(true);
      allocating = m.admin.post('/v1/allocations', { source: 'matches', jobIds: [m.job.id] });
      await new Promise((resolve) => setTimeout(resolve, 500));
    });
    const response = await allocating!;
    expect(response.statusCode, response.body).toBe(201);
    expect(response.body).not.toContain(erased);
    const stored = rowsOf<{ n: number }>(
      await t.database.db.execute(
        sql`select count(*)::int as n from allocations a where a::text like ${`%${erased}%`}`,
      ),
    );
    expect(stored[0]!.n).toBe(0);
    const audited = rowsOf<{ n: number }>(
      await t.database.db.execute(
        sql`select count(*)::int as n from audit_events where result_ids ? ${erased}`,
      ),
    );
    expect(audited[0]!.n).toBe(0);
  });
});
