import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { auditEvents } from '../../src/db/schema.ts';
import { useTestApp } from '../support/app.ts';
import { availableDatabaseKinds, lockWaiters } from '../support/database.ts';
import { expectProblem } from '../support/factories.ts';
import { withAdminClient } from '../support/global-setup.ts';
import { createMarket, eventually, keyOf, type Market } from '../support/matching-factories.ts';

describe.each(availableDatabaseKinds())('audit records of listings by group commit, on %s', (kind) => {
  const t = useTestApp({ kind });

  async function listingRows(m: Market) {
    return t.database.db
      .select({ id: auditEvents.id, resultIds: auditEvents.resultIds, actorKeyId: auditEvents.actorKeyId })
      .from(auditEvents)
      .where(and(eq(auditEvents.workspaceId, m.workspace.id), eq(auditEvents.action, 'matches.job')));
  }

  it('records exactly one row per listing when many run at once, each committed before it answers', async () => {
    const m = await createMarket(t.app);
    const employer = await keyOf(t.app, m.adminKey, { role: 'employer', employerId: m.employer.id });
    let answered = 0;
    const seen: number[][] = [];
    const listings = Array.from({ length: 16 }, (_, i) =>
      (i % 4 === 0 ? employer : m.admin).get(`/v1/jobs/${m.job.id}/matches`).then(async (response) => {
        const mine = ++answered;
        seen.push([mine, (await listingRows(m)).length]);
        return response;
      }),
    );
    const responses = await Promise.all(listings);
    for (const response of responses) expect(response.statusCode, response.body).toBe(200);
    for (const [mine, stored] of seen) expect(stored).toBeGreaterThanOrEqual(mine!);
    const rows = await listingRows(m);
    expect(rows).toHaveLength(16);
    for (const row of rows) expect(row.resultIds).toEqual([m.ids.better, m.ids.good]);
  });

  it('answers 404 with no record for a job of another employer, and 404 for one that does not exist', async () => {
    const m = await createMarket(t.app);
    const employer = await keyOf(t.app, m.adminKey, { role: 'employer', employerId: m.employer.id });
    const [foreign, missing] = await Promise.all([
      employer.get(`/v1/jobs/${m.otherJob.id}/matches`),
      m.admin.get('/v1/jobs/00000000-0000-7000-8000-00000000abcd/matches'),
    ]);
    expectProblem(foreign, 404, 'not_found');
    expectProblem(missing, 404, 'not_found');
    expect(await listingRows(m)).toHaveLength(0);
  });

  it('fails every listing of a batch the database refuses, records none of them, and keeps the rows stored before', async () => {
    const m = await createMarket(t.app);
    for (let i = 0; i < 2; i++)
      expect((await m.admin.get(`/v1/jobs/${m.job.id}/matches`)).statusCode).toBe(200);
    const before = await listingRows(m);
    const db = t.database.db;
    await db.execute(sql`create function refuse_audit() returns trigger language plpgsql as $$
      begin raise exception 'audit refused for the test'; end $$`);
    await db.execute(sql`create trigger refuse_audit before insert on audit_events
      for each statement execute function refuse_audit()`);
    try {
      const refused = await Promise.all(
        Array.from({ length: 6 }, () => m.admin.get(`/v1/jobs/${m.job.id}/matches`)),
      );
      for (const response of refused) expectProblem(response, 500, 'internal');
    } finally {
      await db.execute(sql`drop trigger refuse_audit on audit_events`);
      await db.execute(sql`drop function refuse_audit()`);
    }
    expect(await listingRows(m)).toEqual(before);
    expect((await m.admin.get(`/v1/jobs/${m.job.id}/matches`)).statusCode).toBe(200);
    expect(await listingRows(m)).toHaveLength(before.length + 1);
  });

  if (kind === 'postgres') {
    it('answers 503 to the listings whose batch lost its connection, records none of them, and loses nothing stored', async () => {
      const m = await createMarket(t.app);
      expect((await m.admin.get(`/v1/jobs/${m.job.id}/matches`)).statusCode).toBe(200);
      const before = await listingRows(m);
      const url = (t.database as Database & { url: string }).url;
      const responses = await withAdminClient(url, async (locker) => {
        await locker.query('begin');
        await locker.query('lock table audit_events in exclusive mode');
        const pending = Promise.all(
          Array.from({ length: 5 }, () => m.admin.get(`/v1/jobs/${m.job.id}/matches`)),
        );
        await eventually(async () => (await lockWaiters(locker)).length > 0, 10_000);
        await locker.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [
          await lockWaiters(locker),
        ]);
        await locker.query('rollback');
        return pending;
      });
      const statuses = responses.map((r) => r.statusCode);
      expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
      for (const response of responses.filter((r) => r.statusCode === 503))
        expectProblem(response, 503, 'database_unavailable');
      expect(statuses).toContain(503);
      const after = await listingRows(m);
      expect(after).toEqual(expect.arrayContaining(before));
      expect(after).toHaveLength(before.length + statuses.filter((s) => s === 200).length);
    });
  }
});
