/**
 * The reference side of the bench: the readable scorer over answers read back from PostgreSQL.
 * - spot check: the HTTP top-50 must equal the reference top-50 (same ids, same order, scores
 *   within 1e-6); candidates are streamed page by page so memory stays bounded.
 * - naive baseline: what a user would write without the index (load every candidate's answers,
 *   score each with the reference scorer, sort, take 50).
 */
import type pg from 'pg';
import type { AnswerSet } from '../src/answers/types.ts';
import { rankMatches } from '../src/matching/score.ts';
import type { RankEntry, RankedMatch, ScoredQuestionnaire } from '../src/matching/types.ts';
import type { ApiClient } from './http.ts';
import { matchesPath } from './load.ts';

const TOP = 50;
const PAGE = 5_000;
const TOLERANCE = 1e-6;

interface JobRow {
  id: string;
  minScore: number;
  answers: AnswerSet;
}

interface HttpMatch {
  candidateId: string;
  score: number;
  employerSatisfaction: number;
  candidateSatisfaction: number;
}

export interface SpotCheck {
  jobs: number;
  identical: boolean;
  details: { jobId: string; returned: number; identical: boolean; firstDifference?: string }[];
  seconds: number;
}

export async function readJob(pool: pg.Pool, jobId: string): Promise<JobRow> {
  const { rows } = await pool.query<{ min_score: number; answers: AnswerSet }>(
    'select j.min_score, a.answers from jobs j join answer_sets a on a.job_id = j.id where j.id = $1',
    [jobId],
  );
  const row = rows[0];
  if (!row) throw new Error(`job ${jobId} has no answers in PostgreSQL`);
  return { id: jobId, minScore: row.min_score, answers: row.answers };
}

/** Compares the HTTP top-50 of each job with the reference ranking over all candidates. */
export async function spotCheck(
  api: ApiClient,
  pool: pg.Pool,
  questionnaire: ScoredQuestionnaire,
  workspaceId: string,
  jobIds: readonly string[],
  expectedCandidates: number,
): Promise<SpotCheck> {
  const started = performance.now();
  const jobs = await Promise.all(jobIds.map((id) => readJob(pool, id)));
  const best = new Map<string, RankedMatch[]>(jobIds.map((id) => [id, []]));
  let after = '00000000-0000-0000-0000-000000000000';
  const maxPages = Math.ceil(expectedCandidates / PAGE) + 2;
  for (let page = 0; page < maxPages; page++) {
    const { rows } = await pool.query<{ id: string; min_score: number; answers: AnswerSet }>(
      `select c.id, c.min_score, a.answers from candidates c join answer_sets a on a.candidate_id = c.id
       where c.workspace_id = $1 and c.id > $2 order by c.id limit ${PAGE}`,
      [workspaceId, after],
    );
    if (rows.length === 0) break;
    const others: RankEntry[] = rows.map((row) => ({
      id: row.id,
      minScore: row.min_score,
      answers: row.answers,
    }));
    for (const job of jobs) {
      const ranked = rankMatches(
        questionnaire,
        { side: 'employer', minScore: job.minScore, answers: job.answers },
        others,
      );
      // The union of each page's top 50 holds the overall top 50; rankMatches orders the union.
      best.set(job.id, topOf([...best.get(job.id)!, ...ranked.slice(0, TOP)]));
    }
    after = rows.at(-1)!.id;
    if (rows.length < PAGE) break;
  }

  const details: SpotCheck['details'] = [];
  for (const job of jobs) {
    const answer = await api.get(matchesPath(job.id));
    if (answer.status !== 200) throw new Error(`GET ${matchesPath(job.id)}: HTTP ${answer.status}`);
    const served = (JSON.parse(answer.body) as { matches: HttpMatch[] }).matches;
    const firstDifference = compare(served, best.get(job.id)!);
    details.push({
      jobId: job.id,
      returned: served.length,
      identical: firstDifference === undefined,
      ...(firstDifference !== undefined && { firstDifference }),
    });
  }
  return {
    jobs: jobs.length,
    identical: details.every((d) => d.identical),
    details,
    seconds: (performance.now() - started) / 1000,
  };
}

function topOf(matches: RankedMatch[]): RankedMatch[] {
  return matches
    .sort((a, b) => (a.score !== b.score ? b.score - a.score : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, TOP);
}

function compare(served: HttpMatch[], reference: RankedMatch[]): string | undefined {
  if (served.length !== reference.length) {
    return `HTTP returned ${served.length} matches, the reference ${reference.length}`;
  }
  for (let i = 0; i < served.length; i++) {
    const s = served[i]!;
    const r = reference[i]!;
    if (s.candidateId !== r.id) return `rank ${i + 1}: HTTP ${s.candidateId}, reference ${r.id}`;
    const fields = [
      ['score', s.score, r.score],
      ['employerSatisfaction', s.employerSatisfaction, r.employerSatisfaction],
      ['candidateSatisfaction', s.candidateSatisfaction, r.candidateSatisfaction],
    ] as const;
    for (const [name, a, b] of fields) {
      if (Math.abs(a - b) > TOLERANCE) return `rank ${i + 1} (${r.id}): ${name} HTTP ${a}, reference ${b}`;
    }
  }
  return undefined;
}

export interface Baseline {
  jobs: number;
  msEach: number[];
  medianMs: number;
}

/** The naive way, timed end to end per job: one query for everything, score all, sort, top 50. */
export async function naiveBaseline(
  pool: pg.Pool,
  questionnaire: ScoredQuestionnaire,
  workspaceId: string,
  jobIds: readonly string[],
): Promise<Baseline> {
  const msEach: number[] = [];
  for (const jobId of jobIds) {
    const started = performance.now();
    const job = await readJob(pool, jobId);
    const { rows } = await pool.query<{ id: string; min_score: number; answers: AnswerSet }>(
      `select c.id, c.min_score, a.answers from candidates c join answer_sets a on a.candidate_id = c.id
       where c.workspace_id = $1`,
      [workspaceId],
    );
    const others = rows.map((row) => ({ id: row.id, minScore: row.min_score, answers: row.answers }));
    const top = rankMatches(
      questionnaire,
      { side: 'employer', minScore: job.minScore, answers: job.answers },
      others,
    ).slice(0, TOP);
    msEach.push(performance.now() - started);
    if (top.length === 0 && others.length === 0) throw new Error('the naive baseline found no candidates');
  }
  const sorted = [...msEach].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const medianMs = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { jobs: jobIds.length, msEach: msEach.map((ms) => Math.round(ms)), medianMs: Math.round(medianMs) };
}
