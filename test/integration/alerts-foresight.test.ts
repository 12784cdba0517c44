import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Foresight } from '../../src/alerts/foresight.ts';
import { Alerts } from '../../src/alerts/service.ts';
import type { ProfileState } from '../../src/matching/index.ts';
import { readStates } from '../../src/matching/repository.ts';
import { readFeed } from '../support/alert-model.ts';
import { useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { createEmployer, createJob, createWorkspace } from '../support/factories.ts';
import {
  jobAnswers,
  lenientJobAnswers,
  otherJobAnswers,
  pairOutOfReach,
  putAnswers,
  randomCandidateAnswers,
  seeded,
  uploadCandidates,
  walkJobMatches,
} from '../support/matching-factories.ts';

/**
 * A bulk batch's alert pairs scored ahead of its write (src/alerts/foresight.ts) are used only
 * while nothing they depend on has moved; otherwise the write scores under the lock as usual.
 * Either way the events are those of the write.
 */
describe.each(availableDatabaseKinds())('alert pairs scored ahead of a write, on %s', (kind) => {
  // The bulk request's batches are scanned on the alert scan thread; the writes through Alerts alone, on the event loop.
  const t = useTestApp({ kind, env: { ALERT_WORKERS: '1' } });

  /** Job J alerting at 0; candidate C out of its reach (C's minScore 1), its state as read; an Alerts with its registry loaded. */
  async function setting() {
    const { workspace, admin, job, candidate } = await pairOutOfReach(t.app);
    expect((await admin.put(`/v1/jobs/${job.id}/alert`, { minScore: 0 })).statusCode).toBe(200);
    const db = t.database.db;
    const [state] = await readStates(
      db,
      workspace.id,
      'candidate',
      [candidate.id],
      [...t.app.matchIndex.currentLayoutKeys()],
    );
    const alerts = new Alerts(t.app.matchIndex);
    /** C's minScore written through `alerts`, its new state handed over as a bulk batch does. */
    const write = (written: ProfileState, foresight?: Foresight) =>
      alerts.write(
        db,
        workspace.id,
        'candidate',
        async (tx, early) => {
          early('candidate', [candidate.id], [written]);
          await tx.execute(
            sql`update candidates set min_score = ${written.minScore} where id = ${candidate.id}::uuid`,
          );
          return { value: undefined, ids: [candidate.id] };
        },
        undefined,
        foresight && Promise.resolve(foresight),
      );
    await write(state!); // loads the registry; changes nothing
    const reachable = { ...state!, minScore: 0.1 };
    const foresee = () => alerts.foresee(workspace.id, 'candidate', () => [reachable])!;
    const events = async () => (await admin.get(`/v1/jobs/${job.id}/alert/events`)).json().events;
    return { admin, alerts, job, candidate, write, reachable, foresee, events };
  }

  it('uses the pairs when the write is as foreseen', async () => {
    const { alerts, job, candidate, write, reachable, foresee, events } = await setting();
    const foresight = foresee();
    await write({ ...reachable }, foresight);
    expect(foresight.outcome).toBe('used');
    expect(alerts.foresights).toEqual({ used: 1, missed: 0 });
    expect(await events()).toMatchObject([
      { type: 'match.created', jobId: job.id, candidateId: candidate.id, alertOf: 'job' },
    ]);
  });

  it('scores again when the other side was written since', async () => {
    const { admin, alerts, job, write, reachable, foresee, events } = await setting();
    const foresight = foresee();
    expect((await foresight.after)?.length).toBe(1);
    // J now refuses C's salary: the foreseen pair is no pair any more.
    await putAnswers(admin, `/v1/jobs/${job.id}/answers`, {
      ...jobAnswers,
      salary: { value: 4000, accept: { max: 4100 }, importance: 'dealbreaker' },
    });
    await write(reachable, foresight);
    expect(foresight.outcome).toBe('missed');
    expect(alerts.foresights).toEqual({ used: 0, missed: 1 });
    expect(await events()).toEqual([]);
  });

  it('scores again when the alerts changed since', async () => {
    const { admin, alerts, job, write, reachable, foresee, events } = await setting();
    const foresight = foresee();
    expect((await admin.put(`/v1/jobs/${job.id}/alert`, { minScore: 0.9999 })).statusCode).toBe(200);
    await write(reachable, foresight);
    expect(foresight.outcome).toBe('missed');
    expect(alerts.foresights.missed).toBe(1);
    expect(await events()).toEqual([]);
  });

  it('scores again when the write’s states are not the foreseen ones', async () => {
    const { alerts, write, reachable, foresee, events } = await setting();
    const foresight = foresee();
    await write({ ...reachable, minScore: 1 }, foresight);
    expect(foresight.outcome).toBe('missed');
    expect(alerts.foresights.missed).toBe(1);
    expect(await events()).toEqual([]);
  });

  it('gives a bulk request of new candidates, scored ahead batch by batch on the scan thread, the events of its listings', async () => {
    const { admin, adminKey } = await createWorkspace(t.app);
    const employer = await createEmployer(t.app, adminKey);
    const jobs: string[] = [];
    for (const answers of [jobAnswers, otherJobAnswers, lenientJobAnswers]) {
      const job = await createJob(t.app, adminKey, employer.id, { minScore: 0.3 });
      await putAnswers(admin, `/v1/jobs/${job.id}/answers`, answers);
      jobs.push(job.id);
    }
    const thresholds = [0, 0.6, 0.8];
    for (const [k, id] of jobs.entries())
      expect((await admin.put(`/v1/jobs/${id}/alert`, { minScore: thresholds[k] })).statusCode).toBe(200);
    const random = seeded(7);
    const line = (i: number) => ({
      externalId: `new-${i}`,
      contact: { name: `Person ${i}`, email: `new-${i}@example.com` },
      minScore: 0.3,
      questionnaireId: 'mini',
      answers: randomCandidateAnswers(random),
    });
    // One line first: its evaluation loads the registry the bulk request's batches are scored ahead with.
    await uploadCandidates(t.app, adminKey, [line(0)]);
    const before = await foresights();
    const results = await uploadCandidates(
      t.app,
      adminKey,
      Array.from({ length: 2_100 }, (_, i) => line(i + 1)),
    );
    expect(results.every((r) => r.status === 'created')).toBe(true);
    const after = await foresights();
    expect(after.used - before.used).toBe(3); // 1,000 + 1,000 + 100 lines
    expect(after.missed - before.missed).toBe(0);
    expect(after.scanned - before.scanned).toBe(3);
    for (const [k, id] of jobs.entries()) {
      const created = new Map<string, number | null>();
      for (const event of (await readFeed(admin, 'job', id, null, 100)).events) {
        expect(event.type).toBe('match.created');
        created.set(event.candidateId, event.score);
      }
      const listed = (await walkJobMatches(admin, id, 100)).rows.filter((row) => row.score >= thresholds[k]!);
      expect(listed.length).toBeGreaterThan(0);
      expect(created).toEqual(new Map(listed.map((row) => [row.candidateId, row.score])));
    }
  });

  async function foresights() {
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const count = (outcome: string) =>
      Number(text.match(new RegExp(`alert_foresights_total\\{outcome="${outcome}"\\} (\\d+)`))?.[1] ?? 0);
    const scanned = Number(text.match(/alert_scan_thread_jobs_total\{outcome="answered"\} (\d+)/)?.[1] ?? 0);
    return { used: count('used'), missed: count('missed'), scanned };
  }
});
