import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countBlockingPairs } from '../../src/allocation/blocking-pairs.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { caller, createWorkspace, expectProblem, mintKey } from '../support/factories.ts';
import { auditRowsOf, createMarket, listCandidateMatches } from '../support/matching-factories.ts';

describe.each(availableDatabaseKinds())('allocations on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ kind });
  });
  afterAll(() => t.close());

  const explicit = {
    candidates: [
      { id: 'ann', preferences: ['acme', 'bolt'] },
      { id: 'bob', preferences: ['acme'] },
      { id: 'cas', preferences: ['acme', 'bolt'] },
    ],
    jobs: [
      { id: 'acme', capacity: 1, preferences: ['bob', 'ann', 'cas'] },
      { id: 'bolt', capacity: 1, preferences: ['cas', 'ann'] },
    ],
  };

  it('allocates explicit preferences stably, stores the result and reads it back', async () => {
    const { admin } = await createWorkspace(t.app);
    const created = await admin.post('/v1/allocations', explicit);
    expect(created.statusCode).toBe(201);
    const { allocation } = created.json();
    expect(allocation).toMatchObject({
      source: 'explicit',
      assignments: [
        { jobId: 'acme', candidateId: 'bob' },
        { jobId: 'bolt', candidateId: 'cas' },
      ],
      unassigned: ['ann'],
      blockingPairs: 0,
    });
    expect(countBlockingPairs(explicit, allocation)).toBe(0);
    const read = await admin.get(`/v1/allocations/${allocation.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json().allocation).toEqual(allocation);
  });

  it('answers 413 for an explicit input over 16 MiB, before parsing it', async () => {
    const { admin } = await createWorkspace(t.app);
    const preferences = Array.from({ length: 300_000 }, (_, i) => `job-${i}`.padEnd(60, '-'));
    const response = await admin.post('/v1/allocations', {
      candidates: [{ id: 'ann', preferences }],
      jobs: [],
    });
    expect(expectProblem(response, 413, 'payload_too_large').detail).toBe(
      'The request body is over the limit of 16777216 bytes (16 MiB) fixed for allocations (BULK_BODY_LIMIT_BYTES is higher).',
    );
  });

  it('answers 422 naming every problem of a bad input, and stores nothing', async () => {
    const { admin } = await createWorkspace(t.app);
    const response = await admin.post('/v1/allocations', {
      candidates: [
        { id: 'ann', preferences: ['acme', 'ghost'] },
        { id: 'ann', preferences: [] },
      ],
      jobs: [
        { id: 'acme', capacity: 1, preferences: ['ann'] },
        { id: 'acme', capacity: 1, preferences: [] },
      ],
    });
    expectProblem(response, 422, 'invalid_input');
    const paths = response.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'body.candidates[0].preferences[1]',
        'body.candidates[1].id',
        'body.jobs[1].id',
      ]),
    );
  });

  it('names what is wrong in a body that fits neither form', async () => {
    const { admin } = await createWorkspace(t.app);
    for (const [body, detail] of [
      [{ candidates: [{ id: 'ann' }], jobs: [] }, 'body.candidates.0.preferences: '],
      [{ source: 'matches', jobIds: ['not-a-uuid'] }, 'body.jobIds.0: Invalid UUID'],
      [{}, 'body: is either { source: "matches", jobIds?, candidateIds? } or explicit { candidates, jobs }'],
    ] as const) {
      const problem = expectProblem(await admin.post('/v1/allocations', body), 400, 'validation_failed');
      expect(problem.detail).toContain(detail);
    }
  });

  it('takes a job of capacity 0 as one with no place left: its candidates go elsewhere', async () => {
    const { admin } = await createWorkspace(t.app);
    const response = await admin.post('/v1/allocations', {
      candidates: [
        { id: 'ann', preferences: ['full', 'open'] },
        { id: 'bob', preferences: ['full'] },
      ],
      jobs: [
        { id: 'full', capacity: 0, preferences: ['ann', 'bob'] },
        { id: 'open', capacity: 1, preferences: ['ann'] },
      ],
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().allocation).toMatchObject({
      assignments: [{ jobId: 'open', candidateId: 'ann' }],
      unassigned: ['bob'],
      blockingPairs: 0,
    });
  });

  it('allocates from the matches: every assignment is a listed, reciprocally acceptable pair', async () => {
    const m = await createMarket(t.app);
    const response = await m.admin.post('/v1/allocations', { source: 'matches' });
    expect(response.statusCode).toBe(201);
    const { allocation } = response.json();
    expect(allocation.source).toBe('matches');
    expect(allocation.blockingPairs).toBe(0);
    expect(allocation.assignments.length).toBeGreaterThan(0);
    for (const { jobId, candidateId } of allocation.assignments) {
      const { matches } = await listCandidateMatches(m.admin, candidateId);
      expect(matches.map((row) => row.jobId)).toContain(jobId);
    }
    const audit = await auditRowsOf(t.database.db, m.workspace.id);
    expect(audit.some((row) => row.action === 'allocation')).toBe(true);
  });

  it('answers 422 naming each of the jobIds that is not an open job of the workspace, and stores nothing', async () => {
    const m = await createMarket(t.app);
    const other = await createMarket(t.app);
    expect((await m.admin.patch(`/v1/jobs/${m.otherJob.id}`, { status: 'closed' })).statusCode).toBe(200);
    const missing = crypto.randomUUID();
    const response = await m.admin.post('/v1/allocations', {
      source: 'matches',
      jobIds: [m.job.id, m.otherJob.id, other.job.id, missing],
    });
    const problem = expectProblem(response, 422, 'invalid_input');
    // Closed, another workspace's and missing read the same: nothing tells them apart.
    expect(problem.errors).toEqual(
      [m.otherJob.id, other.job.id, missing].map((id, k) => ({
        path: `body.jobIds[${k + 1}]`,
        message: `${id} is not an open job of this workspace`,
      })),
    );
    const audit = await auditRowsOf(t.database.db, m.workspace.id);
    expect(audit.some((row) => row.action === 'allocation')).toBe(false);
    const fine = await m.admin.post('/v1/allocations', { source: 'matches', jobIds: [m.job.id] });
    expect(fine.statusCode, fine.body).toBe(201);
  });

  it('answers 422 naming each of the candidateIds that is not an active candidate of the workspace, and stores nothing', async () => {
    const m = await createMarket(t.app);
    const other = await createMarket(t.app);
    expect((await m.admin.patch(`/v1/candidates/${m.ids.weak}`, { paused: true })).statusCode).toBe(200);
    const missing = crypto.randomUUID();
    const response = await m.admin.post('/v1/allocations', {
      source: 'matches',
      candidateIds: [m.ids.good, missing, other.ids.good, m.ids.weak, m.ids.better],
    });
    const problem = expectProblem(response, 422, 'invalid_input');
    // Missing, another workspace's and paused read the same: nothing tells them apart.
    expect(problem.errors).toEqual(
      [missing, other.ids.good, m.ids.weak].map((id, k) => ({
        path: `body.candidateIds[${k + 1}]`,
        message: `${id} is not an active candidate of this workspace`,
      })),
    );
    const audit = await auditRowsOf(t.database.db, m.workspace.id);
    expect(audit.some((row) => row.action === 'allocation')).toBe(false);
    // A named candidate no job lists (no answers here) is in the answer too: unassigned.
    const fine = await m.admin.post('/v1/allocations', {
      source: 'matches',
      candidateIds: [m.ids.good, m.ids.better, m.ids.silent],
    });
    expect(fine.statusCode, fine.body).toBe(201);
    expect(fine.json().allocation).toMatchObject({
      assignments: [
        { jobId: m.job.id, candidateId: m.ids.better },
        { jobId: m.otherJob.id, candidateId: m.ids.good },
      ].sort((a, b) => (a.jobId < b.jobId ? -1 : 1)),
      unassigned: [m.ids.silent],
    });
  });

  it('names the jobIds and the candidateIds that do not take part in one answer', async () => {
    const m = await createMarket(t.app);
    const [job, candidate] = [crypto.randomUUID(), crypto.randomUUID()];
    const response = await m.admin.post('/v1/allocations', {
      source: 'matches',
      jobIds: [job],
      candidateIds: [m.ids.good, candidate],
    });
    expect(expectProblem(response, 422, 'invalid_input').errors).toEqual([
      { path: 'body.jobIds[0]', message: `${job} is not an open job of this workspace` },
      { path: 'body.candidateIds[1]', message: `${candidate} is not an active candidate of this workspace` },
    ]);
  });

  it('takes a candidate out of stored allocations when the candidate is erased', async () => {
    const m = await createMarket(t.app);
    const { allocation } = (await m.admin.post('/v1/allocations', { source: 'matches' })).json();
    const erased = allocation.assignments[0].candidateId;
    expect((await m.admin.delete(`/v1/candidates/${erased}`)).statusCode).toBe(204);
    const after = (await m.admin.get(`/v1/allocations/${allocation.id}`)).json().allocation;
    expect(JSON.stringify(after)).not.toContain(erased);
  });

  it('answers 404 for an allocation of another workspace and for a non-admin key', async () => {
    const mine = await createWorkspace(t.app);
    const other = await createWorkspace(t.app);
    const { allocation } = (await mine.admin.post('/v1/allocations', explicit)).json();
    expectProblem(await other.admin.get(`/v1/allocations/${allocation.id}`), 404, 'not_found');
    const m = await createMarket(t.app);
    const candidateKey = await mintKey(t.app, m.adminKey, { role: 'candidate', candidateId: m.ids.good });
    expectProblem(await caller(t.app, candidateKey.key).post('/v1/allocations', explicit), 404, 'not_found');
  });
});
