import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { candidates, jobs } from '../../src/db/schema.ts';
import type * as repository from '../../src/matching/repository.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds, createTestDatabase } from '../support/database.ts';
import { createMarket, detachedFollower } from '../support/matching-factories.ts';

/** Every change row a follower reads, by seq, as the feed's query returned it. */
const readSeqs: number[] = [];
vi.mock('../../src/matching/repository.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof repository>();
  return {
    ...actual,
    changesSince: async (...args: Parameters<typeof actual.changesSince>) => {
      const rows = await actual.changesSince(...args);
      readSeqs.push(...rows.map((row) => row.seq));
      return rows;
    },
  };
});

/** How many rows the call reads from the change feed. */
async function rowsReadBy(pass: () => Promise<void>) {
  const before = readSeqs.length;
  await pass();
  return readSeqs.slice(before);
}

describe.each(availableDatabaseKinds())('the change feed read once on %s', (kind) => {
  let database: Database;
  let t: TestApp;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    t = await createTestApp({ database });
    // Only the followers these tests make read the feed (the mock counts every reader's rows).
    await t.app.changeFollower.stop();
  });
  afterAll(async () => {
    await t?.close();
    await database?.close();
  });

  it('reads each change row once: a full pass right after another reads nothing, the next change alone', async () => {
    const m = await createMarket(t.app);
    const { follower, listed } = await detachedFollower(t, m);
    expect((await rowsReadBy(() => follower.catchUp())).length).toBeGreaterThan(0);
    expect(listed()).toEqual([m.ids.better, m.ids.good]);
    // Every row is younger than the commit window, so a pass that re-read the window read them all.
    expect(await rowsReadBy(() => follower.catchUp())).toEqual([]);

    await t.database.db.update(jobs).set({ minScore: 0.976 }).where(eq(jobs.id, m.job.id));
    expect(await rowsReadBy(() => follower.catchUp())).toHaveLength(1);
    expect(listed()).toEqual([m.ids.better]);
    await follower.stop();
  });

  // Needs two open transactions at once, so a PostgreSQL server (PGlite runs one at a time).
  if (kind === 'postgres') {
    it('reads a late commit through the gap it left, and only that row', async () => {
      const m = await createMarket(t.app);
      const { follower, listed } = await detachedFollower(t, m);
      await follower.catchUp();
      const late = await (t.database as Extract<Database, { kind: 'postgres' }>).pool.connect();
      try {
        await late.query('begin');
        await late.query('update jobs set min_score = 0.976 where id = $1', [m.job.id]);
        await t.database.db
          .update(candidates)
          .set({ headline: 'changed' })
          .where(eq(candidates.id, m.ids.silent));
        // A wake-up reads past the later seq while the earlier one is still uncommitted.
        const [after] = await rowsReadBy(() => follower.catchUp({ full: false }));
        await late.query('commit');
        const filled = await rowsReadBy(() => follower.catchUp());
        expect(filled).toHaveLength(1);
        expect(filled[0]).toBeLessThan(after!);
        expect(listed()).toEqual([m.ids.better]);
      } finally {
        late.release();
        await follower.stop();
      }
    });

    it('reads more than a hundred gaps as one range, and still applies the late commit once', async () => {
      const m = await createMarket(t.app);
      const { follower, listed } = await detachedFollower(t, m);
      const pool = (t.database as Extract<Database, { kind: 'postgres' }>).pool;
      const late = await pool.connect();
      try {
        await late.query('begin');
        await late.query('update jobs set min_score = 0.976 where id = $1', [m.job.id]);
        // Each rolled-back write takes a seq that never shows: a gap between committed ones.
        for (let i = 0; i < 120; i++) {
          await pool.query(
            `begin; update candidates set headline = 'x' where id = '${m.ids.silent}'; rollback`,
          );
          await t.database.db
            .update(candidates)
            .set({ headline: `c${i}` })
            .where(eq(candidates.id, m.ids.silent));
        }
        await follower.catchUp();
        await late.query('commit');
        const seenBefore = new Set(readSeqs);
        const reread = await rowsReadBy(() => follower.catchUp());
        expect(reread.filter((seq) => !seenBefore.has(seq))).toHaveLength(1);
        expect(listed()).toEqual([m.ids.better]);
      } finally {
        late.release();
        await follower.stop();
      }
    });
  }
});
