import { count, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { AnswerSet, Importance } from '../../src/answers/types.ts';
import type { Db } from '../../src/db/client.ts';
import { answerSets, auditEvents, candidates, jobs } from '../../src/db/schema.ts';
import { MatchIndex } from '../../src/matching/index.ts';
import { ChangeFollower } from '../../src/matching/sync.ts';
import type { PairScore } from '../../src/matching/types.ts';
import type { QuestionnaireDefinition } from '../../src/questionnaires/definition.ts';
import { loadQuestionnaires } from '../../src/questionnaires/loader.ts';
import { bearer, type TestApp, testQuestionnaires } from './app.ts';
import {
  type Caller,
  caller,
  createCandidate,
  createEmployer,
  createJob,
  createWorkspace,
  mintKey,
  uniqueEmail,
} from './factories.ts';

/** Helpers for the matching tests: hand-checkable `mini` answer sets, markets and reference checks. */

export async function loadMini(): Promise<QuestionnaireDefinition> {
  const mini = (await loadQuestionnaires('test/fixtures/questionnaires')).get('mini', 1);
  if (!mini) throw new Error('the mini fixture questionnaire is missing');
  return mini;
}

/**
 * The job of the hand-checked market. Against `goodCandidate` (see the sums in matching.test.ts):
 * S(job→candidate) = 313/321, S(candidate→job) = 367.5/370.
 */
export const jobAnswers: AnswerSet = {
  contract: { value: 'permanent', accept: ['permanent'], importance: 'very' },
  languages: { value: ['nl', 'en'], accept: { mode: 'all', options: ['nl', 'en'] }, importance: 'somewhat' },
  remote: { value: 1, accept: { min: 0, max: 1 }, importance: 'little' },
  salary: { value: 4000, accept: { max: 4500 }, importance: 'dealbreaker' },
  values: { value: [5, 3, 1], importance: 'somewhat' },
};

export const goodCandidate: AnswerSet = {
  contract: { value: 'permanent', accept: ['permanent', 'fixed-term'], importance: 'very' },
  languages: { value: ['nl'], accept: { mode: 'any', options: ['nl', 'fr'] }, importance: 'somewhat' },
  remote: { value: 2, accept: { min: 1, max: 2 }, importance: 'very' },
  salary: { value: 4200, accept: { min: 3800 }, importance: 'dealbreaker' },
  values: { value: [5, 1, 3], importance: 'somewhat' },
};

/** The candidates of the hand-checked market, by why they are (not) matched with `jobAnswers`. */
export const marketCandidates = {
  good: { answers: goodCandidate, minScore: 0.5 },
  /** Meets the remote expectation too, so it ranks above `good`. */
  better: {
    answers: { ...goodCandidate, remote: { value: 1, accept: { min: 0, max: 2 }, importance: 'very' } },
  },
  /** Asks more than the job's salary dealbreaker allows. */
  tooExpensive: {
    answers: { ...goodCandidate, salary: { value: 5000, accept: { min: 3800 }, importance: 'dealbreaker' } },
  },
  /** The job pays less than this candidate's salary dealbreaker. */
  wantsMore: {
    answers: { ...goodCandidate, salary: { value: 4200, accept: { min: 4600 }, importance: 'dealbreaker' } },
  },
  /** Wants more than the job can give: below its own minScore. */
  picky: { answers: goodCandidate, minScore: 0.999 },
  /** Meets only the salary dealbreaker: below the job's minScore 0.9. */
  weak: {
    answers: {
      ...goodCandidate,
      contract: { value: 'fixed-term', accept: ['fixed-term'], importance: 'little' },
      languages: { value: ['fr'], accept: { mode: 'any', options: ['fr'] }, importance: 'little' },
      values: { value: [1, 3, 5], importance: 'little' },
    },
  },
  /** No answers at all: matches nothing. */
  silent: { answers: undefined },
} satisfies Record<string, { answers: AnswerSet | undefined; minScore?: number }>;
export type MarketName = keyof typeof marketCandidates;

/** A second job (another employer) that suits `good` even better. */
export const otherJobAnswers: AnswerSet = {
  ...jobAnswers,
  remote: { value: 2, accept: { min: 0, max: 2 }, importance: 'little' },
};

/** A lenient job for the random market: most random candidates suit it, some do not. */
export const lenientJobAnswers: AnswerSet = {
  ...jobAnswers,
  languages: { value: ['nl', 'en'], accept: { mode: 'any', options: ['nl', 'en'] }, importance: 'very' },
  salary: { value: 4000, accept: { max: 5000 }, importance: 'very' },
};

export async function putAnswers(api: Caller, path: string, answers: AnswerSet) {
  const response = await api.put(path, { questionnaireId: 'mini', answers });
  expect(response.statusCode, response.body).toBe(200);
}

/** A fresh workspace with job J (minScore 0.9), job J2 of another employer, and `marketCandidates`. */
export async function createMarket(app: FastifyInstance) {
  const { workspace, adminKey, admin } = await createWorkspace(app);
  const employer = await createEmployer(app, adminKey);
  const otherEmployer = await createEmployer(app, adminKey);
  const job = await createJob(app, adminKey, employer.id, { minScore: 0.9 });
  const otherJob = await createJob(app, adminKey, otherEmployer.id);
  await putAnswers(admin, `/v1/jobs/${job.id}/answers`, jobAnswers);
  await putAnswers(admin, `/v1/jobs/${otherJob.id}/answers`, otherJobAnswers);
  const ids = {} as Record<MarketName, string>;
  for (const [name, spec] of Object.entries(marketCandidates) as [
    MarketName,
    { answers?: AnswerSet; minScore?: number },
  ][]) {
    const candidate = await createCandidate(app, adminKey, { minScore: spec.minScore ?? 0.5 });
    if (spec.answers) await putAnswers(admin, `/v1/candidates/${candidate.id}/answers`, spec.answers);
    ids[name] = candidate.id;
  }
  /** Every candidate with answers, as the reference scorer takes them. */
  const scored = (Object.keys(marketCandidates) as MarketName[]).flatMap((name) => {
    const spec: { answers?: AnswerSet; minScore?: number } = marketCandidates[name];
    return spec.answers ? [{ id: ids[name], answers: spec.answers, minScore: spec.minScore ?? 0.5 }] : [];
  });
  return { workspace, adminKey, admin, employer, otherEmployer, job, otherJob, ids, scored };
}
export type Market = Awaited<ReturnType<typeof createMarket>>;

/**
 * A fresh workspace with one answered job and one answered candidate that would match it but for
 * its minScore of 1: the pair is out of reach until a write lowers it.
 */
export async function pairOutOfReach(app: FastifyInstance) {
  const { workspace, admin, adminKey } = await createWorkspace(app);
  const employer = await createEmployer(app, adminKey);
  const job = await createJob(app, adminKey, employer.id);
  const candidate = await createCandidate(app, adminKey);
  await putAnswers(admin, `/v1/jobs/${job.id}/answers`, jobAnswers);
  await putAnswers(admin, `/v1/candidates/${candidate.id}/answers`, goodCandidate);
  expect((await admin.patch(`/v1/candidates/${candidate.id}`, { minScore: 1 })).statusCode).toBe(200);
  return { workspace, admin, adminKey, job, candidate };
}

/** A small seeded generator (mulberry32), so a random market is the same on every run. */
export function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  const subset = <T>(items: readonly T[]): T[] => {
    const chosen = items.filter(() => next() < 0.5);
    return chosen.length > 0 ? chosen : [pick(items)];
  };
  return { next, int, pick, subset };
}

const weights: Importance[] = ['little', 'somewhat', 'very', 'very', 'dealbreaker'];

/** A random, valid `mini` answer set for a candidate. */
export function randomCandidateAnswers(random: ReturnType<typeof seeded>): AnswerSet {
  const low = random.int(0, 2);
  return {
    contract: {
      value: random.pick(['permanent', 'fixed-term']),
      accept: random.subset(['permanent', 'fixed-term']),
      importance: random.pick(weights),
    },
    languages: {
      value: random.subset(['nl', 'fr', 'en']),
      accept: { mode: random.pick(['any', 'all'] as const), options: random.subset(['nl', 'fr', 'en']) },
      importance: random.pick(weights),
    },
    remote: {
      value: random.int(0, 2),
      accept: { min: low, max: random.int(low, 2) },
      importance: 'somewhat',
    },
    salary: {
      value: random.int(25, 60) * 100,
      accept: { min: random.int(30, 45) * 100 },
      importance: random.pick(weights),
    },
    values: { value: [random.int(1, 5), random.int(1, 5), random.int(1, 5)], importance: 'somewhat' },
  };
}

/** Creates candidates with answers in one NDJSON upload; returns their ids in input order. */
export async function bulkCandidates(
  app: FastifyInstance,
  adminKey: string,
  entries: { answers?: AnswerSet; minScore?: number }[],
): Promise<string[]> {
  const lines = entries.map((entry, i) => ({
    externalId: `c-${i}-${uniqueEmail()}`,
    contact: { name: `Person ${i}`, email: uniqueEmail() },
    minScore: entry.minScore ?? 0.5,
    ...(entry.answers ? { questionnaireId: 'mini', answers: entry.answers } : {}),
  }));
  const results = await uploadCandidates(app, adminKey, lines);
  expect(results.map((r) => r.status)).toEqual(entries.map(() => 'created'));
  return results.map((r) => r.id!);
}

/** POST /v1/candidates:bulk with these lines; the per-line results of its 200. */
export async function uploadCandidates(app: FastifyInstance, adminKey: string, lines: object[]) {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/candidates:bulk',
    headers: { ...bearer(adminKey), 'content-type': 'application/x-ndjson' },
    payload: lines.map((line) => JSON.stringify(line)).join('\n'),
  });
  expect(response.statusCode, response.body.slice(0, 2000)).toBe(200);
  return (response.json() as { results: { status: string; id?: string }[] }).results;
}

export interface ScoredRow {
  score: number;
  scoreLower: number;
  employerSatisfaction: number;
  candidateSatisfaction: number;
}

/** The four reported scores equal the reference scorer's to 1e-6. */
export function expectSameScores(actual: ScoredRow, reference: PairScore | ScoredRow) {
  for (const field of ['score', 'scoreLower', 'employerSatisfaction', 'candidateSatisfaction'] as const) {
    expect(
      Math.abs(actual[field] - reference[field]),
      `${field}: ${actual[field]} vs ${reference[field]}`,
    ).toBeLessThanOrEqual(1e-6);
  }
}

/** Row by row, two ranked lists of the same length carry the same scores. */
export function expectSameScoreLists(
  actual: readonly ScoredRow[],
  reference: readonly (PairScore | ScoredRow)[],
) {
  expect(actual).toHaveLength(reference.length);
  for (const [i, row] of actual.entries()) expectSameScores(row, reference[i]!);
}

export async function auditRowsOf(db: Db, workspaceId: string) {
  return db.select().from(auditEvents).where(eq(auditEvents.workspaceId, workspaceId));
}

/** How many candidates, jobs and answer sets a workspace holds. */
export async function profileCounts(db: Db, workspaceId: string) {
  const [c] = await db.select({ n: count() }).from(candidates).where(eq(candidates.workspaceId, workspaceId));
  const [j] = await db.select({ n: count() }).from(jobs).where(eq(jobs.workspaceId, workspaceId));
  const [a] = await db.select({ n: count() }).from(answerSets).where(eq(answerSets.workspaceId, workspaceId));
  return { candidates: c?.n, jobs: j?.n, answerSets: a?.n };
}

/**
 * Polls `check` every `intervalMs` until it holds; returns the milliseconds it took, or throws.
 * `timeoutMs` only bounds a wait for something that never happens: a busy machine may be slow.
 */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`not seen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export type JobMatchRow = ScoredRow & { candidateId: string };
export type CandidateMatchRow = ScoredRow & { jobId: string; employerId: string };

export async function listJobMatches(api: Caller, jobId: string, query = '') {
  const response = await api.get(`/v1/jobs/${jobId}/matches${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { matches: JobMatchRow[]; nextCursor: string | null };
}

export async function listCandidateMatches(api: Caller, candidateId: string) {
  const response = await api.get(`/v1/candidates/${candidateId}/matches`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { matches: CandidateMatchRow[]; nextCursor: string | null };
}

/** Every row of a job's matches, walked `limit` at a time along nextCursor, and the pages it took. */
export async function walkJobMatches(api: Caller, jobId: string, limit: number) {
  const rows: JobMatchRow[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const after: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await listJobMatches(api, jobId, `?limit=${limit}${after}`);
    expect(page.matches.length).toBeLessThanOrEqual(limit);
    rows.push(...page.matches);
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null && pages < 100);
  return { rows, pages };
}

/** A caller with a new key of `body`'s role, minted by the market's admin. */
export async function keyOf(app: FastifyInstance, adminKey: string, body: Parameters<typeof mintKey>[2]) {
  return caller(app, (await mintKey(app, adminKey, body)).key);
}

/** The candidate ids of a job's first page of matches (up to 100). */
export async function matchedCandidateIds(api: Caller, jobId: string): Promise<string[]> {
  const response = await api.get(`/v1/jobs/${jobId}/matches?limit=100`);
  expect(response.statusCode, response.body).toBe(200);
  return (response.json().matches as { candidateId: string }[]).map((m) => m.candidateId);
}

/** The job ids of a candidate's first page of matches (up to 100). */
export async function matchedJobIds(api: Caller, candidateId: string): Promise<string[]> {
  const response = await api.get(`/v1/candidates/${candidateId}/matches?limit=100`);
  expect(response.statusCode, response.body).toBe(200);
  return (response.json().matches as { jobId: string }[]).map((m) => m.jobId);
}

/**
 * A change follower with an index of its own, never started (no timer, no LISTEN): only explicit
 * catch-ups move it. `listed`: the market's job's matches in that index.
 */
export async function detachedFollower(t: TestApp, m: Market) {
  const index = new MatchIndex(await testQuestionnaires());
  const follower = new ChangeFollower(t.database, index, t.app.log);
  const listed = () =>
    index
      .matchesOf(m.workspace.id, 'job', m.job.id, { limit: 10, method: 'harmonic' })
      ?.rows.map((r) => r.id);
  return { follower, listed };
}
