/**
 * `node bench/alerts-floor.ts [candidates] [jobs]` — the least CPU the events of new candidates can
 * cost, whatever the scan that finds them: every `match.created` carries its pair's mutual score, so
 * each event's pair must be scored exactly, both ways, once. Builds the seeded bench market
 * (default 1,000 new candidates against 1,000 alerting jobs, as one bulk batch meets 10 % of a
 * 10,000-job market), finds the pairs a job's alert raises at each threshold of ALERT_THRESHOLD
 * (default `own,0.7,0.85,0.95`; `own` is the job's own minScore), then times scoring exactly those
 * pairs and nothing else (engine/pair-score.ts, row at a time; CPU, median of 7 rounds). Prints,
 * per threshold, the events per new candidate, µs per event and their product: the floor of the
 * alert CPU a new candidate adds.
 *
 * With ALERT_FLOOR_JOB_WRITES=W, also the floor of a job write (as bench/alerts-micro.ts makes
 * one: job i takes the answers of job i + 1, for i < W) when every candidate alerts at the
 * threshold (`own`: the candidate's own minScore): its events are the candidates above with one of
 * the two answer sets and not with the other, each scored exactly once. Run it with the alerting
 * candidates of the market in question, e.g. 100,000 for alerts on 10 % of 1M.
 */
import { fileURLToPath } from 'node:url';
import { compileLayout } from '../src/matching/engine/layout.ts';
import { BROKEN, satisfactionOf } from '../src/matching/engine/pair-score.ts';
import { Market } from '../src/matching/index.ts';
import { EPSILON, mutualScore } from '../src/matching/score.ts';
import type { ScoreMethod } from '../src/matching/types.ts';
import { loadQuestionnaires } from '../src/questionnaires/loader.ts';
import { createMarket, QUESTIONNAIRE_ID, seededId } from './generator.ts';

const METHOD: ScoreMethod = 'harmonic';
const ROUNDS = 7;
const seed = Number(process.env.BENCH_SEED ?? 20_240_601);
const candidateCount = Number(process.argv[2] ?? 1_000);
const jobCount = Number(process.argv[3] ?? 1_000);
const thresholds = (process.env.ALERT_THRESHOLD ?? 'own,0.7,0.85,0.95').split(',');

const questionnaires = await loadQuestionnaires(fileURLToPath(new URL('../questionnaires', import.meta.url)));
const market = createMarket({ seed, candidates: candidateCount, jobs: jobCount });
const index = new Market(compileLayout(questionnaires.get(QUESTIONNAIRE_ID, 1)!));
for (let i = 0; i < jobCount; i++) {
  const { minScore, employerExternalId, answers } = market.job(i);
  index.jobs.upsert({ id: seededId(seed, 2, i), minScore, employerId: employerExternalId, answers });
}
for (let i = 0; i < candidateCount; i++) {
  const { minScore, answers } = market.candidate(i);
  index.candidates.upsert({ id: seededId(seed, 3, i), minScore, answers });
}
const { jobs, candidates } = index;
const jobSlots = Array.from({ length: jobCount }, (_, i) => jobs.slotOf(seededId(seed, 2, i)));
const candidateSlots = Array.from({ length: candidateCount }, (_, i) =>
  candidates.slotOf(seededId(seed, 3, i)),
);

/** The pair's mutual score, or -1 when it is not reciprocally acceptable. */
function scoreOf(j: number, c: number): number {
  const s1 = satisfactionOf(jobs, j, candidates, c);
  if (s1 === BROKEN || s1 < jobs.minScoreOf(j) - EPSILON) return -1;
  const s2 = satisfactionOf(candidates, c, jobs, j);
  if (s2 === BROKEN || s2 < candidates.minScoreOf(c) - EPSILON) return -1;
  return mutualScore(s1, s2, METHOD);
}

/** CPU µs per pair of scoring `pairs` (job slot, candidate slot, …) exactly both ways. */
function microsPerPair(pairs: Int32Array): number {
  let sink = 0;
  const started = process.cpuUsage();
  for (let k = 0; k < pairs.length; k += 2) {
    const j = pairs[k]!;
    const c = pairs[k + 1]!;
    sink += mutualScore(
      satisfactionOf(jobs, j, candidates, c),
      satisfactionOf(candidates, c, jobs, j),
      METHOD,
    );
  }
  const { user, system } = process.cpuUsage(started);
  if (Number.isNaN(sink)) throw new Error('a pair scored NaN');
  return (user + system) / (pairs.length / 2);
}

const median = (values: number[]) => values.toSorted((a, b) => a - b)[values.length >> 1]!;

for (const threshold of thresholds) {
  const found: number[] = [];
  for (const c of candidateSlots)
    for (const j of jobSlots) {
      const score = scoreOf(j, c);
      const floor = threshold === 'own' ? jobs.minScoreOf(j) : Number(threshold);
      if (score >= 0 && score >= floor - EPSILON) found.push(j, c);
    }
  const pairs = Int32Array.from(found);
  const events = pairs.length / 2;
  const perEvent = events === 0 ? 0 : median(Array.from({ length: ROUNDS }, () => microsPerPair(pairs)));
  const perCandidate = events / candidateCount;
  process.stdout.write(
    `${JSON.stringify({
      threshold,
      candidates: candidateCount,
      alertingJobs: jobCount,
      eventsPerCandidate: Number(perCandidate.toFixed(1)),
      microsPerEvent: Number(perEvent.toFixed(3)),
      floorMicrosPerCandidate: Number((perCandidate * perEvent).toFixed(1)),
    })}\n`,
  );
}

const jobWrites = Number(process.env.ALERT_FLOOR_JOB_WRITES ?? 0);
for (const threshold of jobWrites > 0 ? thresholds : []) {
  const floorOf = (c: number) => (threshold === 'own' ? candidates.minScoreOf(c) : Number(threshold));
  const above = (j: number, c: number) => {
    const score = scoreOf(j, c);
    return score >= 0 && score >= floorOf(c) - EPSILON;
  };
  const counts: number[] = [];
  const found: number[] = [];
  for (let i = 0; i < Math.min(jobWrites, jobCount - 1); i++) {
    const [before, after] = [jobSlots[i]!, jobSlots[i + 1]!];
    let events = 0;
    for (const c of candidateSlots) {
      const [was, is] = [above(before, c), above(after, c)];
      if (was === is) continue;
      events++;
      found.push(is ? after : before, c);
    }
    counts.push(events);
  }
  const pairs = Int32Array.from(found);
  const perEvent =
    pairs.length === 0 ? 0 : median(Array.from({ length: ROUNDS }, () => microsPerPair(pairs)));
  const events = median(counts);
  process.stdout.write(
    `${JSON.stringify({
      jobWrite: true,
      threshold,
      alertingCandidates: candidateCount,
      writes: counts.length,
      eventsPerWrite: events,
      microsPerEvent: Number(perEvent.toFixed(3)),
      floorMsPerWrite: Number(((events * perEvent) / 1000).toFixed(2)),
    })}\n`,
  );
}
