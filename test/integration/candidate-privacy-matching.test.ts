import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { type Caller, expectProblem } from '../support/factories.ts';
import {
  createMarket,
  jobAnswers,
  keyOf,
  type Market,
  matchedCandidateIds,
  matchedJobIds,
} from '../support/matching-factories.ts';

/**
 * What pausing and hiding do to listings, the ad-hoc match, explanations, allocations and
 * introductions (docs/matching.md#candidate-privacy), on the hand-checked market: job J lists
 * [better, good]; good lists [J2, J]; J2 is another employer's.
 */
describe.each(availableDatabaseKinds())('candidate privacy in matching on %s', (kind) => {
  const t = useTestApp({ kind });

  async function market() {
    const m = await createMarket(t.app);
    const employer = await keyOf(t.app, m.adminKey, { role: 'employer', employerId: m.employer.id });
    const good = await keyOf(t.app, m.adminKey, { role: 'candidate', candidateId: m.ids.good });
    return { m, employer, good };
  }

  const patch = async (m: Market, candidateId: string, body: object) => {
    const response = await m.admin.patch(`/v1/candidates/${candidateId}`, body);
    expect(response.statusCode, response.body).toBe(200);
  };
  const explain = (api: Caller, jobId: string, candidateId: string) =>
    api.get(`/v1/jobs/${jobId}/matches/${candidateId}`);
  const act = (api: Caller, jobId: string, candidateId: string, action: string, side?: string) =>
    api.post(`/v1/jobs/${jobId}/introductions/${candidateId}`, { action, ...(side ? { side } : {}) });

  describe('a paused candidate', () => {
    it('is in no job listing and no ad-hoc match until resumed', async () => {
      const { m, employer } = await market();
      await patch(m, m.ids.better, { paused: true });
      expect(await matchedCandidateIds(m.admin, m.job.id)).toEqual([m.ids.good]);
      expect(await matchedCandidateIds(employer, m.job.id)).toEqual([m.ids.good]);
      const adHoc = await m.admin.post('/v1/match', {
        side: 'job',
        questionnaireId: 'mini',
        answers: jobAnswers,
        minScore: 0.9,
      });
      expect(adHoc.json().matches.map((r: { candidateId: string }) => r.candidateId)).toEqual([m.ids.good]);
      await patch(m, m.ids.better, { paused: false });
      expect(await matchedCandidateIds(m.admin, m.job.id)).toEqual([m.ids.better, m.ids.good]);
    });

    it('gets 409 candidate_paused for its own listing and explanations; the employer gets 404', async () => {
      const { m, employer, good } = await market();
      await patch(m, m.ids.good, { paused: true });
      for (const api of [good, m.admin]) {
        expectProblem(await api.get(`/v1/candidates/${m.ids.good}/matches`), 409, 'candidate_paused');
        expectProblem(await explain(api, m.job.id, m.ids.good), 409, 'candidate_paused');
      }
      expectProblem(await explain(employer, m.job.id, m.ids.good), 404, 'not_found');
      await patch(m, m.ids.good, { paused: false });
      expect(await matchedJobIds(good, m.ids.good)).toEqual([m.otherJob.id, m.job.id]);
      expect((await explain(employer, m.job.id, m.ids.good)).statusCode).toBe(200);
    });

    it('takes no part in an allocation from the matches', async () => {
      const { m } = await market();
      await patch(m, m.ids.better, { paused: true });
      await patch(m, m.ids.good, { paused: true });
      const response = await m.admin.post('/v1/allocations', { source: 'matches', jobIds: [m.job.id] });
      expect(response.statusCode, response.body).toBe(201);
      const { allocation } = response.json();
      expect(allocation.assignments).toEqual([]);
      expect(JSON.stringify(allocation)).not.toContain(m.ids.better);
    });

    it('refuses new interest (to the employer: no such pair; to the candidate and admins: 409 candidate_paused), and keeps a mutual introduction without contact', async () => {
      const { m, employer, good } = await market();
      expect((await act(employer, m.job.id, m.ids.good, 'interested')).statusCode).toBe(200);
      expect((await act(good, m.job.id, m.ids.good, 'interested')).statusCode).toBe(200);
      const introduction = `/v1/jobs/${m.job.id}/introductions/${m.ids.good}`;
      expect((await employer.get(introduction)).json().introduction.contact).toBeDefined();
      await patch(m, m.ids.good, { paused: true });
      await patch(m, m.ids.better, { paused: true });
      const kept = (await employer.get(introduction)).json().introduction;
      expect(kept).toMatchObject({ status: 'mutual' });
      expect(kept.contact).toBeUndefined();
      // The employer meets the 404 of a candidate that does not exist: the pause is not told.
      const paused = expectProblem(
        await act(employer, m.job.id, m.ids.better, 'interested'),
        404,
        'not_found',
      );
      const missing = crypto.randomUUID();
      const absent = expectProblem(await act(employer, m.job.id, missing, 'interested'), 404, 'not_found');
      expect(paused.detail.replace(m.ids.better, '…')).toBe(absent.detail.replace(missing, '…'));
      expectProblem(
        await act(m.admin, m.otherJob.id, m.ids.good, 'interested', 'employer'),
        409,
        'candidate_paused',
      );
      expectProblem(await act(good, m.otherJob.id, m.ids.good, 'interested'), 409, 'candidate_paused');
      // An introduction the employer already has, and reads, is no 404 to its steps: new interest
      // is refused without naming the pause.
      expect((await act(employer, m.job.id, m.ids.good, 'withdrawn')).statusCode).toBe(200);
      expect((await employer.get(introduction)).statusCode).toBe(200);
      const refused = expectProblem(await act(employer, m.job.id, m.ids.good, 'interested'), 409, 'conflict');
      expect(refused.detail).toContain('takes no new interest now');
      expect(refused.detail).not.toContain('pause');
      // Stepping back stays possible.
      expect((await act(good, m.job.id, m.ids.good, 'withdrawn')).statusCode).toBe(200);
      await patch(m, m.ids.good, { paused: false });
      expect((await act(good, m.otherJob.id, m.ids.good, 'interested')).statusCode).toBe(200);
    });

    it('is, to the employer, the pair that does not exist for every introduction step, unless an introduction was made before', async () => {
      const { m, employer } = await market();
      expect((await act(employer, m.job.id, m.ids.good, 'interested')).statusCode).toBe(200);
      await patch(m, m.ids.good, { paused: true });
      await patch(m, m.ids.better, { paused: true });
      const missing = crypto.randomUUID();
      for (const action of ['interested', 'declined', 'withdrawn']) {
        const paused = expectProblem(await act(employer, m.job.id, m.ids.better, action), 404, 'not_found');
        const absent = expectProblem(await act(employer, m.job.id, missing, action), 404, 'not_found');
        expect(paused.detail.replace(m.ids.better, '…')).toBe(absent.detail.replace(missing, '…'));
      }
      const paused = expectProblem(
        await employer.get(`/v1/jobs/${m.job.id}/introductions/${m.ids.better}`),
        404,
        'not_found',
      );
      const absent = expectProblem(
        await employer.get(`/v1/jobs/${m.job.id}/introductions/${missing}`),
        404,
        'not_found',
      );
      expect(paused.detail.replace(m.ids.better, '…')).toBe(absent.detail.replace(missing, '…'));
      // Nothing was recorded about the paused candidate: the job's introductions are the one made before.
      const listed = (await employer.get(`/v1/jobs/${m.job.id}/introductions`)).json().introductions;
      expect(listed.map((i: { candidateId: string }) => i.candidateId)).toEqual([m.ids.good]);
      // The introduction made before the pause stays the employer's to see and step back from.
      expect((await employer.get(`/v1/jobs/${m.job.id}/introductions/${m.ids.good}`)).statusCode).toBe(200);
      expect((await act(employer, m.job.id, m.ids.good, 'withdrawn')).statusCode).toBe(200);
    });
  });

  describe('a candidate hiding from an employer', () => {
    it("is in none of the employer's job listings, and the next best fills a page of one", async () => {
      const { m, employer } = await market();
      await patch(m, m.ids.better, { hiddenFromEmployerIds: [m.employer.id] });
      const page = await employer.get(`/v1/jobs/${m.job.id}/matches?limit=1`);
      expect(page.json().matches.map((r: { candidateId: string }) => r.candidateId)).toEqual([m.ids.good]);
      expect(page.json().nextCursor).toBeNull();
      expect(await matchedCandidateIds(m.admin, m.otherJob.id)).toContain(m.ids.better);
    });

    it("sees none of the employer's jobs in its own listing", async () => {
      const { m, good } = await market();
      await patch(m, m.ids.good, { hiddenFromEmployerIds: [m.employer.id] });
      expect(await matchedJobIds(good, m.ids.good)).toEqual([m.otherJob.id]);
      await patch(m, m.ids.good, { hiddenFromEmployerIds: [m.otherEmployer.id] });
      expect(await matchedJobIds(good, m.ids.good)).toEqual([m.job.id]);
    });

    it('has no explanation with those jobs for anyone: 404', async () => {
      const { m, employer, good } = await market();
      await patch(m, m.ids.good, { hiddenFromEmployerIds: [m.employer.id] });
      for (const api of [employer, good, m.admin]) {
        expectProblem(await explain(api, m.job.id, m.ids.good), 404, 'not_found');
      }
      expect((await explain(good, m.otherJob.id, m.ids.good)).statusCode).toBe(200);
    });

    it('is never allocated to those jobs', async () => {
      const { m } = await market();
      await patch(m, m.ids.better, { hiddenFromEmployerIds: [m.employer.id] });
      await patch(m, m.ids.good, { hiddenFromEmployerIds: [m.employer.id] });
      const response = await m.admin.post('/v1/allocations', { source: 'matches' });
      const { allocation } = response.json();
      expect(allocation.blockingPairs).toBe(0);
      expect(allocation.assignments.filter((a: { jobId: string }) => a.jobId === m.job.id)).toEqual([]);
    });

    it('is 404 to the employer in introductions, old ones included; interest from its side is 409 hidden_from_employer', async () => {
      const { m, employer, good } = await market();
      expect((await act(employer, m.job.id, m.ids.good, 'interested')).statusCode).toBe(200);
      const path = `/v1/jobs/${m.job.id}/introductions`;
      expect((await employer.get(path)).json().introductions).toHaveLength(1);
      await patch(m, m.ids.good, { hiddenFromEmployerIds: [m.employer.id] });
      expectProblem(await employer.get(`${path}/${m.ids.good}`), 404, 'not_found');
      expectProblem(await act(employer, m.job.id, m.ids.good, 'withdrawn'), 404, 'not_found');
      expect((await employer.get(path)).json().introductions).toEqual([]);
      expect((await m.admin.get(path)).json().introductions).toHaveLength(1);
      expectProblem(await act(good, m.job.id, m.ids.good, 'interested'), 409, 'hidden_from_employer');
      expect((await act(good, m.job.id, m.ids.good, 'declined')).statusCode).toBe(200);
      expect((await good.get(`${path}/${m.ids.good}`)).json().introduction.status).toBe('declined');
    });
  });

  it('lists both sides exactly as before once every setting is undone', async () => {
    const { m, good } = await market();
    await patch(m, m.ids.good, { paused: true, hiddenFromEmployerIds: [m.employer.id, m.otherEmployer.id] });
    await patch(m, m.ids.good, { paused: false, hiddenFromEmployerIds: [] });
    expect(await matchedCandidateIds(m.admin, m.job.id)).toEqual([m.ids.better, m.ids.good]);
    expect(await matchedJobIds(good, m.ids.good)).toEqual([m.otherJob.id, m.job.id]);
  });
});
