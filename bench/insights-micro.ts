/**
 * `node bench/insights-micro.ts [sizes] [jobs]` — an in-process micro benchmark of insights and
 * what-if (`GET` and `POST /v1/jobs/{id}/insights` without HTTP or PostgreSQL): builds the seeded
 * bench market into a MatchIndex, then times the service's `insightsOf` (the subject packed into a
 * row, the pass on INSIGHTS_WORKERS worker threads, default 2) for `jobs` jobs (default 20, two
 * passes each): the stored answers, and a what-if (the first dealbreaker lowered to `very`, or the
 * first criterion made irrelevant, and minScore 0.4). Prints p50 and p95 ms, the three slowest passes, and the CPU time of
 * the process (every thread, process.cpuUsage) per pass and 100,000 rows, which a busy machine
 * disturbs less than wall time does. Then checks a few
 * jobs' answers against the brute force on the reference scorer (test/support/insights-oracle.ts)
 * up to 100,000 candidates (BENCH_CHECK_MAX): it scores every pair 2 × criteria + 1 times, so it takes minutes.
 */
import { fileURLToPath } from 'node:url';
import { type Insights, type InsightsSubject, insightsOf } from '../src/insights/service.ts';
import { InsightsPool } from '../src/matching/engine/insights-pool.ts';
import { MatchIndex } from '../src/matching/index.ts';
import type { ScoreMethod } from '../src/matching/types.ts';
import type { QuestionnaireDefinition } from '../src/questionnaires/definition.ts';
import { buildCatalog, loadQuestionnaires } from '../src/questionnaires/loader.ts';
import { bruteForceInsights } from '../test/support/insights-oracle.ts';
import { createMarket, type Market, QUESTIONNAIRE_ID } from './generator.ts';
import { benchUuid, jobSubjectOf } from './insights-subjects.ts';

const PASSES = 2;
const METHOD: ScoreMethod = 'harmonic';
const WORKSPACE = '00000000-0000-4000-8000-0000000000be';
const seed = Number(process.env.BENCH_SEED ?? 20_240_601);
const checkMax = Number(process.env.BENCH_CHECK_MAX ?? 100_000);
const sizes = (process.argv[2] ?? '100000,1000000').split(',').map((s) => Number(s.replace(/_/g, '')));
const timedJobs = Number(process.argv[3] ?? 20);
const workers = Number(process.env.INSIGHTS_WORKERS ?? 2);

function buildIndex(index: MatchIndex, q: QuestionnaireDefinition, market: Market): void {
  const version = { questionnaireId: q.id, questionnaireVersion: q.version };
  for (let i = 0; i < market.candidates; i++) {
    const { minScore, answers } = market.candidate(i);
    index.apply(WORKSPACE, 'candidate', { id: benchUuid(3, i), minScore, answers: { ...version, answers } });
  }
  index.trim();
}

function subjectOf(
  q: QuestionnaireDefinition,
  market: Market,
  job: number,
  whatIf: boolean,
): InsightsSubject {
  const { id, minScore, answers } = jobSubjectOf(market, job, whatIf);
  return {
    side: 'job',
    id,
    minScore,
    answers: { questionnaireId: q.id, questionnaireVersion: q.version, answers },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

async function runSize(n: number, q: QuestionnaireDefinition, pool: InsightsPool): Promise<void> {
  const market = createMarket({ seed, candidates: n, jobs: Math.max(1, Math.round(n / 100)) });
  const index = new MatchIndex(buildCatalog([q]));
  const started = performance.now();
  buildIndex(index, q, market);
  const say = (text: string) => process.stdout.write(`[N=${n.toLocaleString('en-US')}] ${text}\n`);
  say(`index built in ${((performance.now() - started) / 1000).toFixed(1)} s; ${workers} insights thread(s)`);
  const step = Math.max(1, Math.floor(market.jobs / timedJobs));
  const picked = Array.from({ length: Math.min(timedJobs, market.jobs) }, (_, k) => k * step);
  const run = (job: number, whatIf: boolean) =>
    insightsOf(index, pool, WORKSPACE, subjectOf(q, market, job, whatIf), METHOD);
  for (const job of picked.slice(0, 3)) await run(job, false); // warm-up
  for (const whatIf of [false, true]) {
    const ms: number[] = [];
    const byJob: [number, number][] = [];
    const cpu = process.cpuUsage();
    for (let pass = 0; pass < PASSES; pass++) {
      for (const job of picked) {
        const t0 = performance.now();
        await run(job, whatIf);
        ms.push(performance.now() - t0);
        byJob.push([performance.now() - t0, job]);
      }
    }
    const { user, system } = process.cpuUsage(cpu);
    const cpuPer100k = (user + system) / 1000 / ms.length / (n / 100_000);
    ms.sort((a, b) => a - b);
    const slowest = byJob
      .sort((a, b) => b[0] - a[0])
      .slice(0, 3)
      .map(([time, job]) => `job ${job} ${time.toFixed(1)} ms`);
    say(
      `${whatIf ? 'what-if ' : 'insights'} of ${picked.length} jobs × ${PASSES}: p50 ${percentile(ms, 0.5).toFixed(1)} ms, p95 ${percentile(ms, 0.95).toFixed(1)} ms; CPU ${cpuPer100k.toFixed(1)} ms per pass and 100k rows; slowest: ${slowest.join(', ')}`,
    );
  }
  if (n > checkMax) {
    say('brute-force check skipped (N > BENCH_CHECK_MAX)');
    return;
  }
  const others = Array.from({ length: market.candidates }, (_, i) => market.candidate(i));
  for (const job of picked.slice(0, n <= 10_000 ? 3 : 1)) {
    for (const whatIf of [false, true]) {
      const subject = subjectOf(q, market, job, whatIf);
      const {
        subjectId: _,
        side: __,
        questionnaireId: ___,
        questionnaireVersion: ____,
        ...counts
      }: Insights = await insightsOf(index, pool, WORKSPACE, subject, METHOD);
      const t0 = performance.now();
      const expected = bruteForceInsights(
        q,
        'job',
        { ...subject, answers: subject.answers.answers },
        others,
        METHOD,
      );
      const equal = JSON.stringify(counts) === JSON.stringify(expected);
      say(
        `job ${job} ${whatIf ? 'what-if' : 'insights'}: ${counts.acceptable} acceptable of ${counts.others}; brute force ${equal ? 'equal' : 'DIFFERENT'} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
      if (!equal) process.exitCode = 1;
    }
  }
}

const questionnaires = await loadQuestionnaires(fileURLToPath(new URL('../questionnaires', import.meta.url)));
const workFit = questionnaires.get(QUESTIONNAIRE_ID, 1)!;
const pool = new InsightsPool(workers);
for (const n of sizes) await runSize(n, workFit, pool);
await pool.close();
