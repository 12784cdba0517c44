import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import {
  type AlertEventType,
  appendToFeeds,
  FEED_ROW,
  type FeedEvent,
  type FeedPosition,
  feedEventsOfCandidate,
  forgetCandidateInFeeds,
  foundEvents,
  pairEvents,
  purgeFeedsBefore,
  readFeed,
} from '../../src/alerts/feed.ts';
import { type AlertPair, FoundPairs } from '../../src/alerts/found-pairs.ts';
import { Turns } from '../../src/alerts/turns.ts';
import { rowsOf } from '../../src/db/rows.ts';
import { idToWords } from '../../src/matching/engine/uuid-words.ts';
import type { IndexSide } from '../../src/matching/index.ts';
import { useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { createWorkspace } from '../support/factories.ts';

/**
 * The feed's storage (src/alerts/feed.ts): a write's events for one subject in rows of at most
 * FEED_ROW, match.removed first; pages read back exactly the events written, in order, across and
 * within rows; erasure blanks one candidate's events in rows it shares with others.
 */
describe.each(availableDatabaseKinds())('alert feed rows on %s', (kind) => {
  const t = useTestApp({ kind });

  type Event = Omit<AlertPair, 'score'> & { type: AlertEventType; score: number | null };
  const event = (
    type: AlertEventType,
    jobId: string,
    candidateId: string,
    score: number | null,
    alertOf: IndexSide = 'job',
  ): Event => ({ type, alertOf, jobId, candidateId, score });
  /** A write's crossings, as the evaluation hands them over: removals and creations apart. */
  const append = (workspaceId: string, events: Event[]) =>
    appendToFeeds(t.database.db, workspaceId, {
      removed: pairEvents(events.filter((e) => e.type === 'match.removed')),
      created: pairEvents(events.filter((e) => e.type === 'match.created')),
    });

  async function readAll(workspaceId: string, side: IndexSide, subjectId: string, limit: number) {
    const events: FeedEvent[] = [];
    let after: FeedPosition | undefined;
    for (let pages = 1; ; pages++) {
      const page = await readFeed(t.database.db, workspaceId, side, subjectId, { limit, after });
      expect(page.events.length).toBeLessThanOrEqual(limit);
      events.push(...page.events);
      after = page.last;
      if (!page.hasMore) return { events, pages };
    }
  }

  const shape = (events: FeedEvent[]) => events.map((e) => `${e.type}:${e.candidateId}:${e.score}`);

  it('cuts a subject’s events at FEED_ROW and reads them back in order through any page size', async () => {
    const { workspace } = await createWorkspace(t.app);
    const job = randomUUID();
    const removed = Array.from({ length: FEED_ROW + 200 }, () => randomUUID());
    const created = Array.from({ length: 300 }, () => randomUUID());
    const other = randomUUID();
    // Creations listed first: the feed puts the removals first.
    const events = [
      ...created.map((c, i) => event('match.created', job, c, i / 1000)),
      ...removed.map((c, i) => event('match.removed', job, c, i % 3 === 0 ? null : 0.25)),
      event('match.created', other, created[0]!, 0.5),
    ];
    await append(workspace.id, events);

    const expected = [
      ...removed.map((c, i) => `match.removed:${c}:${i % 3 === 0 ? null : 0.25}`),
      ...created.map((c, i) => `match.created:${c}:${i / 1000}`),
    ];
    for (const limit of [1, 7, 700, FEED_ROW + 500, 5000]) {
      const { events: read, pages } = await readAll(workspace.id, 'job', job, limit);
      expect(shape(read), `limit ${limit}`).toEqual(expected);
      expect(pages).toBe(Math.max(1, Math.ceil(expected.length / limit)));
      expect(read.every((e) => e.jobId === job && e.alertOf === 'job')).toBe(true);
    }
    expect(shape((await readAll(workspace.id, 'job', other, 10)).events)).toEqual([
      `match.created:${created[0]}:0.5`,
    ]);
    // Another workspace does not see the rows.
    const elsewhere = await createWorkspace(t.app);
    expect((await readAll(elsewhere.workspace.id, 'job', job, 10)).events).toEqual([]);
  });

  it.each(['candidate', 'job'] as const)(
    'stores a write of new %ss from its found pairs exactly as from one object per pair',
    async (side) => {
      // Changed profiles of `side`, pairs with the other side's profiles: runs of one alerting
      // profile (as a scan of the batch finds them, one longer than FEED_ROW), the changed
      // profiles' own alerts, and pairs in no order at all.
      const owners = Array.from({ length: 40 }, () => randomUUID());
      const others = Array.from({ length: 6 }, () => randomUUID());
      const found = new FoundPairs(side);
      const otherSide: IndexSide = side === 'job' ? 'candidate' : 'job';
      const add = (alertOf: IndexSide, owner: number, other: number, score: number) =>
        found.add(alertOf, found.owner(owners[owner]!), idToWords(others[other]!), 0, score);
      for (let o = 0; o < 3; o++)
        for (let r = 0; r < (o === 0 ? FEED_ROW + 300 : 25); r++)
          add(otherSide, r % owners.length, o, r / 4096);
      for (let c = 0; c < owners.length; c += 3)
        for (let o = 0; o < others.length; o++) add(side, c, o, 0.5 + o / 100);
      for (let k = 0; k < 200; k++)
        add(k % 2 === 0 ? side : otherSide, (k * 7) % owners.length, (k * 5) % 6, k / 200);

      const [fast, objects] = [await createWorkspace(t.app), await createWorkspace(t.app)];
      await appendToFeeds(t.database.db, fast.workspace.id, {
        removed: pairEvents([]),
        created: foundEvents(found),
      });
      await append(
        objects.workspace.id,
        (await found.all(new Turns())).map((pair) => ({ ...pair, type: 'match.created' as const })),
      );

      const feeds = async (workspaceId: string) => {
        const read = [];
        for (const id of owners) read.push((await readAll(workspaceId, side, id, 5000)).events);
        for (const id of others) read.push((await readAll(workspaceId, otherSide, id, 5000)).events);
        const candidates = side === 'candidate' ? owners : others;
        for (const id of candidates) read.push(await feedEventsOfCandidate(t.database.db, workspaceId, id));
        // The two workspaces' rows were written at different times.
        return read.map((events) =>
          events.map((event) => {
            const { createdAt: _, at: __, ...rest } = event as unknown as Record<string, unknown>;
            return rest;
          }),
        );
      };
      const stored = await feeds(fast.workspace.id);
      expect(stored.flat().length).toBeGreaterThan(found.length);
      expect(stored).toEqual(await feeds(objects.workspace.id));
      const rows = async (workspaceId: string) =>
        rowsOf<{ n: string }>(
          await t.database.db.execute(
            sql`select count(*) as n from alert_feed where workspace_id = ${workspaceId}::uuid`,
          ),
        )[0]!.n;
      expect(await rows(fast.workspace.id)).toBe(await rows(objects.workspace.id));
    },
  );

  it('writes more feed rows than one statement carries, each subject’s events and mentions intact', async () => {
    const { workspace } = await createWorkspace(t.app);
    const job = randomUUID();
    // A job write reaching thousands of alerting candidates: a feed row each, beyond one statement's rows.
    const candidates = Array.from({ length: 2_100 }, () => randomUUID());
    await append(workspace.id, [
      ...candidates.map((c, i) => event('match.created', job, c, i / 10_000, 'candidate')),
      ...candidates.slice(0, 3).map((c) => event('match.created', job, c, 0.5)),
    ]);
    for (const [i, c] of [candidates[0]!, candidates[2_099]!].entries())
      expect(shape((await readAll(workspace.id, 'candidate', c, 10)).events)).toEqual([
        `match.created:${c}:${i === 0 ? 0 : 0.2099}`,
      ]);
    expect((await readAll(workspace.id, 'job', job, 10)).events).toHaveLength(3);
    // The job's row names three candidates: each is found there (its mention), besides its own row.
    expect(
      (await feedEventsOfCandidate(t.database.db, workspace.id, candidates[1]!)).map((e) => e.alertOf),
    ).toEqual(expect.arrayContaining(['job', 'candidate']));
  });

  it('lets the event loop run while it writes a statement’s events, not only while it groups them', async () => {
    const { workspace } = await createWorkspace(t.app);
    const job = randomUUID();
    const turns = new Turns(0);
    const pause = vi.spyOn(turns, 'pause');
    const events = Array.from({ length: 3 * 4_096 }, () => event('match.created', job, randomUUID(), 0.5));
    await appendToFeeds(
      t.database.db,
      workspace.id,
      { removed: pairEvents([]), created: pairEvents(events) },
      turns,
    );
    // Grouping the events into rows pauses every 4,096; writing them into the statement's bytes too.
    expect(pause.mock.calls.length).toBeGreaterThanOrEqual(6);
    expect((await readAll(workspace.id, 'job', job, 5_000)).events).toHaveLength(events.length);
  });

  it('erasure blanks a candidate in rows it shares, keeping the others and their types', async () => {
    const { workspace } = await createWorkspace(t.app);
    const [job, otherJob] = [randomUUID(), randomUUID()];
    const [c1, c2, c3, c4] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await append(workspace.id, [
      event('match.removed', job, c1, 0.1),
      event('match.removed', job, c2, null),
      event('match.created', job, c3, 0.7),
      event('match.created', job, c4, 0.8),
      event('match.created', otherJob, c2, 0.9),
      event('match.created', job, c2, 0.6, 'candidate'),
    ]);
    await append(workspace.id, [event('match.created', job, c2, 0.65)]);
    expect((await feedEventsOfCandidate(t.database.db, workspace.id, c2)).map((e) => e.subjectId)).toEqual([
      job,
      otherJob,
      c2,
      job,
    ]);

    await forgetCandidateInFeeds(t.database.db, workspace.id, c2);
    expect(shape((await readAll(workspace.id, 'job', job, 2)).events)).toEqual([
      `match.removed:${c1}:0.1`,
      `match.created:${c3}:0.7`,
      `match.created:${c4}:0.8`,
    ]);
    expect((await readAll(workspace.id, 'job', otherJob, 10)).events).toEqual([]);
    expect((await readAll(workspace.id, 'candidate', c2, 10)).events).toEqual([]);
    expect(await feedEventsOfCandidate(t.database.db, workspace.id, c2)).toEqual([]);

    await forgetCandidateInFeeds(t.database.db, workspace.id, c1);
    expect(shape((await readAll(workspace.id, 'job', job, 10)).events)).toEqual([
      `match.created:${c3}:0.7`,
      `match.created:${c4}:0.8`,
    ]);
    expect(await feedEventsOfCandidate(t.database.db, workspace.id, c3)).toEqual([
      expect.objectContaining({
        alertOf: 'job',
        subjectId: job,
        type: 'match.created',
        jobId: job,
        score: 0.7,
      }),
    ]);
  });

  it('keeps a reader’s place when erasure blanks an event it already read, and leaves no byte of the id', async () => {
    const { workspace } = await createWorkspace(t.app);
    const job = randomUUID();
    const [c1, c2, c3, c4] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await append(
      workspace.id,
      [c1, c2, c3, c4].map((c, i) => event('match.created', job, c, i / 10)),
    );
    const first = await readFeed(t.database.db, workspace.id, 'job', job, { limit: 2, after: undefined });
    expect(shape(first.events)).toEqual([`match.created:${c1}:0`, `match.created:${c2}:0.1`]);

    await forgetCandidateInFeeds(t.database.db, workspace.id, c1);
    const next = await readFeed(t.database.db, workspace.id, 'job', job, { limit: 2, after: first.last });
    expect(shape(next.events)).toEqual([`match.created:${c3}:0.2`, `match.created:${c4}:0.3`]);
    expect(shape((await readAll(workspace.id, 'job', job, 10)).events)).toEqual([
      `match.created:${c2}:0.1`,
      `match.created:${c3}:0.2`,
      `match.created:${c4}:0.3`,
    ]);
    const [left] = rowsOf<{ n: number }>(
      await t.database.db.execute(
        sql`select count(*)::int as n from alert_feed where position(uuid_send(${c1}::uuid) in other_ids) > 0`,
      ),
    );
    expect(left!.n).toBe(0);
  });

  it('purges rows and mentions older than the cutoff, and keeps younger ones', async () => {
    const { workspace } = await createWorkspace(t.app);
    const [job, old, young] = [randomUUID(), randomUUID(), randomUUID()];
    await append(workspace.id, [event('match.created', job, old, 0.5)]);
    await t.database.db.execute(sql`update alert_feed set created_at = now() - interval '31 days'`);
    await t.database.db.execute(sql`update alert_mentions set created_at = now() - interval '31 days'`);
    await append(workspace.id, [event('match.created', job, young, 0.6)]);

    await purgeFeedsBefore(t.database.db, new Date(Date.now() - 30 * 24 * 3600 * 1000));
    expect(shape((await readAll(workspace.id, 'job', job, 10)).events)).toEqual([
      `match.created:${young}:0.6`,
    ]);
    const mentions = rowsOf<{ candidate_id: string }>(
      await t.database.db.execute(sql`select candidate_id from alert_mentions`),
    );
    expect(mentions.map((m) => m.candidate_id)).toEqual([young]);
  });
});
