import { describe, expect, it } from 'vitest';
import { AlertingSide } from '../../src/alerts/registry.ts';
import { alertingSubjectsOf, deleteAlert, upsertAlert } from '../../src/alerts/repository.ts';
import { useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { createCandidate, createEmployer, createJob, createWorkspace } from '../support/factories.ts';

/**
 * A registry's load (src/alerts/repository.ts, alertingSubjectsOf): every alert of the workspace,
 * by side, as ids' words and thresholds read in runs of bytes: each subject with its own threshold,
 * bit for bit, and nothing of another workspace or of an alert switched off.
 */
describe.each(availableDatabaseKinds())('alerting subjects read for a registry on %s', (kind) => {
  const t = useTestApp({ kind });

  it('gives each side’s subjects with their own thresholds, exactly, and nothing else', async () => {
    const { workspace, adminKey } = await createWorkspace(t.app);
    const other = await createWorkspace(t.app);
    const employer = await createEmployer(t.app, adminKey);
    const jobs = await Promise.all([1, 2, 3].map(() => createJob(t.app, adminKey, employer.id)));
    const candidates = await Promise.all([1, 2, 3, 4].map(() => createCandidate(t.app, adminKey)));
    const elsewhere = await createCandidate(t.app, other.adminKey);
    const db = t.database.db;
    const set = (side: 'job' | 'candidate', id: string, minScore: number, ws = workspace.id) =>
      db.transaction((tx) => upsertAlert(tx, ws, side, id, minScore));
    // Thresholds no short decimal writes exactly: the bytes must carry every bit.
    const thresholds = { job: [0.1 + 0.2, 1 / 3], candidate: [Math.PI / 4, 0.5, 2 / 7] };
    await set('job', jobs[0]!.id, thresholds.job[0]!);
    await set('job', jobs[2]!.id, thresholds.job[1]!);
    for (const [i, minScore] of thresholds.candidate.entries())
      await set('candidate', candidates[i]!.id, minScore);
    await set('candidate', candidates[3]!.id, 0.9);
    await db.transaction((tx) => deleteAlert(tx, workspace.id, 'candidate', candidates[3]!.id));
    await set('candidate', elsewhere.id, 0.7, other.workspace.id);

    const subjects = await alertingSubjectsOf(db, workspace.id);
    const read = {
      job: new AlertingSide(subjects.job),
      candidate: new AlertingSide(subjects.candidate),
    };
    expect(read.job.size).toBe(2);
    expect(read.job.thresholdOf(jobs[0]!.id)).toBe(thresholds.job[0]);
    expect(read.job.thresholdOf(jobs[2]!.id)).toBe(thresholds.job[1]);
    expect(read.job.thresholdOf(jobs[1]!.id)).toBeUndefined();
    expect(read.candidate.size).toBe(3);
    for (const [i, minScore] of thresholds.candidate.entries())
      expect(read.candidate.thresholdOf(candidates[i]!.id)).toBe(minScore);
    expect(read.candidate.thresholdOf(candidates[3]!.id)).toBeUndefined();
    expect(read.candidate.thresholdOf(elsewhere.id)).toBeUndefined();
    expect(read.candidate.thresholdOf(jobs[0]!.id)).toBeUndefined();

    const none = await alertingSubjectsOf(db, (await createWorkspace(t.app)).workspace.id);
    expect([none.job.values.length, none.candidate.values.length]).toEqual([0, 0]);
  });
});
