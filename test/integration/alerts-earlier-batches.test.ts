import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { Alerts, EarlierBatches } from '../../src/alerts/service.ts';
import { bearer, useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { createCandidate } from '../support/factories.ts';
import { goodCandidate, marketCandidates, pairOutOfReach } from '../support/matching-factories.ts';

/**
 * A bulk request's later batches leave its earlier batches' profiles out of their catch-up (they are
 * put into the index when the request ends): every other write must still bring them in first.
 */
describe.each(availableDatabaseKinds())('a bulk request’s earlier batches, on %s', (kind) => {
  const t = useTestApp({ kind });

  it('are still caught up by another write between its batches', async () => {
    const { workspace, admin, adminKey, job, candidate } = await pairOutOfReach(t.app);
    const other = await createCandidate(t.app, adminKey);
    expect((await admin.put(`/v1/jobs/${job.id}/alert`, { minScore: 0 })).statusCode).toBe(200);
    // Written through Alerts alone: nothing but catch-ups puts these writes into the index.
    const alerts = new Alerts(t.app.matchIndex);
    const db = t.database.db;
    const update = (side: 'job' | 'candidate', id: string, minScore: number, earlier?: EarlierBatches) =>
      alerts.write(
        db,
        workspace.id,
        side,
        async (tx) => {
          // Tagged as this app's own, as a bulk batch's are: the change follower leaves them to the writer.
          if (earlier)
            await tx.execute(
              sql`select set_config('mutualfit.origin', ${t.app.changeFollower.origin}, true)`,
            );
          await tx.execute(sql`update ${sql.raw(side === 'job' ? 'jobs' : 'candidates')}
                                  set min_score = ${minScore} where id = ${id}::uuid`);
          return { value: undefined, ids: [id] };
        },
        earlier,
      );
    const earlier = new EarlierBatches('candidate');

    await update('candidate', candidate.id, 0.1, earlier); // batch 1: the pair comes within reach
    await update('candidate', other.id, 0.5, earlier); // batch 2: its catch-up leaves batch 1 out
    // Another write between the batches: its "before" must have batch 1's candidate as committed.
    await update('job', job.id, 1);

    const events = (await admin.get(`/v1/jobs/${job.id}/alert/events`)).json().events;
    expect(events).toMatchObject([
      { type: 'match.created', jobId: job.id, candidateId: candidate.id },
      { type: 'match.removed', jobId: job.id, candidateId: candidate.id },
    ]);
  });

  it('announce each new candidate of a request of three batches once, and are all indexed after it', async () => {
    const { admin, adminKey, job } = await pairOutOfReach(t.app);
    expect((await admin.put(`/v1/jobs/${job.id}/alert`, { minScore: 0 })).statusCode).toBe(200);
    // 2,100 lines: batches of 1,000, 1,000 and 100; every seventh candidate asks too much.
    const lines = Array.from({ length: 2_100 }, (_, i) => ({
      externalId: `c${i}`,
      contact: { name: `Person ${i}`, email: `c${i}@example.com` },
      questionnaireId: 'mini',
      answers: i % 7 === 0 ? marketCandidates.tooExpensive.answers : goodCandidate,
    }));
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/candidates:bulk',
      headers: { ...bearer(adminKey), 'content-type': 'application/x-ndjson' },
      payload: lines.map((line) => JSON.stringify(line)).join('\n'),
    });
    expect(response.statusCode, response.body).toBe(200);
    const ids: string[] = response.json().results.map((r: { id: string }) => r.id);
    const fitting = ids.filter((_, i) => i % 7 !== 0).sort();
    const feed = async () => {
      const events: { type: string; candidateId: string }[] = [];
      for (let cursor = ''; ; ) {
        const got = await admin.get(`/v1/jobs/${job.id}/alert/events?limit=100${cursor}`);
        expect(got.statusCode, got.body).toBe(200);
        const page = got.json();
        events.push(...page.events);
        if (page.events.length < 100) return events; // a feed always gives a cursor to poll from
        cursor = `&cursor=${encodeURIComponent(page.nextCursor)}`;
      }
    };
    const created = await feed();
    expect(created.every((e) => e.type === 'match.created')).toBe(true);
    expect(created.map((e) => e.candidateId).sort()).toEqual(fitting);
    // The job's next write scores it against the index before and after: every batch must be in it.
    expect((await admin.patch(`/v1/jobs/${job.id}`, { minScore: 1 })).statusCode).toBe(200);
    const removed = (await feed()).slice(created.length);
    expect(removed.every((e) => e.type === 'match.removed')).toBe(true);
    expect(removed.map((e) => e.candidateId).sort()).toEqual(fitting);
  });
});
