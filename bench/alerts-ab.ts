/**
 * `node bench/alerts-ab.ts <other-checkout> [N] [rounds]` — is this checkout's alert evaluation
 * (src/alerts/evaluate.ts `pairsAbove`, as bench/alerts-micro.ts runs it: a write's profiles as
 * written and as the index held them, then the crossings between the two as the service diffs
 * them) cheaper or dearer than another checkout's? Both index the seeded bench market of N
 * candidates (default 100,000; N/100 jobs) in one process, with alerts on every tenth profile of
 * each side at its own minScore (or at the thresholds of ALERT_THRESHOLDS in turn), and evaluate the same writes one after the other in alternating
 * order, `rounds` times (default 20): a bulk batch of 1,000 new candidates, a job write, a
 * candidate write, and a candidate write whose candidate has an alert of its own. Prints each
 * checkout's mean CPU time per write and their ratio, and checks that both found as many pairs.
 * BENCH_JOBS: the number of jobs instead of N/100 (`BENCH_JOBS=10000`: a bulk batch meets 1,000
 * alerting jobs, as at 1M). Alternating in one process makes the ratio hold on a busy machine
 * (see bench/engine-ab.ts).
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadQuestionnaires } from '../src/questionnaires/loader.ts';
import { pairsOfWrite } from './alert-write.ts';
import { createMarket, QUESTIONNAIRE_ID, seededId } from './generator.ts';

const [otherRoot, sizeArg, roundsArg] = process.argv.slice(2);
if (!otherRoot) throw new Error('usage: node bench/alerts-ab.ts <other-checkout> [N] [rounds]');
const n = Number(sizeArg ?? 100_000);
const rounds = Number(roundsArg ?? 20);
const seed = 20_240_601;
const WS = '00000000-0000-4000-8000-000000000001';
const METHOD = 'harmonic';
const BATCH = 1_000;
const WRITES = 20;
const thisRoot = fileURLToPath(new URL('..', import.meta.url));
/** ALERT_THRESHOLDS=0.6,0.7,0.8,0.9: the alerts' thresholds, in turn (default: each subject's own minScore). */
const spread = process.env.ALERT_THRESHOLDS?.split(',').map(Number);
const jobs = Number(process.env.BENCH_JOBS ?? Math.max(1, Math.round(n / 100)));
const market = createMarket({ seed, candidates: n + BATCH + WRITES, jobs: jobs + WRITES });
const catalog = await loadQuestionnaires(fileURLToPath(new URL('../questionnaires', import.meta.url)));

const idOf = (kind: number, index: number) => seededId(seed, kind, index);
const answersOf = (line: { questionnaireId?: string; answers: unknown }) => ({
  questionnaireId: line.questionnaireId ?? QUESTIONNAIRE_ID,
  questionnaireVersion: 1,
  answers: line.answers as never,
});
const jobState = (i: number, id = idOf(2, i)) => {
  const line = market.job(i);
  return {
    id,
    minScore: line.minScore,
    employerId: line.employerExternalId,
    open: true,
    answers: answersOf(line),
  };
};
const candidateState = (i: number, id = idOf(3, i)) => {
  const line = market.candidate(i);
  return { id, minScore: line.minScore, open: true, answers: answersOf(line) };
};

type JobChange = 'answers' | 'one answer' | 'minScore' | 'title';

/** One checkout's index and its writes' evaluations, each returning the pairs it found. */
async function load(root: string) {
  const at = (path: string) => pathToFileURL(resolve(root, path)).href;
  const { MatchIndex } = await import(at('src/matching/index.ts'));
  const { pairsAbove } = await import(at('src/alerts/evaluate.ts'));
  // Since 2026-12-06: a profile with an alert of its own is scanned over the rows its write may change.
  const narrowToAffected = await import(at('src/alerts/affected-rows.ts')).then(
    (module) => module.narrowToAffected,
    () => undefined,
  );
  const { AlertingSide } = await import(at('src/alerts/registry.ts'));
  const index = new MatchIndex(catalog);
  for (let i = 0; i < jobs; i++) index.apply(WS, 'job', jobState(i));
  for (let i = 0; i < n; i++) index.apply(WS, 'candidate', candidateState(i));
  index.trim();
  const alerting = (count: number, kind: number, minScore: (i: number) => number) => {
    const thresholds = new Map<string, number>();
    for (let i = 0; i < count; i += 10)
      thresholds.set(idOf(kind, i), spread ? spread[(i / 10) % spread.length]! : minScore(i));
    return new AlertingSide(thresholds);
  };
  const jobAlerting = alerting(jobs, 2, (i) => market.job(i).minScore);
  const candidateAlerting = alerting(n, 3, (i) => market.candidate(i).minScore);
  // A write's profile as the write reads it back: with its packed index row.
  // biome-ignore lint/suspicious/noExplicitAny: either checkout's ProfileState
  const packed = (state: any) => {
    const [row] = index.pack([state.answers]);
    return { ...state, answers: { ...state.answers, indexRow: row.indexRow, indexLayout: row.indexLayout } };
  };
  const none = new Map<string, number>();
  const { Turns } = await import(at('src/alerts/turns.ts'));
  // biome-ignore lint/suspicious/noExplicitAny: either checkout's pairs
  type Pairs = any;
  // The crossings, as the checkout's service diffs a write's pairs: FoundPairs.crossings (or
  // notIn), or (before 6b3d001, pairs as objects with id strings) a set of "alert:job:candidate" keys.
  const crossings = async (after: Pairs, before: Pairs) => {
    if (after.crossings) {
      const { created, removed } = await after.crossings(before, new Turns());
      return created.length + removed.length;
    }
    if (!Array.isArray(after)) {
      // 6b3d001 to bee9e0d: FoundPairs.notIn, one way at a time.
      const turns = new Turns();
      return (await after.notIn(before, turns)).length + (await before.notIn(after, turns)).length;
    }
    const keyOf = (p: Pairs) => `${p.alertOf}:${p.jobId}:${p.candidateId}`;
    const notIn = (pairs: Pairs[], others: Pairs[]) => {
      const keys = new Set(others.map(keyOf));
      return pairs.filter((p) => !keys.has(keyOf(p))).length;
    };
    return notIn(after, before) + notIn(before, after);
  };
  let last: { after: Pairs; before: Pairs } | undefined;
  /** The last write's crossings as events (ids, alert, and a created pair's score), in a digest; untimed. */
  const lastEvents = async () => {
    if (!last?.before || !last.after.crossings) return '';
    const { after, before } = last;
    const { created, removed } = await after.crossings(before, new Turns());
    const key = (pairs: Pairs, i: number) => {
      const p = pairs.pairAt(i);
      return `${p.alertOf}:${p.jobId}:${p.candidateId}`;
    };
    const events = [
      ...[...created].map((i) => `+${key(after, i)}:${after.scoreAt(i)}`),
      ...[...removed].map((i) => `-${key(before, i)}`),
    ].sort();
    return createHash('sha256').update(events.join('\n')).digest('hex');
  };
  // A write's evaluation: its pairs as written and as the index held them, and their crossings
  // (new profiles had no pairs: all of theirs are created, each with its ids as strings).
  // biome-ignore lint/suspicious/noExplicitAny: either checkout's ProfileState
  const evaluation = async (side: 'job' | 'candidate', changed: any[], others: unknown, own = none) => {
    const thresholds = { own, others };
    const { after, before } = await pairsOfWrite(
      pairsAbove,
      index,
      WS,
      side,
      changed,
      METHOD,
      thresholds,
      undefined,
      narrowToAffected,
    );
    last = { after, before };
    if (!before) return (Array.isArray(after) ? after : await after.all(new Turns())).length;
    // A narrowed scan finds fewer pairs, the same crossings: with an own alert only these compare.
    return (own.size > 0 ? 0 : after.length + before.length) + (await crossings(after, before));
  };
  /**
   * Job `k`'s write: as the micro bench's (another job's answers), only criterion `k`'s answer
   * (another job's), its minScore 0.05 lower, or nothing scored (a title).
   */
  // biome-ignore lint/suspicious/noExplicitAny: either checkout's ProfileState
  const jobWrite = (k: number, change: JobChange): any => {
    const id = idOf(2, (k * 31) % jobs);
    const other = jobState(jobs + (k % WRITES), id);
    if (change === 'answers') return packed(other);
    const held = jobState((k * 31) % jobs);
    const answers: Record<string, unknown> = { ...(held.answers.answers as object) };
    const keys = Object.keys(answers);
    const key = keys[k % keys.length]!;
    if (change === 'one answer') answers[key] = (other.answers.answers as Record<string, unknown>)[key];
    const minScore = change === 'minScore' ? Math.max(0, held.minScore - 0.05) : held.minScore;
    return packed({ ...held, minScore, answers: { ...held.answers, answers } });
  };
  const ownJobWrite = (k: number, change: JobChange) => {
    const changed = jobWrite(k, change);
    return evaluation('job', [changed], candidateAlerting, new Map([[changed.id, changed.minScore]]));
  };
  const batch = Array.from({ length: BATCH }, (_, i) => packed(candidateState(n + i, idOf(4, i))));
  return {
    bulk: () => evaluation('candidate', batch, jobAlerting),
    job: (k: number) =>
      evaluation('job', [packed(jobState(jobs + (k % WRITES), idOf(2, (k * 31) % jobs)))], candidateAlerting),
    candidate: (k: number) =>
      evaluation(
        'candidate',
        [packed(candidateState(n + BATCH + (k % WRITES), idOf(3, (k * 7919) % n)))],
        jobAlerting,
      ),
    jobOwnAlert: ownJobWrite,
    listing: (k: number) =>
      index.matchesOf(WS, 'job', idOf(2, (k * 31) % jobs), { limit: 50, method: METHOD }).rows.length,
    lastEvents,
    candidateOwnAlert: (k: number) => {
      const changed = packed(candidateState(n + BATCH + (k % WRITES), idOf(3, (k * 7919) % n)));
      return evaluation('candidate', [changed], jobAlerting, new Map([[changed.id, changed.minScore]]));
    },
  };
}

const checkouts = [await load(otherRoot), await load(thisRoot)];
const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
/** ALERT_AB_WRITES: a pattern naming the writes to run (default: all). */
const only = new RegExp(process.env.ALERT_AB_WRITES ?? '');
const writes = [
  { name: `bulk batch of ${BATCH} candidates`, run: (c: (typeof checkouts)[number]) => c.bulk(), each: 1 },
  { name: 'job write', run: (c: (typeof checkouts)[number], k: number) => c.job(k), each: 5 },
  { name: 'candidate write', run: (c: (typeof checkouts)[number], k: number) => c.candidate(k), each: 50 },
  ...(['answers', 'one answer', 'minScore', 'title'] as const).map((change) => ({
    name: `job write, own alert (${change} changed)`,
    run: (c: (typeof checkouts)[number], k: number) => c.jobOwnAlert(k, change),
    each: 13,
  })),
  {
    name: 'top-50 listing of a job (for scale)',
    run: (c: (typeof checkouts)[number], k: number) => c.listing(k),
    each: 13,
  },
  {
    name: 'candidate write, own alert',
    run: (c: (typeof checkouts)[number], k: number) => c.candidateOwnAlert(k),
    each: 10,
  },
];
for (const write of writes.filter((w) => only.test(w.name))) {
  for (const c of checkouts) await write.run(c, 0); // warm-up
  const spent = [0, 0];
  const found = [0, 0];
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < write.each; k++) {
      const first = (round + k) % 2;
      for (const which of [first, 1 - first]) {
        const started = cpuMicros();
        found[which]! += await write.run(checkouts[which]!, round * write.each + k);
        spent[which]! += cpuMicros() - started;
      }
      const [events, theirs] = [await checkouts[0]!.lastEvents(), await checkouts[1]!.lastEvents()];
      if (events !== theirs) throw new Error(`${write.name}: the checkouts' crossings differ (write ${k})`);
    }
  }
  if (found[0] !== found[1])
    throw new Error(`${write.name}: the checkouts found ${found[0]} and ${found[1]} pairs`);
  const ms = (micros: number) => (micros / (rounds * write.each) / 1000).toFixed(3);
  process.stdout.write(
    `N=${n.toLocaleString('en-US')}, ${write.name}: ${otherRoot} ${ms(spent[0]!)} ms CPU, this checkout ${ms(spent[1]!)} ms CPU; this/other ${(spent[1]! / spent[0]!).toFixed(3)} (same ${found[0]} pairs)\n`,
  );
}
