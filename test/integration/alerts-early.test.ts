import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { Alerts } from '../../src/alerts/service.ts';
import { rowsOf } from '../../src/db/rows.ts';
import { readStates } from '../../src/matching/repository.ts';
import { useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { pairOutOfReach } from '../support/matching-factories.ts';

/**
 * A write that hands its profiles' final states over early (AlertTurn.early, as a bulk batch does)
 * has its crossings scored and announced while its own statements still run, in its transaction.
 */
describe.each(availableDatabaseKinds())('alerts announced before the write ends, on %s', (kind) => {
  const t = useTestApp({ kind });

  /** The candidate's minScore written through Alerts.write, its new state handed over early as `early` names it. */
  async function writeMinScore(
    minScore: number,
    { early = (id: string) => id, pauseMs = 0 }: { early?: (id: string) => string; pauseMs?: number } = {},
  ) {
    const { workspace, admin, job, candidate } = await pairOutOfReach(t.app);
    expect((await admin.put(`/v1/jobs/${job.id}/alert`, { minScore: 0 })).statusCode).toBe(200);
    const layoutKeys = t.app.matchIndex.currentLayoutKeys();
    const [state] = await readStates(t.database.db, workspace.id, 'candidate', [candidate.id], layoutKeys);
    const alerts = new Alerts(t.app.matchIndex);
    const write = alerts.write(t.database.db, workspace.id, 'candidate', async (tx, handOver) => {
      handOver('candidate', [early(candidate.id)], [{ ...state!, id: early(candidate.id), minScore }]);
      // Time for the announcement to go first (as a bulk batch's does while its answers are written).
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      await tx.execute(sql`update candidates set min_score = ${minScore} where id = ${candidate.id}::uuid`);
      return { value: undefined, ids: [candidate.id] };
    });
    const stored = async () =>
      rowsOf<{ min_score: number }>(
        await t.database.db.execute(sql`select min_score from candidates where id = ${candidate.id}::uuid`),
      )[0]!;
    const events = async () => (await admin.get(`/v1/jobs/${job.id}/alert/events`)).json().events;
    return { write, stored, events, job, candidate };
  }

  it('announces the crossing the write makes, once', async () => {
    const { write, events, job, candidate } = await writeMinScore(0.1);
    await write;
    expect(await events()).toMatchObject([
      { type: 'match.created', jobId: job.id, candidateId: candidate.id, alertOf: 'job' },
    ]);
  });

  it('fails the whole write when its announcement fails, naming the announcement’s error', async () => {
    await t.database.db.execute(
      sql`alter table alert_feed add constraint alert_feed_refuses_all check (size < 0) not valid`,
    );
    try {
      const { write, stored, events } = await writeMinScore(0.1, { pauseMs: 300 });
      // The feed insert runs first; the write's own update then meets an aborted transaction,
      // but what the write reports is the feed's error.
      const error = await write.then(
        () => undefined,
        (failure: Error) => failure,
      );
      expect(error?.message).toMatch(/insert into alert_feed/);
      expect(String((error?.cause as Error | undefined)?.message)).toMatch(/alert_feed_refuses_all/);
      expect(Number((await stored()).min_score)).toBe(1);
      expect(await events()).toEqual([]);
    } finally {
      await t.database.db.execute(sql`alter table alert_feed drop constraint alert_feed_refuses_all`);
    }
  });

  it('rolls the write back when the early states name other profiles than the write does', async () => {
    const other = '00000000-0000-4000-8000-00000000abcd';
    const { write, stored, events } = await writeMinScore(0.1, { early: () => other });
    await expect(write).rejects.toThrow(/early alert scoring named other profiles/);
    expect(Number((await stored()).min_score)).toBe(1);
    expect(await events()).toEqual([]);
  });
});
