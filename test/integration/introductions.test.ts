import { and, eq, sql } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidates, introductionEvents, introductions, jobs } from '../../src/db/schema.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds, untilAStatementWaitsForALock } from '../support/database.ts';
import { type Caller, expectProblem, tablesMentioning, walkList } from '../support/factories.ts';
import { createMarket, keyOf, type Market } from '../support/matching-factories.ts';

type Side = 'employer' | 'candidate';
interface IntroductionBody {
  id: string;
  jobId: string;
  candidateId: string;
  status: string;
  employer: { state: string };
  candidate: { state: string };
  contact?: { name: string; email: string; phone: string | null };
}

describe.each(availableDatabaseKinds())('introductions on %s', (kind) => {
  let t: TestApp;
  let app: FastifyInstance;
  beforeAll(async () => {
    t = await createTestApp({ kind });
    app = t.app;
  });
  afterAll(() => t.close());

  const pairPath = (jobId: string, candidateId: string) => `/v1/jobs/${jobId}/introductions/${candidateId}`;

  /** The market with an employer key for the job's employer and a candidate key for `good`. */
  async function market() {
    const m = await createMarket(app);
    const employer = await keyOf(app, m.adminKey, { role: 'employer', employerId: m.employer.id });
    const otherEmployer = await keyOf(app, m.adminKey, { role: 'employer', employerId: m.otherEmployer.id });
    const candidate = await keyOf(app, m.adminKey, { role: 'candidate', candidateId: m.ids.good });
    return { m, employer, otherEmployer, candidate };
  }

  async function act(api: Caller, m: Market, candidateId: string, action: string, side?: Side) {
    return api.post(pairPath(m.job.id, candidateId), { action, ...(side ? { side } : {}) });
  }

  async function step(api: Caller, m: Market, candidateId: string, action: string, side?: Side) {
    const response = await act(api, m, candidateId, action, side);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().introduction as IntroductionBody;
  }

  async function eventsOf(introductionId: string) {
    return t.database.db
      .select()
      .from(introductionEvents)
      .where(eq(introductionEvents.introductionId, introductionId))
      .orderBy(introductionEvents.id);
  }

  describe('the state machine through HTTP', () => {
    it('goes pending then mutual with each side acting by its own key, and records every step', async () => {
      const { m, employer, candidate } = await market();
      const first = await step(employer, m, m.ids.good, 'interested');
      expect(first).toMatchObject({
        jobId: m.job.id,
        candidateId: m.ids.good,
        status: 'pending',
        employer: { state: 'interested' },
        candidate: { state: 'none' },
      });
      expect(first).not.toHaveProperty('contact');
      const mutual = await step(candidate, m, m.ids.good, 'interested');
      expect(mutual).toMatchObject({ id: first.id, status: 'mutual', candidate: { state: 'interested' } });
      const events = await eventsOf(first.id);
      expect(events.map((e) => [e.side, e.action, e.statusAfter, e.actorRole])).toEqual([
        ['employer', 'interested', 'pending', 'employer'],
        ['candidate', 'interested', 'mutual', 'candidate'],
      ]);
      expect(events.every((e) => e.actorKeyId !== null)).toBe(true);
    });

    it('lets an admin act for either side, naming it', async () => {
      const { m } = await market();
      expect(await step(m.admin, m, m.ids.better, 'interested', 'candidate')).toMatchObject({
        status: 'pending',
        candidate: { state: 'interested' },
      });
      expect(await step(m.admin, m, m.ids.better, 'interested', 'employer')).toMatchObject({
        status: 'mutual',
      });
    });

    it('requires an admin to name the side, and refuses a key acting for the other side', async () => {
      const { m, employer, candidate } = await market();
      expectProblem(await act(m.admin, m, m.ids.good, 'interested'), 400, 'validation_failed');
      expect(
        expectProblem(await act(employer, m, m.ids.good, 'interested', 'candidate'), 400, 'validation_failed')
          .detail,
      ).toBe('An employer key acts for the employer side only.');
      expect(
        expectProblem(await act(candidate, m, m.ids.good, 'interested', 'employer'), 400, 'validation_failed')
          .detail,
      ).toBe('A candidate key acts for the candidate side only.');
      expectProblem(await act(candidate, m, m.ids.good, 'maybe'), 400, 'validation_failed');
      expect(await step(candidate, m, m.ids.good, 'interested', 'candidate')).toMatchObject({
        status: 'pending',
      });
    });

    it('withdraws, and lets the withdrawn side come back to mutual', async () => {
      const { m, employer, candidate } = await market();
      await step(employer, m, m.ids.good, 'interested');
      await step(candidate, m, m.ids.good, 'interested');
      expect(await step(candidate, m, m.ids.good, 'withdrawn')).toMatchObject({
        status: 'withdrawn',
        candidate: { state: 'withdrawn' },
      });
      expect(await step(candidate, m, m.ids.good, 'interested')).toMatchObject({ status: 'mutual' });
    });

    it('declines from any state and then refuses interest or withdrawal from the other side', async () => {
      const { m, employer, candidate } = await market();
      await step(employer, m, m.ids.good, 'interested');
      expect(await step(candidate, m, m.ids.good, 'declined')).toMatchObject({
        status: 'declined',
        candidate: { state: 'declined' },
      });
      for (const action of ['interested', 'withdrawn']) {
        const problem = expectProblem(await act(employer, m, m.ids.good, action), 409, 'conflict');
        expect(problem.detail).toMatch(/other side declined/);
      }
      const declined = expectProblem(await act(candidate, m, m.ids.good, 'interested'), 409, 'conflict');
      expect(declined.detail).toMatch(/candidate side is declined/);
    });

    it('answers 409 naming the state for invalid transitions, and writes nothing', async () => {
      const { m, employer, candidate } = await market();
      const early = expectProblem(await act(candidate, m, m.ids.good, 'withdrawn'), 409, 'conflict');
      expect(early.detail).toMatch(/candidate side is none/);
      expectProblem(await m.admin.get(pairPath(m.job.id, m.ids.good)), 404, 'not_found');
      const first = await step(employer, m, m.ids.good, 'interested');
      const twice = expectProblem(await act(employer, m, m.ids.good, 'interested'), 409, 'conflict');
      expect(twice.detail).toMatch(/employer side is interested/);
      expect((await eventsOf(first.id)).map((e) => e.action)).toEqual(['interested']);
    });

    it('answers 409 not_acceptable_pair with the reasons for a pair that is not acceptable', async () => {
      const { m, employer } = await market();
      const response = await act(employer, m, m.ids.tooExpensive, 'interested');
      const problem = expectProblem(response, 409, 'not_acceptable_pair');
      expect(problem.detail).toMatch(/salary/);
      expect(response.json().explanation).toMatchObject({
        acceptable: false,
        dealbreakers: [{ criterionId: 'salary', side: 'employer' }],
      });
      const weak = await act(m.admin, m, m.ids.weak, 'interested', 'candidate');
      expectProblem(weak, 409, 'not_acceptable_pair');
      expect(weak.json().explanation).toMatchObject({ acceptable: false, dealbreakers: [] });
      expectProblem(
        await act(m.admin, m, m.ids.silent, 'interested', 'employer'),
        409,
        'not_acceptable_pair',
      );
      const rows = await t.database.db
        .select()
        .from(introductions)
        .where(and(eq(introductions.jobId, m.job.id), eq(introductions.candidateId, m.ids.tooExpensive)));
      expect(rows).toEqual([]);
      // Declining needs no acceptable pair.
      expect(await step(employer, m, m.ids.tooExpensive, 'declined')).toMatchObject({ status: 'declined' });
    });

    it('judges interest by the stored answers, not by an index that has not caught up with them', async () => {
      // Another process's write this one has not followed yet: the follower is stopped here, and
      // the write bypasses the routes.
      const own = await createTestApp({ kind });
      try {
        const m = await createMarket(own.app);
        const employer = await keyOf(own.app, m.adminKey, { role: 'employer', employerId: m.employer.id });
        await own.app.changeFollower.stop();
        await own.database.db
          .update(candidates)
          .set({ minScore: 0.9999 })
          .where(eq(candidates.id, m.ids.good));
        const response = await employer.post(pairPath(m.job.id, m.ids.good), { action: 'interested' });
        expectProblem(response, 409, 'not_acceptable_pair');
        expect(response.json().explanation).toMatchObject({ acceptable: false, dealbreakers: [] });
        const rows = await own.database.db
          .select()
          .from(introductions)
          .where(and(eq(introductions.jobId, m.job.id), eq(introductions.candidateId, m.ids.good)));
        expect(rows).toEqual([]);
      } finally {
        await own.close();
      }
    });

    it('refuses interest in a closed job', async () => {
      const { m, candidate } = await market();
      expect((await m.admin.patch(`/v1/jobs/${m.job.id}`, { status: 'closed' })).statusCode).toBe(200);
      expectProblem(await act(candidate, m, m.ids.good, 'interested'), 409, 'conflict');
    });
  });

  describe('contact details', () => {
    it('are shown to the employer only once mutual, and every read is recorded', async () => {
      const { m, employer, otherEmployer, candidate } = await market();
      const stored = (await m.admin.get(`/v1/candidates/${m.ids.good}`)).json().candidate.contact;
      const first = await step(employer, m, m.ids.good, 'interested');
      const pending = await employer.get(pairPath(m.job.id, m.ids.good));
      expect(pending.statusCode).toBe(200);
      expect(pending.json().introduction).not.toHaveProperty('contact');
      await step(candidate, m, m.ids.good, 'interested');

      const read = await employer.get(pairPath(m.job.id, m.ids.good));
      expect(read.statusCode, read.body).toBe(200);
      expect(read.json().introduction).toMatchObject({ status: 'mutual', contact: stored });
      const own = await candidate.get(pairPath(m.job.id, m.ids.good));
      expect(own.statusCode).toBe(200);
      expect(own.json().introduction).not.toHaveProperty('contact');
      expectProblem(await otherEmployer.get(pairPath(m.job.id, m.ids.good)), 404, 'not_found');
      expect((await m.admin.get(pairPath(m.job.id, m.ids.good))).json().introduction.contact).toEqual(stored);

      const reads = (await eventsOf(first.id)).filter((e) => e.action === 'contact_read');
      expect(reads.map((e) => [e.side, e.actorRole, e.statusAfter])).toEqual([
        ['employer', 'employer', 'mutual'],
        ['employer', 'admin', 'mutual'],
      ]);
    });

    it('are hidden again once the introduction is withdrawn', async () => {
      const { m, employer, candidate } = await market();
      await step(employer, m, m.ids.good, 'interested');
      await step(candidate, m, m.ids.good, 'interested');
      await step(candidate, m, m.ids.good, 'withdrawn');
      const read = await employer.get(pairPath(m.job.id, m.ids.good));
      expect(read.json().introduction).not.toHaveProperty('contact');
    });
  });

  describe('access', () => {
    it('answers 404 to another employer, another candidate and another workspace', async () => {
      const { m, employer, otherEmployer, candidate } = await market();
      await step(employer, m, m.ids.good, 'interested');
      const stranger = await market();
      const betterKey = await keyOf(app, m.adminKey, { role: 'candidate', candidateId: m.ids.better });
      for (const api of [otherEmployer, betterKey, stranger.m.admin, stranger.employer]) {
        expectProblem(await act(api, m, m.ids.good, 'declined'), 404, 'not_found');
        expectProblem(await api.get(pairPath(m.job.id, m.ids.good)), 404, 'not_found');
      }
      expectProblem(await candidate.get(`/v1/jobs/${m.job.id}/introductions`), 404, 'not_found');
      expectProblem(await otherEmployer.get(`/v1/jobs/${m.job.id}/introductions`), 404, 'not_found');
      expectProblem(await employer.get(`/v1/candidates/${m.ids.good}/introductions`), 404, 'not_found');
      expectProblem(await betterKey.get(`/v1/candidates/${m.ids.good}/introductions`), 404, 'not_found');
      expectProblem(
        await stranger.m.admin.get(`/v1/candidates/${m.ids.good}/introductions`),
        404,
        'not_found',
      );
    });
  });

  describe('lists', () => {
    it('lists a job’s and a candidate’s introductions page by page', async () => {
      const { m, employer, candidate } = await market();
      const a = await step(employer, m, m.ids.better, 'interested');
      const b = await step(employer, m, m.ids.good, 'interested');
      const c = await step(candidate, m, m.ids.good, 'declined');
      const other = await candidate.post(pairPath(m.otherJob.id, m.ids.good), { action: 'interested' });
      expect(other.statusCode, other.body).toBe(200);
      const d = other.json().introduction as IntroductionBody;

      expect(await walkList(employer, `/v1/jobs/${m.job.id}/introductions`, 'introductions', 1)).toEqual([
        a.id,
        b.id,
      ]);
      expect(
        await walkList(candidate, `/v1/candidates/${m.ids.good}/introductions`, 'introductions', 1),
      ).toEqual([c.id, d.id]);
      const page = (await candidate.get(`/v1/candidates/${m.ids.good}/introductions`)).json();
      expect(page.nextCursor).toBeNull();
      expect(page.introductions[0]).toMatchObject({ jobId: m.job.id, status: 'declined' });
      expect(page.introductions[0]).not.toHaveProperty('contact');
      expectProblem(
        await employer.get(`/v1/jobs/${m.job.id}/introductions?cursor=not-a-cursor`),
        400,
        'invalid_cursor',
      );
    });
  });

  describe('erasure', () => {
    it('removes the candidate’s introductions and their events', async () => {
      const { m, employer, candidate } = await market();
      const intro = await step(employer, m, m.ids.good, 'interested');
      await step(candidate, m, m.ids.good, 'interested');
      await employer.get(pairPath(m.job.id, m.ids.good));
      expect((await eventsOf(intro.id)).length).toBe(3);

      expect((await m.admin.delete(`/v1/candidates/${m.ids.good}`)).statusCode).toBe(204);
      expect(await eventsOf(intro.id)).toEqual([]);
      const left = await t.database.db.select().from(introductions).where(eq(introductions.id, intro.id));
      expect(left).toEqual([]);
      const mentions = await tablesMentioning(t.database.db, intro.id);
      expect(Object.entries(mentions).filter(([, n]) => n > 0)).toEqual([]);
      const byCandidate = await tablesMentioning(t.database.db, m.ids.good);
      expect(byCandidate.introductions).toBe(0);
      expect(byCandidate.introduction_events).toBe(0);
      expectProblem(await m.admin.get(pairPath(m.job.id, m.ids.good)), 404, 'not_found');
    });
  });

  // PostgreSQL's alone: PGlite has one connection, so there the request waits for the deletion
  // whatever the code does.
  if (kind === 'postgres') {
    /** Sends `request` while `write` is made and not yet committed; its answer once it commits. */
    async function whileWriting(
      write: (tx: Parameters<Parameters<typeof t.database.db.transaction>[0]>[0]) => Promise<unknown>,
      request: () => Promise<LightMyRequestResponse>,
    ) {
      let sent: Promise<LightMyRequestResponse> | undefined;
      await t.database.db.transaction(async (tx) => {
        await write(tx);
        sent = request();
        await untilAStatementWaitsForALock(t.database.db);
      });
      return sent!;
    }

    describe('a pair changed while interest is on it', () => {
      /** The introduction of the job and `good` as an admin reads it. */
      async function introductionOf(m: Market) {
        const response = await m.admin.get(pairPath(m.job.id, m.ids.good));
        expect(response.statusCode, response.body).toBe(200);
        return response.json().introduction as IntroductionBody;
      }

      it('refuses interest that meets a pause in flight: the introduction does not turn mutual after the pause', async () => {
        const { m, employer, candidate } = await market();
        await step(candidate, m, m.ids.good, 'interested');
        const response = await whileWriting(
          (tx) => tx.update(candidates).set({ paused: true }).where(eq(candidates.id, m.ids.good)),
          () => act(employer, m, m.ids.good, 'interested'),
        );
        expectProblem(response, 409, 'conflict');
        expect(await introductionOf(m)).toMatchObject({ status: 'pending', employer: { state: 'none' } });
      });

      it('refuses interest that meets a hidden employer in flight', async () => {
        const { m, employer, candidate } = await market();
        await step(employer, m, m.ids.good, 'interested');
        const response = await whileWriting(
          (tx) =>
            tx
              .update(candidates)
              .set({ hiddenFromEmployerIds: [m.employer.id] })
              .where(eq(candidates.id, m.ids.good)),
          () => act(candidate, m, m.ids.good, 'interested'),
        );
        expectProblem(response, 409, 'hidden_from_employer');
        expect(await introductionOf(m)).toMatchObject({ status: 'pending', candidate: { state: 'none' } });
      });

      it('refuses interest that meets an answers write in flight that makes the pair unacceptable', async () => {
        const { m, employer, candidate } = await market();
        await step(candidate, m, m.ids.good, 'interested');
        const response = await whileWriting(
          (tx) =>
            tx.execute(sql`
              update answer_sets set answers = (
                select answers from answer_sets where candidate_id = ${m.ids.tooExpensive})
               where candidate_id = ${m.ids.good}`),
          () => act(employer, m, m.ids.good, 'interested'),
        );
        expectProblem(response, 409, 'not_acceptable_pair');
        expect(await introductionOf(m)).toMatchObject({ status: 'pending', employer: { state: 'none' } });
      });

      it("refuses interest that meets the job's closing in flight", async () => {
        const { m, employer, candidate } = await market();
        await step(employer, m, m.ids.good, 'interested');
        const response = await whileWriting(
          (tx) => tx.update(jobs).set({ status: 'closed' }).where(eq(jobs.id, m.job.id)),
          () => act(candidate, m, m.ids.good, 'interested'),
        );
        expectProblem(response, 409, 'conflict');
        expect(await introductionOf(m)).toMatchObject({ status: 'pending', candidate: { state: 'none' } });
      });
    });

    describe('a pair deleted while a request is on it', () => {
      it('answers 404 to a step that meets the erasure of the candidate, and leaves nothing', async () => {
        const { m, employer, candidate } = await market();
        await step(candidate, m, m.ids.good, 'interested');
        const response = await whileWriting(
          (tx) => tx.delete(candidates).where(eq(candidates.id, m.ids.good)),
          () => act(employer, m, m.ids.good, 'interested'),
        );
        expectProblem(response, 404, 'not_found');
        const left = await t.database.db
          .select()
          .from(introductions)
          .where(eq(introductions.candidateId, m.ids.good));
        expect(left).toEqual([]);
      });

      it("answers 404 to a pair's first step that meets the deletion of the job", async () => {
        const { m, candidate } = await market();
        const response = await whileWriting(
          (tx) => tx.delete(jobs).where(eq(jobs.id, m.job.id)),
          () => act(candidate, m, m.ids.good, 'interested'),
        );
        expectProblem(response, 404, 'not_found');
      });

      it("makes a job's deletion wait for a step reading the pair's answers, which is judged on the pair as it was", async () => {
        const { m, candidate } = await market();
        // The step has locked the job and the candidate and waits behind this lock for the
        // answers: the job's deletion cannot pass it.
        let sent: Promise<LightMyRequestResponse> | undefined;
        let deletion: unknown;
        await t.database.db.transaction(async (tx) => {
          await tx.execute(sql`lock table answer_sets in access exclusive mode`);
          sent = act(candidate, m, m.ids.good, 'interested');
          await untilAStatementWaitsForALock(t.database.db);
          await tx.execute(sql`set local lock_timeout = '300ms'`);
          deletion = await tx
            .transaction((savepoint) => savepoint.delete(jobs).where(eq(jobs.id, m.job.id)))
            .then(
              () => 'deleted',
              (error: unknown) => error,
            );
        });
        expect(deletion).toMatchObject({ cause: { code: '55P03' } });
        const response = await sent!;
        expect(response.statusCode, response.body).toBe(200);
        expect(response.json().introduction).toMatchObject({
          status: 'pending',
          candidate: { state: 'interested' },
        });
      });

      it('answers 404, not 409 not_acceptable_pair, to interest in a pair whose job is deleted before the step has judged it', async () => {
        const { m, employer } = await market();
        // The step needs the workspace's score method to judge the pair (a step that reads the pair
        // piece by piece reads it after the answers): it waits behind this lock while the job is
        // deleted and committed.
        expectProblem(await act(employer, m, m.ids.tooExpensive, 'interested'), 409, 'not_acceptable_pair');
        let sent: Promise<LightMyRequestResponse> | undefined;
        await t.database.db.transaction(async (tx) => {
          await tx.execute(sql`lock table workspaces in access exclusive mode`);
          sent = act(employer, m, m.ids.tooExpensive, 'interested');
          await untilAStatementWaitsForALock(t.database.db);
          await tx.delete(jobs).where(eq(jobs.id, m.job.id));
        });
        expectProblem(await sent!, 404, 'not_found');
      });

      it('answers 404 to a contact read that meets the erasure of the candidate', async () => {
        const { m, employer, candidate } = await market();
        await step(candidate, m, m.ids.good, 'interested');
        await step(employer, m, m.ids.good, 'interested');
        const response = await whileWriting(
          (tx) => tx.delete(candidates).where(eq(candidates.id, m.ids.good)),
          () => employer.get(pairPath(m.job.id, m.ids.good)),
        );
        expectProblem(response, 404, 'not_found');
      });
    });
  }
});
