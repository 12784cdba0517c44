import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { employerContacts, introductionEvents } from '../../src/db/schema.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { type Caller, expectProblem } from '../support/factories.ts';
import { createMarket, keyOf } from '../support/matching-factories.ts';

const contact = { name: 'Recruiting desk', email: 'jobs@example.com', phone: '+32 2 555 01 01' };

/** PUT/GET /v1/employers/{id}/contact, and its reveal to the candidate side of a mutual introduction. */
describe.each(availableDatabaseKinds())('employer contact on %s', (kind) => {
  let t: TestApp;
  let app: FastifyInstance;
  beforeAll(async () => {
    t = await createTestApp({ kind });
    app = t.app;
  });
  afterAll(() => t.close());

  async function market() {
    const m = await createMarket(app);
    const employer = await keyOf(app, m.adminKey, { role: 'employer', employerId: m.employer.id });
    const otherEmployer = await keyOf(app, m.adminKey, { role: 'employer', employerId: m.otherEmployer.id });
    const candidate = await keyOf(app, m.adminKey, { role: 'candidate', candidateId: m.ids.good });
    const otherCandidate = await keyOf(app, m.adminKey, { role: 'candidate', candidateId: m.ids.better });
    return { m, employer, otherEmployer, candidate, otherCandidate };
  }

  const contactPath = (employerId: string) => `/v1/employers/${employerId}/contact`;
  const pairPath = (jobId: string, candidateId: string) => `/v1/jobs/${jobId}/introductions/${candidateId}`;

  async function ok(response: Awaited<ReturnType<Caller['get']>>) {
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }

  describe('PUT and GET /v1/employers/{id}/contact', () => {
    it('is set and read by the employer itself and by an admin; name and phone are optional', async () => {
      const { m, employer } = await market();
      expectProblem(await employer.get(contactPath(m.employer.id)), 404, 'not_found');
      expect((await ok(await employer.put(contactPath(m.employer.id), contact))).contact).toEqual(contact);
      expect((await ok(await m.admin.get(contactPath(m.employer.id)))).contact).toEqual(contact);
      const bare = await ok(await m.admin.put(contactPath(m.employer.id), { email: 'hr@example.com' }));
      expect(bare.contact).toEqual({ name: null, email: 'hr@example.com', phone: null });
      expect((await ok(await employer.get(contactPath(m.employer.id)))).contact).toEqual(bare.contact);
    });

    it('refuses a bad email or an unknown field with 400', async () => {
      const { m } = await market();
      expectProblem(
        await m.admin.put(contactPath(m.employer.id), { email: 'nope' }),
        400,
        'validation_failed',
      );
      expectProblem(
        await m.admin.put(contactPath(m.employer.id), { ...contact, fax: '1' }),
        400,
        'validation_failed',
      );
    });

    it('answers 404 to another employer, another workspace and an employer of another workspace, and a candidate', async () => {
      const { m, otherEmployer, candidate } = await market();
      await ok(await m.admin.put(contactPath(m.employer.id), contact));
      const stranger = await market();
      for (const api of [otherEmployer, stranger.m.admin, stranger.employer]) {
        expectProblem(await api.get(contactPath(m.employer.id)), 404, 'not_found');
        expectProblem(await api.put(contactPath(m.employer.id), contact), 404, 'not_found');
      }
      expectProblem(await m.admin.put(contactPath(stranger.m.employer.id), contact), 404, 'not_found');
      expectProblem(await candidate.get(contactPath(m.employer.id)), 404, 'not_found');
      expect((await ok(await m.admin.get(contactPath(m.employer.id)))).contact).toEqual(contact);
    });

    it('is deleted with the employer', async () => {
      const { m } = await market();
      await ok(await m.admin.put(contactPath(m.employer.id), contact));
      expect((await m.admin.delete(`/v1/employers/${m.employer.id}`)).statusCode).toBe(204);
      const left = await t.database.db
        .select()
        .from(employerContacts)
        .where(eq(employerContacts.employerId, m.employer.id));
      expect(left).toEqual([]);
    });
  });

  describe('the candidate side of an introduction', () => {
    async function mutualPair() {
      const s = await market();
      await ok(await s.m.admin.put(contactPath(s.m.employer.id), contact));
      await ok(await s.employer.post(pairPath(s.m.job.id, s.m.ids.good), { action: 'interested' }));
      return s;
    }

    async function contactReads(introductionId: string) {
      const events = await t.database.db
        .select()
        .from(introductionEvents)
        .where(eq(introductionEvents.introductionId, introductionId))
        .orderBy(introductionEvents.id);
      return events.filter((e) => e.action === 'contact_read').map((e) => [e.side, e.actorRole]);
    }

    it("sees the employer's contact only once mutual, and every read is logged", async () => {
      const { m, employer, candidate } = await mutualPair();
      const pending = (await ok(await candidate.get(pairPath(m.job.id, m.ids.good)))).introduction;
      expect(pending).not.toHaveProperty('employerContact');
      await ok(await candidate.post(pairPath(m.job.id, m.ids.good), { action: 'interested' }));

      const read = (await ok(await candidate.get(pairPath(m.job.id, m.ids.good)))).introduction;
      expect(read).toMatchObject({ status: 'mutual', employerContact: contact });
      expect(read).not.toHaveProperty('contact');
      const forCandidate = await ok(await m.admin.get(`${pairPath(m.job.id, m.ids.good)}?side=candidate`));
      expect(forCandidate.introduction.employerContact).toEqual(contact);
      expect(forCandidate.introduction).not.toHaveProperty('contact');
      const forEmployer = (await ok(await employer.get(pairPath(m.job.id, m.ids.good)))).introduction;
      expect(forEmployer).not.toHaveProperty('employerContact');
      expect(forEmployer).toHaveProperty('contact');

      expect(await contactReads(read.id)).toEqual([
        ['candidate', 'candidate'],
        ['candidate', 'admin'],
        ['employer', 'employer'],
      ]);
    });

    it('is hidden again once withdrawn, and while the candidate is paused', async () => {
      const { m, candidate } = await mutualPair();
      await ok(await candidate.post(pairPath(m.job.id, m.ids.good), { action: 'interested' }));
      await ok(await m.admin.patch(`/v1/candidates/${m.ids.good}`, { paused: true }));
      const paused = (await ok(await candidate.get(pairPath(m.job.id, m.ids.good)))).introduction;
      expect(paused).toMatchObject({ status: 'mutual' });
      expect(paused).not.toHaveProperty('employerContact');
      await ok(await m.admin.patch(`/v1/candidates/${m.ids.good}`, { paused: false }));
      const resumed = (await ok(await candidate.get(pairPath(m.job.id, m.ids.good)))).introduction;
      expect(resumed.employerContact).toEqual(contact);
      await ok(await candidate.post(pairPath(m.job.id, m.ids.good), { action: 'withdrawn' }));
      const withdrawn = (await ok(await candidate.get(pairPath(m.job.id, m.ids.good)))).introduction;
      expect(withdrawn).not.toHaveProperty('employerContact');
      expect(await contactReads(resumed.id)).toEqual([['candidate', 'candidate']]);
    });

    it('reveals nothing and logs nothing when the employer has no contact', async () => {
      const { m, candidate } = await market();
      const employer = await keyOf(app, m.adminKey, { role: 'employer', employerId: m.employer.id });
      await ok(await employer.post(pairPath(m.job.id, m.ids.good), { action: 'interested' }));
      await ok(await candidate.post(pairPath(m.job.id, m.ids.good), { action: 'interested' }));
      const read = (await ok(await candidate.get(pairPath(m.job.id, m.ids.good)))).introduction;
      expect(read).not.toHaveProperty('employerContact');
      expect(await contactReads(read.id)).toEqual([]);
    });

    it('is out of reach of another candidate, another workspace, and an employer key asking for the candidate side', async () => {
      const { m, employer, candidate, otherCandidate } = await mutualPair();
      await ok(await candidate.post(pairPath(m.job.id, m.ids.good), { action: 'interested' }));
      const stranger = await market();
      for (const api of [otherCandidate, stranger.m.admin, stranger.candidate]) {
        expectProblem(await api.get(pairPath(m.job.id, m.ids.good)), 404, 'not_found');
        expectProblem(await api.get(`${pairPath(m.job.id, m.ids.good)}?side=candidate`), 404, 'not_found');
      }
      expectProblem(
        await employer.get(`${pairPath(m.job.id, m.ids.good)}?side=candidate`),
        400,
        'validation_failed',
      );
    });
  });
});
