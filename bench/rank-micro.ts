/**
 * `node bench/rank-micro.ts [sizes] [jobs]` — an in-process micro benchmark of the match listing
 * (`GET /v1/jobs/{id}/matches?limit=50` without HTTP or PostgreSQL): builds the seeded bench market
 * straight into the index's stores (a Market of MatchIndex), times `rankAgainst` for the top-50 of `jobs` jobs (default 40, three passes) and prints
 * median and p95 ms (MATCH_WORKERS=n: split over n worker threads). It checks a few jobs' top-50 against an exhaustive exact ranking (every row
 * scored both ways with the pair scorer (engine/pair-score.ts), which equals the reference scorer to the bit) and, up to
 * 100,000 candidates, against the reference `rankMatches` itself.
 */
import { fileURLToPath } from 'node:url';
import type { ProfileStore } from '../src/matching/engine/columnar-store.ts';
import { compileLayout } from '../src/matching/engine/layout.ts';
import { BROKEN, satisfactionOf } from '../src/matching/engine/pair-score.ts';
import { listingOf, rankAgainst } from '../src/matching/engine/search.ts';
import { RankPool } from '../src/matching/engine/slice-pool.ts';
import { Market as IndexMarket } from '../src/matching/index.ts';
import { EPSILON, mutualScore, rankMatches, round6 } from '../src/matching/score.ts';
import type { ScoreMethod } from '../src/matching/types.ts';
import type { QuestionnaireDefinition } from '../src/questionnaires/definition.ts';
import { loadQuestionnaires } from '../src/questionnaires/loader.ts';
import { createMarket, type Market, QUESTIONNAIRE_ID, seededId } from './generator.ts';

const TOP = 50;
const PASSES = 3;
const CHECKED_JOBS = 3;
const REFERENCE_MAX = 100_000;
const METHOD: ScoreMethod = 'harmonic';
const seed = Number(process.env.BENCH_SEED ?? 20_240_601);
const sizes = (process.argv[2] ?? '100000,1000000').split(',').map((s) => Number(s.replace(/_/g, '')));
const timedJobs = Number(process.argv[3] ?? 40);

const idOf = (kind: number, index: number) => seededId(seed, kind, index);
const jobId = (index: number) => idOf(2, index);
const candidateId = (index: number) => idOf(3, index);

function buildIndex(questionnaire: QuestionnaireDefinition, market: Market): IndexMarket {
  const index = new IndexMarket(compileLayout(questionnaire));
  for (let i = 0; i < market.jobs; i++) {
    const { minScore, employerExternalId, answers } = market.job(i);
    index.jobs.upsert({ id: jobId(i), minScore, employerId: employerExternalId, answers });
  }
  for (let i = 0; i < market.candidates; i++) {
    const { minScore, answers } = market.candidate(i);
    index.candidates.upsert({ id: candidateId(i), minScore, answers });
  }
  index.jobs.trim();
  index.candidates.trim();
  return index;
}

interface Listed {
  id: string;
  score: number;
  subjectSatisfaction: number;
  otherSatisfaction: number;
}

/** MATCH_WORKERS=n: listings split over n worker threads and this one, as the service does. */
const workers = Number(process.env.MATCH_WORKERS ?? 0);
const pool = workers > 0 ? new RankPool(workers) : undefined;
// Threads take ranges only once started; the measured listings should all be split.
await pool?.ready();

function listing(index: IndexMarket, job: number): Listed[] {
  const others = index.candidates;
  const j = index.jobs.slotOf(jobId(job));
  const request = { limit: TOP, method: METHOD };
  const { rows } = pool
    ? listingOf(index.jobs, j, others, request, pool.rank(index.jobs, j, others, request))
    : rankAgainst(index.jobs, j, others, request);
  return rows.map((row) => ({ id: others.idAt(row.slot), ...row }));
}

/** Every candidate scored both ways with the pair scorer, sorted, top 50: what the listing must be. */
function exhaustive(jobs: ProfileStore, j: number, candidates: ProfileStore): Listed[] {
  const rows: Listed[] = [];
  for (let o = 0; o < candidates.end; o++) {
    if (candidates.active[o] === 0) continue;
    const s1 = satisfactionOf(jobs, j, candidates, o);
    if (s1 === BROKEN || s1 < jobs.minScoreOf(j) - EPSILON) continue;
    const s2 = satisfactionOf(candidates, o, jobs, j);
    if (s2 === BROKEN || s2 < candidates.minScoreOf(o) - EPSILON) continue;
    const score = round6(mutualScore(s1, s2, METHOD));
    rows.push({
      id: candidates.idAt(o),
      score,
      subjectSatisfaction: round6(s1),
      otherSatisfaction: round6(s2),
    });
  }
  return rows.sort(byScoreThenId).slice(0, TOP);
}

/** The reference scorer over every candidate's answers, regenerated in pages (as bench/reference.ts). */
function referenceTop(questionnaire: QuestionnaireDefinition, market: Market, job: number): Listed[] {
  const line = market.job(job);
  const page = 5_000;
  let best: Listed[] = [];
  for (let from = 0; from < market.candidates; from += page) {
    const others = [];
    for (let i = from; i < Math.min(market.candidates, from + page); i++) {
      const candidate = market.candidate(i);
      others.push({ id: candidateId(i), minScore: candidate.minScore, answers: candidate.answers });
    }
    const ranked = rankMatches(
      questionnaire,
      { side: 'employer', minScore: line.minScore, answers: line.answers },
      others,
      METHOD,
    ).map((m) => ({
      id: m.id,
      score: m.score,
      subjectSatisfaction: m.employerSatisfaction,
      otherSatisfaction: m.candidateSatisfaction,
    }));
    best = [...best, ...ranked.slice(0, TOP)].sort(byScoreThenId).slice(0, TOP);
  }
  return best;
}

function byScoreThenId(a: Listed, b: Listed): number {
  return a.score !== b.score ? b.score - a.score : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function sameListing(actual: Listed[], expected: Listed[]): boolean {
  return (
    actual.length === expected.length &&
    actual.every(
      (row, i) =>
        row.id === expected[i]!.id &&
        row.score === expected[i]!.score &&
        row.subjectSatisfaction === expected[i]!.subjectSatisfaction &&
        row.otherSatisfaction === expected[i]!.otherSatisfaction,
    )
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

function runSize(n: number, questionnaire: QuestionnaireDefinition): void {
  const market = createMarket({ seed, candidates: n, jobs: Math.max(1, Math.round(n / 100)) });
  const started = performance.now();
  const index = buildIndex(questionnaire, market);
  const say = (text: string) => process.stdout.write(`[N=${n.toLocaleString('en-US')}] ${text}\n`);
  say(`index built in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const step = Math.max(1, Math.floor(market.jobs / timedJobs));
  const picked = Array.from({ length: Math.min(timedJobs, market.jobs) }, (_, k) => k * step);
  for (const job of picked.slice(0, 10)) listing(index, job); // warm-up
  const ms: number[] = [];
  for (let pass = 0; pass < PASSES; pass++) {
    for (const job of picked) {
      const t0 = performance.now();
      listing(index, job);
      ms.push(performance.now() - t0);
    }
  }
  ms.sort((a, b) => a - b);
  say(
    `top-${TOP} of ${picked.length} jobs × ${PASSES}: median ${percentile(ms, 0.5).toFixed(1)} ms, p95 ${percentile(ms, 0.95).toFixed(1)} ms`,
  );

  for (const job of picked.slice(0, CHECKED_JOBS)) {
    const served = listing(index, job);
    const j = index.jobs.slotOf(jobId(job));
    const exact = sameListing(served, exhaustive(index.jobs, j, index.candidates));
    const reference =
      n <= REFERENCE_MAX ? sameListing(served, referenceTop(questionnaire, market, job)) : undefined;
    say(
      `job ${job}: ${served.length} rows; exhaustive ${exact ? 'equal' : 'DIFFERENT'}` +
        (reference === undefined ? '' : `; reference ${reference ? 'equal' : 'DIFFERENT'}`),
    );
    if (!exact || reference === false) process.exitCode = 1;
  }
}

const questionnaires = await loadQuestionnaires(fileURLToPath(new URL('../questionnaires', import.meta.url)));
const workFit = questionnaires.get(QUESTIONNAIRE_ID, 1)!;
for (const n of sizes) runSize(n, workFit);
await pool?.close();
