import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rankMatches, scorePair } from '../../src/matching/score.ts';
import type { ScoreMethod } from '../../src/matching/types.ts';
import type { QuestionnaireDefinition } from '../../src/questionnaires/definition.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import {
  type Caller,
  createEmployer,
  createJob,
  createWorkspace,
  expectProblem,
} from '../support/factories.ts';
import {
  auditRowsOf,
  bulkCandidates,
  createMarket,
  expectSameScoreLists,
  expectSameScores,
  goodCandidate,
  jobAnswers,
  keyOf,
  lenientJobAnswers,
  listCandidateMatches,
  listJobMatches,
  loadMini,
  type Market,
  marketCandidates,
  matchedCandidateIds,
  matchedJobIds,
  otherJobAnswers,
  profileCounts,
  putAnswers,
  randomCandidateAnswers,
  type ScoredRow,
  seeded,
  walkJobMatches,
} from '../support/matching-factories.ts';

const jobProfile = { answers: jobAnswers, minScore: 0.9 };
const otherJobProfile = { answers: otherJobAnswers, minScore: 0.5 };
const goodProfile = { answers: goodCandidate, minScore: 0.5 };

/** By hand (docs/matching.md) for jobAnswers × goodCandidate: weights 50, 10, 1, 250, 10 and 50, 10, 50, 250, 10. */
const handS1 = (50 * 1 + 10 * 0.5 + 1 * 0.5 + 250 * 1 + 10 * 0.75) / 321; // languages all-of 1/2, remote 1 step off
const handS2 = (50 + 10 + 50 + 250 + 10 * 0.75) / 370; // values: pearson([5,3,1],[5,1,3]) = 0.5 → 0.75
const handM = (2 * handS1 * handS2) / (handS1 + handS2);

describe.each(availableDatabaseKinds())('matching on %s', (kind) => {
  let t: TestApp;
  let app: FastifyInstance;
  let mini: QuestionnaireDefinition;
  beforeAll(async () => {
    // Every listing here is split over two rank worker threads and this one (other suites list on one thread).
    t = await createTestApp({ kind, env: { MATCH_WORKERS: '2', MATCH_SPLIT_MIN_ROWS: '0' } });
    app = t.app;
    mini = await loadMini();
  });
  afterAll(() => t.close());

  const keyFor = (m: Market, body: Parameters<typeof keyOf>[2]) => keyOf(app, m.adminKey, body);

  describe('listings', () => {
    it('lists only reciprocally acceptable candidates of a job, best first, with the reference scores', async () => {
      const m = await createMarket(app);
      const body = await listJobMatches(m.admin, m.job.id);
      expect(body.matches.map((r) => r.candidateId)).toEqual([m.ids.better, m.ids.good]);
      expect(body.nextCursor).toBeNull();
      const reference = rankMatches(mini, { side: 'employer', ...jobProfile }, m.scored);
      expect(reference.map((r) => r.id)).toEqual([m.ids.better, m.ids.good]);
      expectSameScoreLists(body.matches, reference);
      expectSameScores(body.matches[1]!, scorePair(mini, jobProfile, goodProfile));
      expectSameScores(body.matches[1]!, {
        employerSatisfaction: handS1,
        candidateSatisfaction: handS2,
        score: handM,
        scoreLower: handM - 1 / 5,
      });
      // Why the others are absent, says the reference: a dealbreaker either way, or a minScore either way.
      const why = m.scored.map((c) => ({ id: c.id, ...scorePair(mini, jobProfile, c) }));
      expect(why.filter((c) => !c.acceptable).map((c) => [c.id, c.dealbreakers])).toEqual([
        [m.ids.tooExpensive, [{ criterionId: 'salary', side: 'employer' }]],
        [m.ids.wantsMore, [{ criterionId: 'salary', side: 'candidate' }]],
        [m.ids.picky, []],
        [m.ids.weak, []],
      ]);
      expect(why.find((c) => c.id === m.ids.picky)!.candidateSatisfaction).toBeLessThan(0.999);
      expect(why.find((c) => c.id === m.ids.weak)!.employerSatisfaction).toBeLessThan(0.9);
    });

    it("mirrors the scores in a candidate's listing of open jobs, with their employers", async () => {
      const m = await createMarket(app);
      const { matches } = await listCandidateMatches(m.admin, m.ids.good);
      expect(matches.map((r) => [r.jobId, r.employerId])).toEqual([
        [m.otherJob.id, m.otherEmployer.id],
        [m.job.id, m.employer.id],
      ]);
      const reference = rankMatches(mini, { side: 'candidate', ...goodProfile }, [
        { id: m.job.id, ...jobProfile },
        { id: m.otherJob.id, ...otherJobProfile },
      ]);
      expect(reference.map((r) => r.id)).toEqual([m.otherJob.id, m.job.id]);
      expectSameScoreLists(matches, reference);
      const fromJob = (await listJobMatches(m.admin, m.job.id)).matches.find(
        (r) => r.candidateId === m.ids.good,
      );
      expectSameScores(matches[1]!, fromJob!);
      expect(await matchedJobIds(m.admin, m.ids.picky)).toEqual([]);
      expect(await matchedJobIds(m.admin, m.ids.tooExpensive)).toEqual([]);
    });

    it('answers 409 no_answers, recording nothing, for a candidate or job that has not answered (not an empty listing)', async () => {
      const m = await createMarket(app);
      const bare = await createJob(app, m.adminKey, m.employer.id);
      const candidatePath = `/v1/candidates/${m.ids.silent}/matches`;
      const jobPath = `/v1/jobs/${bare.id}/matches`;
      const callers = [
        [candidatePath, m.admin],
        [candidatePath, await keyFor(m, { role: 'candidate', candidateId: m.ids.silent })],
        [jobPath, m.admin],
        [jobPath, await keyFor(m, { role: 'employer', employerId: m.employer.id })],
      ] as const;
      for (const [path, api] of callers) expectProblem(await api.get(path), 409, 'no_answers');
      expect(expectProblem(await m.admin.get(candidatePath), 409, 'no_answers').detail).toBe(
        `Candidate ${m.ids.silent} has not answered a questionnaire yet; PUT /v1/candidates/${m.ids.silent}/answers first.`,
      );
      expect(expectProblem(await m.admin.get(jobPath), 409, 'no_answers').detail).toBe(
        `Job ${bare.id} has not answered a questionnaire yet; PUT /v1/jobs/${bare.id}/answers first.`,
      );
      // Nor does closing the job change it: the answers are what is missing.
      expect((await m.admin.patch(`/v1/jobs/${bare.id}`, { status: 'closed' })).statusCode).toBe(200);
      expectProblem(await m.admin.get(jobPath), 409, 'no_answers');
      expect(await auditRowsOf(t.database.db, m.workspace.id)).toEqual([]);

      // Once answered, the listings are listings again (and recorded).
      await putAnswers(m.admin, `/v1/candidates/${m.ids.silent}/answers`, goodCandidate);
      expect(await matchedJobIds(m.admin, m.ids.silent)).toEqual([m.otherJob.id, m.job.id]);
      expect((await m.admin.patch(`/v1/jobs/${bare.id}`, { status: 'open' })).statusCode).toBe(200);
      await putAnswers(m.admin, `/v1/jobs/${bare.id}/answers`, otherJobAnswers);
      expect((await listJobMatches(m.admin, bare.id)).matches.length).toBeGreaterThan(0);
      expect((await auditRowsOf(t.database.db, m.workspace.id)).map((row) => row.subjectId).sort()).toEqual(
        [m.ids.silent, bare.id].sort(),
      );
    });

    it('answers 404, not no_answers, for a subject without answers out of the caller’s reach; a paused one stays candidate_paused', async () => {
      const m = await createMarket(app);
      const other = await createMarket(app);
      const bare = await createJob(app, m.adminKey, m.employer.id);
      const candidatePath = `/v1/candidates/${m.ids.silent}/matches`;
      const jobPath = `/v1/jobs/${bare.id}/matches`;
      for (const [path, api] of [
        [candidatePath, other.admin],
        [candidatePath, await keyFor(m, { role: 'candidate', candidateId: m.ids.good })],
        [candidatePath, await keyFor(m, { role: 'employer', employerId: m.employer.id })],
        [jobPath, other.admin],
        [jobPath, await keyFor(m, { role: 'employer', employerId: m.otherEmployer.id })],
        [jobPath, await keyFor(m, { role: 'candidate', candidateId: m.ids.silent })],
      ] as const) {
        expectProblem(await api.get(path), 404, 'not_found');
      }
      // To those whose it is to list, the same subjects are 409 no_answers.
      expectProblem(await m.admin.get(candidatePath), 409, 'no_answers');
      expectProblem(
        await (await keyFor(m, { role: 'employer', employerId: m.employer.id })).get(jobPath),
        409,
        'no_answers',
      );
      const paused = await m.admin.patch(`/v1/candidates/${m.ids.silent}`, { paused: true });
      expect(paused.statusCode, paused.body).toBe(200);
      expectProblem(await m.admin.get(candidatePath), 409, 'candidate_paused');
      expect(await auditRowsOf(t.database.db, m.workspace.id)).toEqual([]);
      expect(await auditRowsOf(t.database.db, other.workspace.id)).toEqual([]);
    });

    it('asks the database, not the index, whether a subject the index did not rank has answers', async () => {
      const m = await createMarket(app);
      // As on a replica that has not caught up yet: the answers are stored, the index lacks them.
      // Neither is in the index; only the one without answers is refused.
      app.matchIndex.remove(m.workspace.id, 'candidate', m.ids.good);
      expectProblem(await m.admin.get(`/v1/candidates/${m.ids.silent}/matches`), 409, 'no_answers');
      expect(await listCandidateMatches(m.admin, m.ids.good)).toEqual({ matches: [], nextCursor: null });
      expect((await auditRowsOf(t.database.db, m.workspace.id)).map((row) => row.subjectId)).toEqual([
        m.ids.good,
      ]);
    });

    it('drops a closed job at once and restores it when reopened; deleting a job or employer drops it too', async () => {
      const m = await createMarket(app);
      const jobsOfGood = () => matchedJobIds(m.admin, m.ids.good);
      expect(await jobsOfGood()).toEqual([m.otherJob.id, m.job.id]);
      expect((await m.admin.patch(`/v1/jobs/${m.job.id}`, { status: 'closed' })).statusCode).toBe(200);
      expect(await jobsOfGood()).toEqual([m.otherJob.id]);
      expect(await listJobMatches(m.admin, m.job.id)).toEqual({ matches: [], nextCursor: null });
      expect((await m.admin.patch(`/v1/jobs/${m.job.id}`, { status: 'open' })).statusCode).toBe(200);
      expect(await jobsOfGood()).toEqual([m.otherJob.id, m.job.id]);
      expect((await m.admin.delete(`/v1/jobs/${m.otherJob.id}`)).statusCode).toBe(204);
      expect(await jobsOfGood()).toEqual([m.job.id]);
      expect((await m.admin.delete(`/v1/employers/${m.employer.id}`)).statusCode).toBe(204);
      expect(await jobsOfGood()).toEqual([]);
      expectProblem(await m.admin.get(`/v1/jobs/${m.job.id}/matches`), 404, 'not_found');
    });

    it('follows answer changes, minScore changes and erasure at once (read-your-writes)', async () => {
      const m = await createMarket(app);
      const good = `/v1/candidates/${m.ids.good}`;
      await putAnswers(m.admin, `${good}/answers`, marketCandidates.tooExpensive.answers);
      expect(await matchedCandidateIds(m.admin, m.job.id)).toEqual([m.ids.better]);
      expect(await matchedJobIds(m.admin, m.ids.good)).toEqual([]);
      await putAnswers(m.admin, `${good}/answers`, goodCandidate);
      expect(await matchedCandidateIds(m.admin, m.job.id)).toEqual([m.ids.better, m.ids.good]);
      // S(job→better) = 313.5/321 ≈ 0.97664 and S(job→good) ≈ 0.97508 straddle 0.976.
      expect((await m.admin.patch(`/v1/jobs/${m.job.id}`, { minScore: 0.976 })).statusCode).toBe(200);
      expect(await matchedCandidateIds(m.admin, m.job.id)).toEqual([m.ids.better]);
      expect((await m.admin.patch(`/v1/candidates/${m.ids.better}`, { minScore: 0.999 })).statusCode).toBe(
        200,
      );
      expect(await matchedCandidateIds(m.admin, m.job.id)).toEqual([]);
      expect((await m.admin.patch(`/v1/jobs/${m.job.id}`, { minScore: 0.9 })).statusCode).toBe(200);
      expect(await matchedCandidateIds(m.admin, m.job.id)).toEqual([m.ids.good]);
      expect((await m.admin.delete(good)).statusCode).toBe(204);
      expect(await matchedCandidateIds(m.admin, m.job.id)).toEqual([]);
      expect(await matchedCandidateIds(m.admin, m.otherJob.id)).not.toContain(m.ids.good);
    });
  });

  describe('pagination', () => {
    it('walks every acceptable candidate exactly once, in ranking order, 4 at a time', async () => {
      const { adminKey, admin } = await createWorkspace(app);
      const employer = await createEmployer(app, adminKey);
      const job = await createJob(app, adminKey, employer.id, { minScore: 0.4 });
      await putAnswers(admin, `/v1/jobs/${job.id}/answers`, lenientJobAnswers);
      const random = seeded(20_240_611);
      const entries = Array.from({ length: 20 }, () => ({
        answers: randomCandidateAnswers(random),
        minScore: random.pick([0.3, 0.5, 0.7]),
      }));
      // Five equal scores span a page boundary whatever their rank: ties go by id.
      entries.push(...[0, 1, 2, 3, 4].map(() => ({ answers: goodCandidate, minScore: 0.5 })));
      const ids = await bulkCandidates(app, adminKey, entries);
      const reference = rankMatches(
        mini,
        { side: 'employer', answers: lenientJobAnswers, minScore: 0.4 },
        entries.map((entry, i) => ({ id: ids[i]!, ...entry })),
      );
      expect(reference.length).toBeGreaterThan(8);
      expect(reference.filter((r) => ids.slice(20).includes(r.id))).toHaveLength(5);
      expect(reference.length).toBeLessThan(entries.length);
      const { rows: walked, pages } = await walkJobMatches(admin, job.id, 4);
      expect(walked.map((r) => r.candidateId)).toEqual(reference.map((r) => r.id));
      expectSameScoreLists(walked, reference);
      expect(pages).toBe(Math.ceil(reference.length / 4));
    });

    it('refuses a cursor it did not issue with 400 invalid_cursor', async () => {
      const m = await createMarket(app);
      const forged = Buffer.from(JSON.stringify({ s: 'high', id: 'nope' })).toString('base64url');
      const paths = [`/v1/jobs/${m.job.id}/matches`, `/v1/candidates/${m.ids.good}/matches`];
      for (const cursor of ['garbage', forged, '%%%']) {
        for (const path of paths) {
          expectProblem(
            await m.admin.get(`${path}?cursor=${encodeURIComponent(cursor)}`),
            400,
            'invalid_cursor',
          );
        }
      }
    });
    it("refuses a cursor of another subject's listing with 400 invalid_cursor, rather than skipping rows", async () => {
      const m = await createMarket(app);
      const first = await m.admin.get(`/v1/jobs/${m.job.id}/matches?limit=1`);
      const { nextCursor } = first.json();
      expect(nextCursor).toEqual(expect.any(String));
      const elsewhere = await m.admin.get(`/v1/jobs/${m.otherJob.id}/matches?limit=1&cursor=${nextCursor}`);
      expect(expectProblem(elsewhere, 400, 'invalid_cursor').detail).toContain('another listing');
      const next = await m.admin.get(`/v1/jobs/${m.job.id}/matches?limit=1&cursor=${nextCursor}`);
      expect(next.statusCode, next.body).toBe(200);
    });
  });

  describe('access', () => {
    it("lets an employer key list its own job's matches and answers 404 for another employer's job", async () => {
      const m = await createMarket(app);
      const employer = await keyFor(m, { role: 'employer', employerId: m.employer.id });
      expect((await listJobMatches(employer, m.job.id)).matches).toHaveLength(2);
      expectProblem(await employer.get(`/v1/jobs/${m.otherJob.id}/matches`), 404, 'not_found');
      expectProblem(await employer.get(`/v1/candidates/${m.ids.good}/matches`), 404, 'not_found');
    });

    it("refuses another employer's job before ranking it", async () => {
      const m = await createMarket(app);
      const employer = await keyFor(m, { role: 'employer', employerId: m.employer.id });
      const rank = vi.spyOn(app.matchIndex, 'matchesOf');
      try {
        expectProblem(await employer.get(`/v1/jobs/${m.otherJob.id}/matches`), 404, 'not_found');
        expect(rank).not.toHaveBeenCalled();
        await listJobMatches(employer, m.job.id);
        expect(rank).toHaveBeenCalledTimes(1);
      } finally {
        rank.mockRestore();
      }
    });

    it('lets a candidate key list its own matches only, never a job listing', async () => {
      const m = await createMarket(app);
      const candidate = await keyFor(m, { role: 'candidate', candidateId: m.ids.good });
      expect((await listCandidateMatches(candidate, m.ids.good)).matches).toHaveLength(2);
      expectProblem(await candidate.get(`/v1/candidates/${m.ids.better}/matches`), 404, 'not_found');
      expectProblem(await candidate.get(`/v1/jobs/${m.job.id}/matches`), 404, 'not_found');
    });

    it('answers 404 to the admin of another workspace', async () => {
      const m = await createMarket(app);
      const { admin: stranger } = await createWorkspace(app);
      expectProblem(await stranger.get(`/v1/jobs/${m.job.id}/matches`), 404, 'not_found');
      expectProblem(await stranger.get(`/v1/candidates/${m.ids.good}/matches`), 404, 'not_found');
      expectProblem(await stranger.get(`/v1/jobs/${m.job.id}/matches/${m.ids.good}`), 404, 'not_found');
    });
  });

  describe('explanations', () => {
    const explain = async (api: Caller, m: Market, candidateId: string, jobId = m.job.id) => {
      const response = await api.get(`/v1/jobs/${jobId}/matches/${candidateId}`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json().explanation;
    };

    it('says a closed job is why a pair with acceptable scores is not acceptable (jobOpen)', async () => {
      const m = await createMarket(app);
      const open = await explain(m.admin, m, m.ids.good);
      expect(open).toMatchObject({ acceptable: true, jobOpen: true });
      expect((await m.admin.patch(`/v1/jobs/${m.job.id}`, { status: 'closed' })).statusCode).toBe(200);
      const closed = await explain(m.admin, m, m.ids.good);
      expect(closed).toMatchObject({ acceptable: false, jobOpen: false, dealbreakers: [], soleBarriers: [] });
      expectSameScores(closed, open);
    });

    it('explains an acceptable pair criterion by criterion, with its gaps largest first', async () => {
      const m = await createMarket(app);
      const e = await explain(m.admin, m, m.ids.good);
      expect(e).toMatchObject({ jobId: m.job.id, candidateId: m.ids.good, questionnaireId: 'mini' });
      expect(e).toMatchObject({ questionnaireVersion: 1, acceptable: true, dealbreakers: [] });
      const listed = (await listJobMatches(m.admin, m.job.id)).matches.find(
        (r) => r.candidateId === m.ids.good,
      )!;
      expectSameScores(e, listed);
      const criteria = ['contract', 'languages', 'remote', 'salary', 'values'];
      expect(e.criteria.map((c: { criterionId: string }) => c.criterionId)).toEqual(criteria);
      const candidateSat = { contract: 1, languages: 1, remote: 1, salary: 1, values: 0.75 };
      const employerSat = { contract: 1, languages: 0.5, remote: 0.5, salary: 1, values: 0.75 };
      for (const [i, id] of criteria.entries()) {
        const row = e.criteria[i];
        for (const [side, answers, sat] of [
          ['candidate', goodCandidate, candidateSat],
          ['employer', jobAnswers, employerSat],
        ] as const) {
          const answer = answers[id] as { value: unknown; accept?: unknown; importance: string };
          expect(row[side]).toMatchObject({
            value: answer.value,
            accept: answer.accept ?? null,
            importance: answer.importance,
          });
          expect(row[side].satisfaction).toBeCloseTo(sat[id as keyof typeof sat], 9);
        }
      }
      const gaps = e.gaps as { criterionId: string; side: string; weightLost: number }[];
      expect(gaps.map((g) => g.weightLost)).toEqual([...gaps.map((g) => g.weightLost)].sort((a, b) => b - a));
      expect(gaps).toEqual(
        expect.arrayContaining([
          { criterionId: 'languages', side: 'employer', weightLost: 5 },
          { criterionId: 'values', side: 'candidate', weightLost: 2.5 },
          { criterionId: 'values', side: 'employer', weightLost: 2.5 },
          { criterionId: 'remote', side: 'employer', weightLost: 0.5 },
        ]),
      );
      expect(gaps).toHaveLength(4);
    });

    it('says why a pair is not acceptable: whose dealbreaker on which criterion, or a minScore', async () => {
      const m = await createMarket(app);
      const salary = (side: string) => ({
        acceptable: false,
        dealbreakers: [{ criterionId: 'salary', side }],
      });
      const expensive = await explain(m.admin, m, m.ids.tooExpensive);
      expect(expensive).toMatchObject(salary('employer'));
      const wantsMore = await explain(m.admin, m, m.ids.wantsMore);
      expect(wantsMore).toMatchObject(salary('candidate'));
      expect(wantsMore.gaps[0]).toMatchObject({ criterionId: 'salary', side: 'candidate' });
      expect(await explain(m.admin, m, m.ids.picky)).toMatchObject({ acceptable: false, dealbreakers: [] });
      const spec = marketCandidates.tooExpensive;
      expectSameScores(expensive, scorePair(mini, jobProfile, { answers: spec.answers, minScore: 0.5 }));
    });

    it('shows a pair to the admin, that employer and that candidate; 404 to another employer or candidate', async () => {
      const m = await createMarket(app);
      const path = `/v1/jobs/${m.job.id}/matches/${m.ids.good}`;
      for (const api of [
        m.admin,
        await keyFor(m, { role: 'employer', employerId: m.employer.id }),
        await keyFor(m, { role: 'candidate', candidateId: m.ids.good }),
      ]) {
        expect((await api.get(path)).statusCode).toBe(200);
      }
      for (const api of [
        await keyFor(m, { role: 'employer', employerId: m.otherEmployer.id }),
        await keyFor(m, { role: 'candidate', candidateId: m.ids.better }),
      ]) {
        expectProblem(await api.get(path), 404, 'not_found');
      }
    });

    it("answers 404 to another workspace's admin, and to a pair with another workspace's job or candidate", async () => {
      const m = await createMarket(app);
      const n = await createMarket(app);
      expect((await m.admin.get(`/v1/jobs/${m.job.id}/matches/${m.ids.good}`)).statusCode).toBe(200);
      for (const [api, jobId, candidateId] of [
        [n.admin, m.job.id, m.ids.good],
        [m.admin, m.job.id, n.ids.good],
        [m.admin, n.job.id, m.ids.good],
      ] as const) {
        expectProblem(await api.get(`/v1/jobs/${jobId}/matches/${candidateId}`), 404, 'not_found');
      }
    });

    it('answers 409 no_answers, naming the side, when one side has no answers', async () => {
      const m = await createMarket(app);
      const silent = expectProblem(
        await m.admin.get(`/v1/jobs/${m.job.id}/matches/${m.ids.silent}`),
        409,
        'no_answers',
      );
      expect(silent.detail).toBe(
        `Candidate ${m.ids.silent} has not answered a questionnaire yet; PUT /v1/candidates/${m.ids.silent}/answers first.`,
      );
      const bare = await createJob(app, m.adminKey, m.employer.id);
      const job = expectProblem(
        await m.admin.get(`/v1/jobs/${bare.id}/matches/${m.ids.good}`),
        409,
        'no_answers',
      );
      expect(job.detail).toMatch(new RegExp(`^Job ${bare.id} has not answered`));
    });
  });

  describe('ad-hoc matching', () => {
    const adHoc = (api: Caller, body: Record<string, unknown>) =>
      api.post('/v1/match', { questionnaireId: 'mini', ...body });

    it('scores unstored answers of either side like stored ones, and stores nothing', async () => {
      const m = await createMarket(app);
      const before = await profileCounts(t.database.db, m.workspace.id);
      const asCandidate = await adHoc(m.admin, { side: 'candidate', answers: goodCandidate });
      expect(asCandidate.statusCode, asCandidate.body).toBe(200);
      const stored = (await listCandidateMatches(m.admin, m.ids.good)).matches;
      const rows = asCandidate.json().matches as (ScoredRow & { jobId: string; employerId: string })[];
      expect(rows.map((r) => Object.keys(r).sort())).toEqual(stored.map((r) => Object.keys(r).sort()));
      expect(rows.map((r) => [r.jobId, r.employerId])).toEqual(stored.map((r) => [r.jobId, r.employerId]));
      expectSameScoreLists(rows, stored);
      const asJob = await adHoc(m.admin, { side: 'job', answers: jobAnswers, minScore: 0.9 });
      expect(asJob.statusCode, asJob.body).toBe(200);
      const listed = (await listJobMatches(m.admin, m.job.id)).matches;
      const jobRows = asJob.json().matches as (ScoredRow & { candidateId: string })[];
      expect(jobRows.map((r) => Object.keys(r).sort())).toEqual(listed.map((r) => Object.keys(r).sort()));
      expect(jobRows.map((r) => r.candidateId)).toEqual(listed.map((r) => r.candidateId));
      expectSameScoreLists(jobRows, listed);
      expect(await profileCounts(t.database.db, m.workspace.id)).toEqual(before);
    });

    it('refuses invalid answers with 422 invalid_answers, and answers 404 to non-admin keys', async () => {
      const m = await createMarket(app);
      const bad = { remote: { value: 9, accept: { min: 0, max: 1 }, importance: 'very' } };
      expectProblem(await adHoc(m.admin, { side: 'candidate', answers: bad }), 422, 'invalid_answers');
      for (const api of [
        await keyFor(m, { role: 'employer', employerId: m.employer.id }),
        await keyFor(m, { role: 'candidate', candidateId: m.ids.good }),
      ]) {
        expectProblem(await adHoc(api, { side: 'candidate', answers: goodCandidate }), 404, 'not_found');
      }
    });
  });

  it('reports min(S1, S2) as the score once the workspace scoreMethod is min', async () => {
    const m = await createMarket(app);
    const patched = await m.admin.patch('/v1/workspace', { scoreMethod: 'min' });
    expect(patched.statusCode, patched.body).toBe(200);
    const { matches } = await listJobMatches(m.admin, m.job.id);
    const method: ScoreMethod = 'min';
    const reference = rankMatches(mini, { side: 'employer', ...jobProfile }, m.scored, method);
    expect(matches.map((r) => r.candidateId)).toEqual(reference.map((r) => r.id));
    for (const [i, row] of matches.entries()) {
      expectSameScores(row, reference[i]!);
      expect(row.score).toBe(Math.min(row.employerSatisfaction, row.candidateSatisfaction));
    }
    expect(matches.find((r) => r.candidateId === m.ids.good)!.score).toBeCloseTo(handS1, 6);
  });

  describe('audit', () => {
    it('records who listed, explained or matched ad hoc, the questionnaire version and the ids returned', async () => {
      const m = await createMarket(app);
      const employer = await keyFor(m, { role: 'employer', employerId: m.employer.id });
      const candidate = await keyFor(m, { role: 'candidate', candidateId: m.ids.good });
      await listJobMatches(employer, m.job.id);
      await listCandidateMatches(candidate, m.ids.good);
      expect((await candidate.get(`/v1/jobs/${m.job.id}/matches/${m.ids.good}`)).statusCode).toBe(200);
      const adHoc = await m.admin.post('/v1/match', {
        side: 'job',
        questionnaireId: 'mini',
        answers: jobAnswers,
      });
      expect(adHoc.statusCode).toBe(200);
      const adHocIds = (adHoc.json().matches as { candidateId: string }[]).map((r) => r.candidateId);
      const rows = await auditRowsOf(t.database.db, m.workspace.id);
      const event = (actorRole: string, action: string, subjectId: string | null, resultIds: string[]) =>
        expect.objectContaining({
          actorRole,
          action,
          subjectId,
          resultIds,
          questionnaireId: 'mini',
          questionnaireVersion: 1,
        });
      expect(rows).toEqual(
        expect.arrayContaining([
          event('employer', 'matches.job', m.job.id, [m.ids.better, m.ids.good]),
          event('candidate', 'matches.candidate', m.ids.good, [m.otherJob.id, m.job.id]),
          event('candidate', 'matches.explain', m.job.id, [m.ids.good]),
          event('admin', 'matches.adhoc', null, adHocIds),
        ]),
      );
      expect(rows).toHaveLength(4);
    });

    it("takes an erased candidate's id out of every audit row", async () => {
      const m = await createMarket(app);
      await listJobMatches(m.admin, m.job.id);
      await listCandidateMatches(m.admin, m.ids.good);
      expect((await m.admin.get(`/v1/jobs/${m.job.id}/matches/${m.ids.good}`)).statusCode).toBe(200);
      const mentions = async () =>
        (await auditRowsOf(t.database.db, m.workspace.id)).filter(
          (row) => row.resultIds.includes(m.ids.good) || row.subjectId === m.ids.good,
        ).length;
      expect(await mentions()).toBe(3);
      expect((await m.admin.delete(`/v1/candidates/${m.ids.good}`)).statusCode).toBe(204);
      expect(await mentions()).toBe(0);
      const rows = await auditRowsOf(t.database.db, m.workspace.id);
      expect(rows).toHaveLength(3);
      expect(rows.find((row) => row.action === 'matches.job')?.resultIds).toEqual([m.ids.better]);
    });
  });
});
