import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { Alerts } from '../../src/alerts/service.ts';
import { rowsOf } from '../../src/db/rows.ts';
import { useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { eventually, pairOutOfReach } from '../support/matching-factories.ts';

describe.each(availableDatabaseKinds())('switching an alert on during a market write on %s', (kind) => {
  const t = useTestApp({ kind });

  it('waits for a write that found no alert, and counts its change as already announced', async () => {
    // Out of reach: the candidate accepts nothing below 1.
    const { workspace, admin, job, candidate } = await pairOutOfReach(t.app);

    // A write in flight in a workspace without alerts: it brings the pair within reach and holds
    // its transaction open until released.
    let entered!: () => void;
    let release!: () => void;
    const inFlight = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const write = new Alerts(t.app.matchIndex).write(t.database.db, workspace.id, 'candidate', async (tx) => {
      await tx.execute(sql`update candidates set min_score = 0.1 where id = ${candidate.id}::uuid`);
      entered();
      await released;
      return { value: undefined, ids: [candidate.id] };
    });
    await inFlight;
    const switchOn = admin.put(`/v1/jobs/${job.id}/alert`, {});
    // The switch-on waits for the write (its advisory lock request is queued, not granted). PGlite
    // has one connection and runs transactions one after another: there it waits for that.
    if (kind === 'postgres')
      await eventually(async () => {
        const [row] = rowsOf<{ waiting: number }>(
          await t.database.db.execute(
            sql`select count(*)::int as waiting from pg_locks
                 where locktype = 'advisory' and not granted and objsubid = 1
                   and ((classid::bigint << 32) | objid::bigint)
                     = hashtextextended(${`mutualfit.alerts.gate:${workspace.id}`}, 0)`,
          ),
        );
        return row!.waiting > 0;
      });
    release();
    await write;
    const on = await switchOn;
    expect(on.statusCode, on.body).toBe(200);

    // The pair was above the threshold when the alert came on: nothing was raised for it, and its
    // end is raised.
    const feed = async () => (await admin.get(`/v1/jobs/${job.id}/alert/events`)).json().events;
    expect(await feed()).toEqual([]);
    expect((await admin.patch(`/v1/candidates/${candidate.id}`, { minScore: 1 })).statusCode).toBe(200);
    expect(await feed()).toMatchObject([
      { type: 'match.removed', jobId: job.id, candidateId: candidate.id, alertOf: 'job' },
    ]);
  });
});
