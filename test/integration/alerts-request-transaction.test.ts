import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { Alerts } from '../../src/alerts/service.ts';
import { holdTransaction, requestScoped } from '../../src/db/request-transaction.ts';
import { useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { pairOutOfReach } from '../support/matching-factories.ts';

describe.each(availableDatabaseKinds())('alerts inside one request transaction on %s', (kind) => {
  const t = useTestApp({ kind });

  it('takes a profile an earlier write of the transaction changed as that write left it, not as indexed', async () => {
    const { workspace, admin, job, candidate } = await pairOutOfReach(t.app);
    expect((await admin.put(`/v1/jobs/${job.id}/alert`, { minScore: 0 })).statusCode).toBe(200);

    // Two writes of the candidate in one held transaction (as an idempotent request's steps): the
    // first brings the pair within reach, the second takes it away again. Neither is indexed
    // before the commit, so the second's "before" must be the first's result.
    const alerts = new Alerts(t.app.matchIndex);
    const db = requestScoped(t.database.db);
    const setMinScore = (minScore: number) =>
      alerts.write(db, workspace.id, 'candidate', async (tx) => {
        await tx.execute(sql`update candidates set min_score = ${minScore} where id = ${candidate.id}::uuid`);
        return { value: undefined, ids: [candidate.id] };
      });
    const held = await holdTransaction(t.database.db);
    await new Promise<void>((done, failed) =>
      held.enter(() => {
        setMinScore(0.1)
          .then(() => setMinScore(1))
          .then(done, failed);
      }),
    );
    await held.commit((err) => {
      throw err;
    });

    const events = (await admin.get(`/v1/jobs/${job.id}/alert/events`)).json().events;
    expect(events).toMatchObject([
      { type: 'match.created', jobId: job.id, candidateId: candidate.id, alertOf: 'job' },
      { type: 'match.removed', jobId: job.id, candidateId: candidate.id, alertOf: 'job' },
    ]);
  });
});
