/**
 * `node bench/alerts-micro.ts [sizes]` — the CPU an alert evaluation adds to a write
 * (src/alerts/evaluate.ts, `pairsAbove` on the changed profiles as written and as the index holds
 * them before the write, and the crossings between the two, as src/alerts/service.ts scores a
 * write), in process, without HTTP or PostgreSQL (nor the feed rows that follow): the seeded bench
 * market (N candidates, N/100 jobs) in a MatchIndex, alerts on 10 % of each side (threshold: the
 * profile's own minScore, or each of ALERT_THRESHOLD in turn, e.g. `own,0.7,0.85`, on one index),
 * and the evaluation of
 *   - a candidate write (new answers of an existing candidate) without and with an alert of its own,
 *   - a job write, without and with an alert of its own,
 *   - a bulk batch of 1,000 new candidates (the evaluation one bulk transaction runs),
 * (a write's profile as the write reads it back: with its packed index row, made before the
 * timing; the alerting subjects from the registry a process holds between alert changes), the
 * registry's load (once per alert change) and its following of a moved slot (once per write that
 * moves one),
 * against one top-50 listing of a job for scale. Prints median and p95 ms per operation, and the
 * pairs a write's evaluation scores above a threshold (after and before it), one JSON line each (bench/results/alerts-*.json keeps them with the machine).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { pairsAbove, type Thresholds } from '../src/alerts/evaluate.ts';
import { AlertingSide } from '../src/alerts/registry.ts';
import { Turns } from '../src/alerts/turns.ts';
import { MatchIndex, type ProfileState } from '../src/matching/index.ts';
import type { ScoreMethod } from '../src/matching/types.ts';
import { loadQuestionnaires } from '../src/questionnaires/loader.ts';
import { pairsOfWrite } from './alert-write.ts';
import { createMarket, QUESTIONNAIRE_ID, seededId } from './generator.ts';

const METHOD: ScoreMethod = 'harmonic';
const WS = '00000000-0000-4000-8000-000000000001';
const seed = Number(process.env.BENCH_SEED ?? 20_240_601);
const sizes = (process.argv[2] ?? '100000').split(',').map((s) => Number(s.replace(/_/g, '')));
const SAMPLES = Number(process.env.ALERT_SAMPLES ?? 100);
const BATCH = 1_000;
const OWN_JOB_SAMPLES = Number(process.env.ALERT_OWN_JOB_SAMPLES ?? 40);
const BULK_SAMPLES = Number(process.env.ALERT_BULK_SAMPLES ?? 10);
/**
 * ALERT_THRESHOLD: one threshold for every alert, or several in turn (`own,0.7,0.85`); `own` (the
 * default) is each profile's own minScore.
 */
const thresholdRuns = (process.env.ALERT_THRESHOLD ?? 'own')
  .split(',')
  .map((t) => (t === 'own' ? undefined : Number(t)));

const idOf = (kind: number, index: number) => seededId(seed, kind, index);

/** The evaluations' turns (src/alerts/turns.ts) of the current measurement, for their longest. */
let evaluations: Turns[] = [];
const turns = () => {
  const made = new Turns();
  evaluations.push(made);
  return made;
};

/**
 * Wall time per run, the process's CPU time per run (steadier than wall time on a shared machine),
 * the longest the event loop was held meanwhile (the evaluation runs in turns;
 * this includes GC pauses and the machine's other load), and the longest single turn.
 */
async function time(run: () => unknown, samples: number) {
  evaluations = [];
  const ms: number[] = [];
  const cpu: number[] = [];
  let found = 0;
  const held = monitorEventLoopDelay({ resolution: 1 });
  held.enable();
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const used = process.cpuUsage();
    found += Number(await run()) || 0;
    const { user, system } = process.cpuUsage(used);
    ms.push(performance.now() - started);
    cpu.push((user + system) / 1000);
  }
  held.disable();
  ms.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return {
    median: ms[Math.floor(ms.length / 2)]!,
    p95: ms[Math.floor(ms.length * 0.95)]!,
    cpuMedian: cpu[Math.floor(cpu.length / 2)]!,
    maxHold: held.max / 1e6,
    longestTurn: Math.max(0, ...evaluations.map((t) => t.longest)),
    pairs: found / samples,
  };
}

const catalog = await loadQuestionnaires(fileURLToPath(new URL('../questionnaires', import.meta.url)));
const rows: Record<string, string | number>[] = [];
for (const n of sizes) {
  const jobs = Math.max(1, Math.round(n / 100));
  const market = createMarket({ seed, candidates: n + SAMPLES + BATCH, jobs: jobs + SAMPLES });
  const index = new MatchIndex(catalog);
  const state = (id: string, minScore: number, answers: ProfileState['answers'], employerId?: string) => ({
    id,
    minScore,
    employerId,
    open: true,
    answers,
  });
  const answersOf = (line: { questionnaireId: string; answers: unknown }) => ({
    questionnaireId: line.questionnaireId ?? QUESTIONNAIRE_ID,
    questionnaireVersion: 1,
    answers: line.answers as never,
  });
  // A write's profile as the write reads it back: with the packed index row stored beside the answers.
  const packed = <T extends { answers: ProfileState['answers'] }>(state: T) => {
    const [row] = index.pack([state.answers as never]);
    return {
      ...state,
      answers: { ...state.answers!, indexRow: row!.indexRow, indexLayout: row!.indexLayout },
    };
  };
  const jobState = (i: number, id = idOf(2, i)) => {
    const line = market.job(i);
    return state(id, line.minScore, answersOf(line), line.employerExternalId);
  };
  const candidateState = (i: number, id = idOf(3, i)) => {
    const line = market.candidate(i);
    return state(id, line.minScore, answersOf(line));
  };
  for (let i = 0; i < jobs; i++) index.apply(WS, 'job', jobState(i));
  for (let i = 0; i < n; i++) index.apply(WS, 'candidate', candidateState(i));
  index.trim();
  for (const fixed of thresholdRuns) {
    // Alerts on every tenth profile of each side, at its own minScore (or the fixed threshold).
    const jobAlerts = new Map<string, number>();
    for (let i = 0; i < jobs; i += 10) jobAlerts.set(idOf(2, i), fixed ?? market.job(i).minScore);
    const candidateAlerts = new Map<string, number>();
    for (let i = 0; i < n; i += 10) candidateAlerts.set(idOf(3, i), fixed ?? market.candidate(i).minScore);
    const none = new Map<string, number>();
    // The registry a process holds between alert changes (src/alerts/registry.ts): built once here,
    // its load (ids to words, then to slots at the first evaluation) measured on its own below.
    const jobAlerting = new AlertingSide(jobAlerts);
    const candidateAlerting = new AlertingSide(candidateAlerts);
    const candidates = index.marketOf(WS, answersOf(market.candidate(0))).store('candidate');

    // A write's scoring: its profiles' pairs as written, and as the index holds them before it, and
    // the crossings between the two (the pairs only after, and only before).
    const evaluation = async (side: 'job' | 'candidate', changed: ProfileState[], thresholds: Thresholds) => {
      const turned = turns();
      const { after, before } = await pairsOfWrite(
        pairsAbove,
        index,
        WS,
        side,
        changed,
        METHOD,
        thresholds,
        turned,
      );
      if (!before) return (await after.all(turned)).length;
      await after.crossings(before, turned);
      return after.length + before.length;
    };
    // A write: an existing profile (id of row k) takes the answers of a profile not in the index,
    // made before the timing (the write's own work, not the evaluation's).
    const newCandidates = Array.from({ length: SAMPLES }, (_, i) => packed(candidateState(n + i)));
    const newJobs = Array.from({ length: SAMPLES }, (_, i) => packed(jobState(jobs + i)));
    let k = 0;
    /** A write of `side`: the existing profile `idAt(k)` takes the answers of one of `made`. */
    const write =
      (side: 'job' | 'candidate', idAt: (k: number) => string, made: ProfileState[], others: AlertingSide) =>
      (own: boolean) =>
      async () => {
        const id = idAt(k++);
        const changed = { ...made[k % SAMPLES]!, id };
        const thresholds = { own: own ? new Map([[id, fixed ?? changed.minScore]]) : none, others };
        return evaluation(side, [changed], thresholds);
      };
    const candidateWrite = write('candidate', (i) => idOf(3, (i * 7919) % n), newCandidates, jobAlerting);
    const jobWrite = write('job', (i) => idOf(2, (i * 31) % jobs), newJobs, candidateAlerting);
    // New candidates: nothing in the index before the write.
    const batch = Array.from({ length: BATCH }, (_, i) =>
      packed(candidateState(n + SAMPLES + i, idOf(4, i))),
    );
    const bulkBatch = async () => {
      return evaluation('candidate', batch, { own: none, others: jobAlerting });
    };
    const registryLoad = () => {
      new AlertingSide(candidateAlerts).rowsIn(candidates);
    };
    // A write that moves a slot (a candidate leaves, another arrives), then the registry follows it.
    const slotMove = () => {
      const left = idOf(3, 1 + 10 * (k++ % Math.floor(n / 10)));
      index.remove(WS, 'candidate', left);
      index.apply(WS, 'candidate', candidateState(n, left));
      candidateAlerting.rowsIn(candidates);
    };
    const stageOnly = () => {
      index.stage(WS, batch);
    };
    const listing = () => {
      index.matchesOf(WS, 'job', idOf(2, (k++ * 31) % jobs), { limit: 50, method: METHOD });
    };
    for (const run of [candidateWrite(false), jobWrite(false), listing]) await time(run, 5); // warm-up
    const measured = {
      'candidate write': await time(candidateWrite(false), SAMPLES),
      'candidate write, own alert': await time(candidateWrite(true), SAMPLES),
      'job write': await time(jobWrite(false), Math.min(SAMPLES, 40)),
      'job write, own alert': await time(jobWrite(true), Math.min(SAMPLES, OWN_JOB_SAMPLES)),
      [`bulk batch of ${BATCH} candidates`]: await time(bulkBatch, BULK_SAMPLES),
      'top-50 listing of a job (for scale)': await time(listing, SAMPLES),
      [`staging ${BATCH} candidates (part of the bulk batch)`]: await time(stageOnly, 10),
      [`registry load of ${candidateAlerts.size} alerting candidates (once per alert change)`]: await time(
        registryLoad,
        5,
      ),
      [`a candidate's slot moved, the registry follows its ${candidateAlerts.size} alerting candidates`]:
        await time(slotMove, 20),
    };
    for (const [what, { median, p95, cpuMedian, maxHold, longestTurn, pairs }] of Object.entries(measured)) {
      rows.push({
        candidates: n,
        jobs,
        threshold: fixed ?? 'own minScore',
        what,
        medianMs: Number(median.toFixed(3)),
        p95Ms: Number(p95.toFixed(3)),
        cpuMedianMs: Number(cpuMedian.toFixed(3)),
        longestEventLoopHoldMs: Number(maxHold.toFixed(1)),
        longestTurnMs: Number(longestTurn.toFixed(1)),
        pairsPerRun: Math.round(pairs),
      });
    }
  }
}
for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
