import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { answerSets, candidates, jobs } from '../../src/db/schema.ts';
import {
  type MarketSize,
  marketSizes,
  readStates,
  type StateRow,
  streamStates,
} from '../../src/matching/repository.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds, createTestDatabase } from '../support/database.ts';
import { caller } from '../support/factories.ts';
import {
  bulkCandidates,
  createMarket,
  detachedFollower,
  eventually,
  goodCandidate,
  type Market,
  marketCandidates,
  matchedCandidateIds,
  matchedJobIds,
  putAnswers,
} from '../support/matching-factories.ts';

/** An app started after the market was written lists it as the writer does: its index comes from the database. */
async function expectLateAppToMatch(database: Database, m: Market) {
  const late = await createTestApp({ database });
  try {
    const onLate = caller(late.app, m.adminKey);
    expect(await matchedCandidateIds(onLate, m.job.id)).toEqual([m.ids.better, m.ids.good]);
    expect(await matchedJobIds(onLate, m.ids.good)).toEqual([m.otherJob.id, m.job.id]);
  } finally {
    await late.close();
  }
}

describe.each(availableDatabaseKinds())('change feed of one app on %s', (kind) => {
  let database: Database;
  let t: TestApp;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    t = await createTestApp({ database });
  });
  afterAll(async () => {
    await t?.close();
    await database?.close();
  });

  it("applies a job's min_score and status written with SQL, bypassing the routes, after a catch-up", async () => {
    const m = await createMarket(t.app);
    const { db } = t.database;
    expect(await matchedCandidateIds(m.admin, m.job.id)).toEqual([m.ids.better, m.ids.good]);
    // S(job→better) ≈ 0.97664 and S(job→good) ≈ 0.97508 straddle 0.976.
    await db.update(jobs).set({ minScore: 0.976 }).where(eq(jobs.id, m.job.id));
    await t.app.changeFollower.catchUp();
    expect(await matchedCandidateIds(m.admin, m.job.id)).toEqual([m.ids.better]);
    await db.update(jobs).set({ status: 'closed' }).where(eq(jobs.id, m.job.id));
    await t.app.changeFollower.catchUp();
    expect(await matchedJobIds(m.admin, m.ids.better)).toEqual([m.otherJob.id]);
  });

  it("applies a candidate's answers replaced with SQL after a catch-up", async () => {
    const m = await createMarket(t.app);
    await t.database.db
      .update(answerSets)
      .set({ answers: marketCandidates.tooExpensive.answers })
      .where(eq(answerSets.candidateId, m.ids.good));
    await t.app.changeFollower.catchUp();
    expect(await matchedCandidateIds(m.admin, m.job.id)).toEqual([m.ids.better]);
    expect(await matchedJobIds(m.admin, m.ids.good)).toEqual([]);
  });

  /** The detached follower, caught up with the market. */
  async function caughtUpFollower(m: Market) {
    const detached = await detachedFollower(t, m);
    await detached.follower.catchUp();
    expect(detached.listed()).toEqual([m.ids.better, m.ids.good]);
    return detached;
  }

  it('has applied, once catchUp() resolves, a change committed while an earlier catch-up was running', async () => {
    const m = await createMarket(t.app);
    const { db } = t.database;
    const { follower, listed } = await caughtUpFollower(m);
    // A change to another profile gives the next run work, so it is still running when J changes.
    await db.update(candidates).set({ headline: 'changed' }).where(eq(candidates.id, m.ids.silent));
    const inFlight = follower.catchUp();
    await db.update(jobs).set({ minScore: 0.976 }).where(eq(jobs.id, m.job.id));
    await follower.catchUp();
    const afterCatchUp = listed();
    await inFlight;
    await follower.stop();
    expect(afterCatchUp).toEqual([m.ids.better]);
  });

  // A change whose lower seq commits after a higher one was read: change-feed-reads.test.ts.

  it('never lists an erased candidate on a replica that missed the notification, and mends its index', async () => {
    // Erasure takes the id out of the change feed, so only the NOTIFY tells other replicas; a
    // replica that missed it still holds the candidate, and the listing must not show it.
    const m = await createMarket(t.app);
    const replica = await createTestApp({ database });
    try {
      await replica.app.changeFollower.stop();
      const onReplica = caller(replica.app, m.adminKey);
      expect(await matchedCandidateIds(onReplica, m.job.id)).toEqual([m.ids.better, m.ids.good]);
      expect((await m.admin.delete(`/v1/candidates/${m.ids.good}`)).statusCode).toBe(204);
      expect(await matchedCandidateIds(onReplica, m.job.id)).toEqual([m.ids.better]);
      expect(
        replica.app.matchIndex.matchesOf(m.workspace.id, 'candidate', m.ids.good, {
          limit: 5,
          method: 'harmonic',
        }),
      ).toBeUndefined();
    } finally {
      await replica.close();
    }
  });

  it('loads the data already in the database into an app started after it was written', async () => {
    await expectLateAppToMatch(database, await createMarket(t.app));
  });

  it('reads a side at start-up from both ends at once: every profile, each page in id order, few twice', async () => {
    await createMarket(t.app);
    await createMarket(t.app);
    const { db } = t.database;
    const all = (await db.select({ id: candidates.id }).from(candidates).orderBy(candidates.id)).map(
      (c) => c.id,
    );
    expect(all.length).toBeGreaterThanOrEqual(12);
    for (const pageSize of [1, 2, 3, 5, all.length - 1, all.length, all.length + 1]) {
      const pages: string[][] = [];
      for await (const page of streamStates(db, 'candidate', [], pageSize)) pages.push(page.map((p) => p.id));
      for (const page of pages) {
        expect(page.length).toBeLessThanOrEqual(pageSize);
        expect(page).toEqual([...page].sort());
      }
      const streamed = pages.flat();
      expect([...new Set(streamed)].sort()).toEqual(all);
      // Only the two reads in flight where the ends meet can overlap.
      expect(streamed.length - all.length).toBeLessThanOrEqual(2 * pageSize);
      // A side that fits in one page is read once, by one end.
      if (pageSize > all.length) expect(pages).toEqual([all]);
    }
  });

  it('counts the answer sets of each market by side, as start-up sizes its stores by them', async () => {
    await createMarket(t.app);
    const { db } = t.database;
    const market = [
      answerSets.workspaceId,
      answerSets.questionnaireId,
      answerSets.questionnaireVersion,
    ] as const;
    const expected = await db
      .select({
        workspaceId: market[0],
        questionnaireId: market[1],
        questionnaireVersion: market[2],
        job: count(answerSets.jobId),
        candidate: count(answerSets.candidateId),
      })
      .from(answerSets)
      .groupBy(...market);
    expect(expected.some((size) => size.job > 0 && size.candidate > size.job)).toBe(true);
    const inOrder = (sizes: MarketSize[]) =>
      [...sizes].sort((a, b) => a.workspaceId.localeCompare(b.workspaceId));
    expect(inOrder(await marketSizes(db))).toEqual(inOrder(expected));
  });

  it('reads each profile of a start-up page with its own answers, as a look-up by id does', async () => {
    // A page's answer sets are read as one range of ids: pages of 2 put page edges between
    // candidates with answers, without (marketCandidates has one) and of other workspaces.
    const m = await createMarket(t.app);
    await createMarket(t.app);
    const { db } = t.database;
    const current = t.app.matchIndex.currentLayoutKeys();
    // With the current layouts the packed rows are read; with none, the answers themselves.
    for (const layoutKeys of [current, []]) {
      const streamed = new Map<string, StateRow>();
      for await (const page of streamStates(db, 'candidate', layoutKeys, 2)) {
        for (const state of page) streamed.set(state.id, state);
      }
      const workspaceIds = [...new Set([...streamed.values()].map((s) => s.workspaceId))];
      const lookedUp = (
        await Promise.all(
          workspaceIds.map((w) =>
            readStates(
              db,
              w,
              'candidate',
              [...streamed.values()].filter((s) => s.workspaceId === w).map((s) => s.id),
              layoutKeys,
            ),
          ),
        )
      ).flat();
      const byId = (states: StateRow[]) => [...states].sort((a, b) => a.id.localeCompare(b.id));
      expect(byId([...streamed.values()])).toEqual(byId(lookedUp));
      const ours = [...streamed.values()].filter((s) => s.workspaceId === m.workspace.id);
      expect(ours.filter((s) => s.answers === null).length).toBeGreaterThan(0);
      const answered = ours.filter((s) => s.answers !== null);
      expect(answered.length).toBeGreaterThan(1);
      for (const { answers } of answered) {
        if (layoutKeys.length > 0) {
          expect(answers).toMatchObject({ answers: null, indexLayout: current[0] });
          expect(answers?.indexRow?.length).toBeGreaterThan(0);
        } else {
          expect(answers).toMatchObject({ indexRow: null, indexLayout: null });
          expect(Object.keys(answers?.answers ?? {}).length).toBeGreaterThan(0);
        }
      }
    }
  });
});

// Two replicas only make sense on a real server: each app follows the other's writes through the feed.
if (availableDatabaseKinds().includes('postgres')) {
  describe('change feed between two apps on one PostgreSQL database', () => {
    let database: Database;
    let a: TestApp;
    let b: TestApp;
    beforeAll(async () => {
      database = await createTestDatabase('postgres');
      a = await createTestApp({ database });
      b = await createTestApp({ database });
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await database?.close();
    });

    /** A market written through app A, once app B shows it. */
    async function marketSeenByB() {
      const m = await createMarket(a.app);
      const onB = caller(b.app, m.adminKey);
      await eventually(async () => (await matchedCandidateIds(onB, m.job.id)).length === 2);
      expect(await matchedCandidateIds(onB, m.job.id)).toEqual([m.ids.better, m.ids.good]);
      return { m, onB };
    }

    it('shows in B, a candidate created with answers through A (bulk)', async () => {
      const { m, onB } = await marketSeenByB();
      const [id] = await bulkCandidates(a.app, m.adminKey, [{ answers: goodCandidate }]);
      await eventually(async () => (await matchedCandidateIds(onB, m.job.id)).includes(id!));
      expect(await matchedCandidateIds(onB, m.job.id)).toEqual(await matchedCandidateIds(m.admin, m.job.id));
    });

    it('reflects in B, answers replaced through A', async () => {
      const { m, onB } = await marketSeenByB();
      await putAnswers(
        m.admin,
        `/v1/candidates/${m.ids.good}/answers`,
        marketCandidates.tooExpensive.answers,
      );
      await eventually(async () => !(await matchedCandidateIds(onB, m.job.id)).includes(m.ids.good));
      expect(await matchedJobIds(onB, m.ids.good)).toEqual([]);
    });

    it("drops from B's listings, a job closed through A", async () => {
      const { m, onB } = await marketSeenByB();
      expect(await matchedJobIds(onB, m.ids.good)).toEqual([m.otherJob.id, m.job.id]);
      expect((await m.admin.patch(`/v1/jobs/${m.job.id}`, { status: 'closed' })).statusCode).toBe(200);
      await eventually(async () => (await matchedJobIds(onB, m.ids.good)).length === 1);
      expect(await matchedJobIds(onB, m.ids.good)).toEqual([m.otherJob.id]);
    });

    it('drops from B, a candidate erased through A', async () => {
      const { m, onB } = await marketSeenByB();
      expect((await m.admin.delete(`/v1/candidates/${m.ids.good}`)).statusCode).toBe(204);
      await eventually(async () => (await matchedCandidateIds(onB, m.job.id)).length === 1);
      expect(await matchedCandidateIds(onB, m.job.id)).toEqual([m.ids.better]);
    });

    it('builds the index of an app started after the data was written from PostgreSQL', async () => {
      await expectLateAppToMatch(database, await createMarket(a.app));
    });
  });
}
