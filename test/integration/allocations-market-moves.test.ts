import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AllocationSlots, AllocationsBusy } from '../../src/allocation/off-thread.ts';
import { jobs } from '../../src/db/schema.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds, untilAStatementWaitsForALock } from '../support/database.ts';
import { expectProblem } from '../support/factories.ts';
import { auditRowsOf, createMarket, type Market } from '../support/matching-factories.ts';

/**
 * Jobs and candidates that change while an allocation from the matches runs: the change is made
 * after the allocation thread answers and before the result is stored, by wrapping the thread's run.
 */
describe.each(availableDatabaseKinds())('an allocation whose market moves while it runs on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ kind });
  });
  afterAll(() => t.close());
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** Makes `change` (its argument: the how-many-th run, from 1) after each run, before the store. */
  function changeAfterEachRun(change: (run: number) => Promise<void>) {
    const run = AllocationSlots.prototype.run;
    let runs = 0;
    return vi.spyOn(AllocationSlots.prototype, 'run').mockImplementation(async function (
      this: AllocationSlots,
      task,
    ) {
      const outcome = await run.call(this, task);
      await change(++runs);
      return outcome;
    });
  }

  const sortedByJob = <A extends { jobId: string }>(assignments: A[]) =>
    assignments.sort((a, b) => (a.jobId < b.jobId ? -1 : 1));

  async function patch(m: Market, path: string, body: object) {
    const response = await m.admin.patch(path, body);
    expect(response.statusCode, response.body).toBe(200);
  }

  async function storedAllocation(m: Market, response: LightMyRequestResponse) {
    expect(response.statusCode, response.body).toBe(201);
    const read = await m.admin.get(`/v1/allocations/${response.json().allocation.id}`);
    return read.json().allocation;
  }

  it('runs again when a job closes before the result is stored: the closed job is in no assignment', async () => {
    const m = await createMarket(t.app);
    // With both jobs open: better to J, good to J2.
    const runs = changeAfterEachRun(async (run) => {
      if (run === 1) await patch(m, `/v1/jobs/${m.otherJob.id}`, { status: 'closed' });
    });
    const response = await m.admin.post('/v1/allocations', { source: 'matches' });
    const allocation = await storedAllocation(m, response);
    expect(runs).toHaveBeenCalledTimes(2);
    expect(JSON.stringify(allocation)).not.toContain(m.otherJob.id);
    expect(allocation).toMatchObject({
      assignments: [{ jobId: m.job.id, candidateId: m.ids.better }],
      unassigned: [m.ids.good],
      blockingPairs: 0,
    });
  });

  it('runs again when a job changes its capacity or a candidate pauses before the result is stored', async () => {
    const m = await createMarket(t.app);
    const runs = changeAfterEachRun(async (run) => {
      if (run === 1) await patch(m, `/v1/candidates/${m.ids.good}`, { paused: true });
      if (run === 2) await patch(m, `/v1/jobs/${m.job.id}`, { capacity: 2 });
    });
    const response = await m.admin.post('/v1/allocations', { source: 'matches' });
    const allocation = await storedAllocation(m, response);
    expect(runs).toHaveBeenCalledTimes(3);
    // The market after both changes: good paused, J with two places (weak is below J's minScore).
    expect(JSON.stringify(allocation)).not.toContain(m.ids.good);
    expect(allocation.assignments).toEqual(
      sortedByJob([
        { jobId: m.job.id, candidateId: m.ids.better },
        { jobId: m.otherJob.id, candidateId: m.ids.weak },
      ]),
    );
  });

  it("runs again when an assigned candidate hides from its job's employer before the result is stored", async () => {
    const m = await createMarket(t.app);
    // With both jobs open: better to J, good to J2 (of the other employer).
    const runs = changeAfterEachRun(async (run) => {
      if (run === 1) {
        await patch(m, `/v1/candidates/${m.ids.good}`, { hiddenFromEmployerIds: [m.otherEmployer.id] });
      }
    });
    const response = await m.admin.post('/v1/allocations', { source: 'matches' });
    const allocation = await storedAllocation(m, response);
    expect(allocation.assignments).not.toContainEqual({ jobId: m.otherJob.id, candidateId: m.ids.good });
    expect(runs).toHaveBeenCalledTimes(2);
    // The market after the change: good below J's minScore and hidden from J2's employer.
    expect(allocation).toMatchObject({
      assignments: sortedByJob([
        { jobId: m.job.id, candidateId: m.ids.better },
        { jobId: m.otherJob.id, candidateId: m.ids.weak },
      ]),
      unassigned: [m.ids.good],
      blockingPairs: 0,
    });
  });

  // PostgreSQL's alone: PGlite has one connection (see below).
  if (kind === 'postgres') {
    it('waits for a job closing as the result is stored, then runs again', async () => {
      const m = await createMarket(t.app);
      let allocating: Promise<LightMyRequestResponse> | undefined;
      // The allocation reads the job still open, then its store waits for the closing to commit (the
      // job's row is locked). PGlite has one connection: there the allocation waits for the closing
      // whatever the code does, so this is PostgreSQL's alone.
      await t.database.db.transaction(async (tx) => {
        await tx.update(jobs).set({ status: 'closed' }).where(eq(jobs.id, m.otherJob.id));
        allocating = m.admin.post('/v1/allocations', { source: 'matches' });
        await untilAStatementWaitsForALock(t.database.db);
      });
      const allocation = await storedAllocation(m, await allocating!);
      expect(allocation).toMatchObject({
        assignments: [{ jobId: m.job.id, candidateId: m.ids.better }],
        unassigned: [m.ids.good],
      });
    });
  }

  it('answers 409 with Retry-After when the market keeps moving, and stores nothing', async () => {
    const m = await createMarket(t.app);
    const runs = changeAfterEachRun(async (run) => {
      await patch(m, `/v1/jobs/${m.job.id}`, { capacity: 1 + run });
    });
    const response = await m.admin.post('/v1/allocations', { source: 'matches' });
    const problem = expectProblem(response, 409, 'conflict');
    expect(problem.detail).toContain('The jobs or candidates of this allocation changed while it ran');
    expect(response.headers['retry-after']).toBe('3');
    expect(runs).toHaveBeenCalledTimes(3);
    const audit = await auditRowsOf(t.database.db, m.workspace.id);
    expect(audit.some((row) => row.action === 'allocation')).toBe(false);
  });

  describe('with an Idempotency-Key, a reply that says when to retry is not replayed to the retry', () => {
    const key = { 'idempotency-key': 'allocate-once' };

    it('runs a retry of an allocation refused while allocations were queued up', async () => {
      const m = await createMarket(t.app);
      vi.spyOn(AllocationSlots.prototype, 'use').mockRejectedValueOnce(new AllocationsBusy());
      const busy = await m.admin.post('/v1/allocations', { source: 'matches' }, key);
      expectProblem(busy, 429, 'rate_limited');
      expect(busy.headers['retry-after']).toBe('5');
      const retry = await m.admin.post('/v1/allocations', { source: 'matches' }, key);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
      await storedAllocation(m, retry);
      const replay = await m.admin.post('/v1/allocations', { source: 'matches' }, key);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.json()).toEqual(retry.json());
    });
  });
});
