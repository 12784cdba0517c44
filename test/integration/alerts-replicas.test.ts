import { describe, expect, it } from 'vitest';
import { createTestApp, useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { caller, createCandidate, createEmployer, createJob, createWorkspace } from '../support/factories.ts';
import { goodCandidate, jobAnswers, marketCandidates } from '../support/matching-factories.ts';

/**
 * Each process keeps a workspace's alerting subjects (src/alerts/registry.ts) until the
 * workspace's alert generation moves: an alert switched on, changed or off through one app is in
 * force for the very next write through another app on the same database.
 */
describe.each(availableDatabaseKinds())(
  'alerts set through one app, writes through another, on %s',
  (kind) => {
    const t = useTestApp({ kind });

    it('sees an alert switched on or off through the other app at its next write', async () => {
      const other = await createTestApp({ database: t.database });
      try {
        const { admin, adminKey } = await createWorkspace(t.app);
        const viaB = caller(other.app, adminKey);
        const employer = await createEmployer(t.app, adminKey);
        const [watched, bystander] = [
          await createJob(t.app, adminKey, employer.id),
          await createJob(t.app, adminKey, employer.id),
        ];
        const candidate = await createCandidate(t.app, adminKey);
        for (const job of [watched, bystander])
          expect(
            (await admin.put(`/v1/jobs/${job.id}/answers`, { questionnaireId: 'mini', answers: jobAnswers }))
              .statusCode,
          ).toBe(200);
        const answer = async (answers: object) => {
          const response = await viaB.put(`/v1/candidates/${candidate.id}/answers`, {
            questionnaireId: 'mini',
            answers,
          });
          expect(response.statusCode, response.body).toBe(200);
        };
        const feed = async () => (await admin.get(`/v1/jobs/${watched.id}/alert/events`)).json().events;

        // B evaluates a write while only the bystander alerts: it holds the workspace's alerts as they were then.
        expect((await admin.put(`/v1/jobs/${bystander.id}/alert`, {})).statusCode).toBe(200);
        await answer(marketCandidates.tooExpensive.answers);
        expect(await feed()).toEqual([]);

        // Switched on through A: B's next write announces the new pair to it.
        expect((await admin.put(`/v1/jobs/${watched.id}/alert`, {})).statusCode).toBe(200);
        await answer(goodCandidate);
        expect(await feed()).toMatchObject([
          { type: 'match.created', jobId: watched.id, candidateId: candidate.id, alertOf: 'job' },
        ]);

        // Switched off through A: B's next write ends the pair without telling it.
        expect((await admin.delete(`/v1/jobs/${watched.id}/alert`)).statusCode).toBe(204);
        await answer(marketCandidates.tooExpensive.answers);
        const bystanderFeed = (await admin.get(`/v1/jobs/${bystander.id}/alert/events`)).json().events;
        expect(bystanderFeed.map((e: { type: string }) => e.type)).toEqual([
          'match.created',
          'match.removed',
        ]);
        expect((await feed()).map((e: { type: string }) => e.type)).toEqual(['match.created']);
      } finally {
        await other.close();
      }
    });
  },
);
