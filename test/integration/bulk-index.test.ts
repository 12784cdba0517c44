import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerSet } from '../../src/answers/types.ts';
import type { Database } from '../../src/db/client.ts';
import { answerSets, profileChanges } from '../../src/db/schema.ts';
import { readStates } from '../../src/matching/repository.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds, createTestDatabase } from '../support/database.ts';
import { caller } from '../support/factories.ts';
import {
  bulkCandidates,
  createMarket,
  goodCandidate,
  type Market,
  marketCandidates,
  matchedCandidateIds,
  uploadCandidates,
} from '../support/matching-factories.ts';

describe.each(availableDatabaseKinds())('a bulk write put into the index as written, on %s', (kind) => {
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

  /** The stored index state of one candidate, as a re-read would see it now. */
  async function storedState(m: Market, id: string) {
    const layoutKeys = t.app.matchIndex.currentLayoutKeys();
    const [state] = await readStates(t.database.db, m.workspace.id, 'candidate', [id], layoutKeys);
    return state!;
  }

  /**
   * Answers set behind the app's back, by SQL. The table's trigger records the change, so the
   * follower reads it: a test that needs the index to disagree with the database waits for that
   * read (`catchUp`) before it puts another state in, or the read could come after and undo it.
   */
  async function storeAnswersBySql(id: string, answers: AnswerSet) {
    await t.database.db.update(answerSets).set({ answers }).where(eq(answerSets.candidateId, id));
  }

  /** A bulk line for one candidate of this market, with answers. */
  function lineOf(m: Market, name: string) {
    return {
      externalId: `${name}-${m.workspace.id}`,
      contact: { name, email: `${name}-${m.workspace.id}@example.test` },
      minScore: 0.5,
      questionnaireId: 'mini',
      answers: goodCandidate,
    };
  }

  it('lists the candidates of a bulk write right after its 200', async () => {
    const m = await createMarket(t.app);
    const [fresh] = await bulkCandidates(t.app, m.adminKey, [{ answers: goodCandidate }]);
    expect(await matchedCandidateIds(m.admin, m.job.id)).toContain(fresh);
  });

  it('records one change-feed row per profile of a bulk write, which another app follows', async () => {
    const m = await createMarket(t.app);
    const other = await createTestApp({ database });
    try {
      const entries = [{ answers: goodCandidate }, { answers: goodCandidate }];
      const ids = await bulkCandidates(t.app, m.adminKey, entries);
      const rows = await t.database.db
        .select({ profileId: profileChanges.profileId })
        .from(profileChanges)
        .where(inArray(profileChanges.profileId, ids));
      expect(rows.map((r) => r.profileId).sort()).toEqual([...ids].sort());
      await other.app.changeFollower.catchUp();
      const listed = await matchedCandidateIds(caller(other.app, m.adminKey), m.job.id);
      expect(listed).toEqual(expect.arrayContaining(ids));
    } finally {
      await other.close();
    }
  });

  it('puts the written state into the index without reading it back', async () => {
    const m = await createMarket(t.app);
    const written = await storedState(m, m.ids.good);
    // The database now says otherwise; only a read back would see it.
    await storeAnswersBySql(m.ids.good, marketCandidates.tooExpensive.answers);
    await t.app.changeFollower.catchUp();
    await t.app.changeFollower.writeThrough(m.workspace.id, 'candidate', async (profiles) => {
      profiles.add([{ id: m.ids.good, state: written }]);
    });
    expect(await matchedCandidateIds(m.admin, m.job.id)).toContain(m.ids.good);
  });

  it('never lets a write put in an older state than one the index was given after the write began', async () => {
    const m = await createMarket(t.app);
    const older = await storedState(m, m.ids.good);
    await t.app.changeFollower.writeThrough(m.workspace.id, 'candidate', async (profiles) => {
      // A newer write commits and is read into the index before this write gets its turn.
      await storeAnswersBySql(m.ids.good, marketCandidates.tooExpensive.answers);
      await t.app.changeFollower.refresh(m.workspace.id, 'candidate', [m.ids.good]);
      profiles.add([{ id: m.ids.good, state: older }]);
    });
    expect(await matchedCandidateIds(m.admin, m.job.id)).not.toContain(m.ids.good);
  });

  it('keeps a paused candidate out of listings when a bulk line updates its answers', async () => {
    const m = await createMarket(t.app);
    const line = lineOf(m, 'paused');
    const [created] = await uploadCandidates(t.app, m.adminKey, [line]);
    expect(await matchedCandidateIds(m.admin, m.job.id)).toContain(created!.id);
    const paused = await m.admin.patch(`/v1/candidates/${created!.id}`, { paused: true });
    expect(paused.statusCode, paused.body).toBe(200);
    const [updated] = await uploadCandidates(t.app, m.adminKey, [{ ...line, minScore: 0.4 }]);
    expect(updated).toMatchObject({ status: 'updated', id: created!.id });
    expect(await matchedCandidateIds(m.admin, m.job.id)).not.toContain(created!.id);
  });

  it("keeps a candidate hidden from an employer's jobs when a bulk line updates its answers", async () => {
    const m = await createMarket(t.app);
    const line = lineOf(m, 'hidden');
    const [created] = await uploadCandidates(t.app, m.adminKey, [line]);
    const hidden = await m.admin.patch(`/v1/candidates/${created!.id}`, {
      hiddenFromEmployerIds: [m.employer.id],
    });
    expect(hidden.statusCode, hidden.body).toBe(200);
    await uploadCandidates(t.app, m.adminKey, [{ ...line, minScore: 0.4 }]);
    expect(await matchedCandidateIds(m.admin, m.job.id)).not.toContain(created!.id);
  });

  it('reads back a candidate whose bulk line has no answers, so its stored answers stay indexed', async () => {
    const m = await createMarket(t.app);
    const line = lineOf(m, 'kept');
    const [created] = await uploadCandidates(t.app, m.adminKey, [line]);
    const { questionnaireId: _, answers: __, ...withoutAnswers } = line;
    const [updated] = await uploadCandidates(t.app, m.adminKey, [{ ...withoutAnswers, minScore: 0.4 }]);
    expect(updated).toMatchObject({ status: 'updated', id: created!.id });
    expect(await matchedCandidateIds(m.admin, m.job.id)).toContain(created!.id);
  });
});
