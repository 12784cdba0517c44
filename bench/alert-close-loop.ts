/**
 * `DATABASE_URL=postgres://… node bench/alert-close-loop.ts [candidates] [rounds]` — how long the
 * event loop is held, step by step, while a job with an alert of its own at a low threshold is
 * closed and reopened (src/alerts/service.ts: the pairs after and before the write, then
 * src/alerts/announce.ts: their crossings, the removed pairs' score now, the feed rows and the
 * webhook outbox, each step timed, then announceCrossings as the service calls it), in process. The
 * seeded bench market (N candidates, N/100 jobs) in a MatchIndex, as bench/alerts-micro.ts builds
 * it; job 0's own alert at ALERT_THRESHOLD (0.3); a webhook subscription to match.created and
 * match.removed, so the outbox is written too. The feed rows and outbox rows go to the PostgreSQL
 * database given (migrated here; a database of its own: each round's transaction is rolled back).
 * A 1 ms interval timer records the longest gap of the event loop during each step ("held"); one
 * JSON line per round and step (BENCH_GAPS_MS=20: each gap of 20 ms or more as it happens, on stderr).
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { announceCrossings, outboxEvents } from '../src/alerts/announce.ts';
import { pairsAbove, scoresNow } from '../src/alerts/evaluate.ts';
import { appendToFeeds, foundEvents } from '../src/alerts/feed.ts';
import { FoundPairs } from '../src/alerts/found-pairs.ts';
import { AlertingSide } from '../src/alerts/registry.ts';
import { Turns } from '../src/alerts/turns.ts';
import { openDatabase } from '../src/db/client.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { webhookSubscriptions, workspaces } from '../src/db/schema.ts';
import { MatchIndex, type ProfileState } from '../src/matching/index.ts';
import type { ScoreMethod } from '../src/matching/types.ts';
import { loadQuestionnaires } from '../src/questionnaires/loader.ts';
import { enqueueEvents } from '../src/webhooks/events.ts';
import { createMarket, QUESTIONNAIRE_ID, seededId } from './generator.ts';

const METHOD: ScoreMethod = 'harmonic';
const seed = Number(process.env.BENCH_SEED ?? 20_240_601);
const n = Number((process.argv[2] ?? '100000').replace(/_/g, ''));
const rounds = Number(process.argv[3] ?? 2);
const threshold = Number(process.env.ALERT_THRESHOLD ?? 0.3);
if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL: a PostgreSQL database of the bench’s own.');

const database = await openDatabase({ DATABASE_URL: process.env.DATABASE_URL, DATA_DIR: 'memory' });
await runMigrations(database);
const { db } = database;
const [workspace] = await db.insert(workspaces).values({ name: 'alert-close-loop' }).returning();
const WS = workspace!.id;
await db.insert(webhookSubscriptions).values({
  workspaceId: WS,
  url: 'https://hooks.example/alerts',
  eventTypes: ['match.created', 'match.removed'],
  secret: 'bench',
});

const catalog = await loadQuestionnaires(fileURLToPath(new URL('../questionnaires', import.meta.url)));
const jobs = Math.max(1, Math.round(n / 100));
const market = createMarket({ seed, candidates: n, jobs });
const index = new MatchIndex(catalog);
const answersOf = (line: { questionnaireId: string; answers: unknown }) => ({
  questionnaireId: line.questionnaireId ?? QUESTIONNAIRE_ID,
  questionnaireVersion: 1,
  answers: line.answers as never,
});
const jobState = (i: number, open = true): ProfileState => {
  const line = market.job(i);
  return {
    id: seededId(seed, 2, i),
    minScore: line.minScore,
    employerId: line.employerExternalId,
    open,
    answers: answersOf(line),
  };
};
const built = performance.now();
for (let i = 0; i < jobs; i++) index.apply(WS, 'job', jobState(i));
for (let i = 0; i < n; i++) {
  const line = market.candidate(i);
  index.apply(WS, 'candidate', {
    id: seededId(seed, 3, i),
    minScore: line.minScore,
    open: true,
    answers: answersOf(line),
  });
}
index.trim();
process.stderr.write(
  `market of ${n} candidates built in ${((performance.now() - built) / 1000).toFixed(1)} s\n`,
);

const jobId = seededId(seed, 2, 0);
const thresholds = { own: new Map([[jobId, threshold]]), others: new AlertingSide(new Map()) };

/** The longest gap of the event loop during each step (a 1 ms timer), and the step's wall time. */
let step = '';
let longest = 0;
let last = performance.now();
/** BENCH_GAPS_MS: also print every gap at least this long, with its step and time (to match --trace-gc's). */
const reportGap = Number(process.env.BENCH_GAPS_MS ?? Number.POSITIVE_INFINITY);
const timer = setInterval(() => {
  const now = performance.now();
  if (now - last >= reportGap)
    process.stderr.write(`gap ${(now - last).toFixed(1)} ms at ${now.toFixed(0)} ms in ${step}\n`);
  longest = Math.max(longest, now - last);
  last = now;
}, 1);
const lines: Record<string, string | number>[] = [];
async function timed<T>(round: number, name: string, run: () => Promise<T>, count?: (value: T) => number) {
  await new Promise((resolve) => setTimeout(resolve, 20));
  step = name;
  longest = 0;
  last = performance.now();
  const started = performance.now();
  const value = await run();
  const now = performance.now();
  const held = Math.max(longest, now - last);
  lines.push({
    candidates: n,
    round,
    step,
    heldMs: Number(held.toFixed(1)),
    wallMs: Number((now - started).toFixed(1)),
    ...(count ? { items: count(value) } : {}),
    load: loadAverage(),
  });
  process.stderr.write(`${JSON.stringify(lines.at(-1))}\n`);
  return value;
}
const loadAverage = () => loadavg()[0]!.toFixed(2);

/** A write of job 0 (closed, or reopened) as the service scores and announces it, rolled back. */
async function writeJob(round: number, open: boolean) {
  const what = open ? 'reopen' : 'close';
  const changed = [jobState(0, open)];
  const rollback = new Error('rollback');
  await db
    .transaction(async (tx) => {
      const turns = new Turns();
      const after = await timed(
        round,
        `${what}: pairs after`,
        () => pairsAbove(index, WS, 'job', changed, METHOD, thresholds),
        (p) => p.length,
      );
      const before = await timed(
        round,
        `${what}: pairs before`,
        async () => {
          const indexed = index.stageIndexed(WS, 'job', [jobId]);
          const pairs = new FoundPairs('job');
          if (indexed.groups.length > 0)
            await pairsAbove(
              index,
              WS,
              'job',
              indexed.states,
              METHOD,
              thresholds,
              undefined,
              indexed.groups,
              pairs,
            );
          return pairs;
        },
        (p) => p.length,
      );
      const crossings = await timed(
        round,
        `${what}: crossings`,
        () => after.crossings(before, turns),
        (c) => c.removed.length + c.created.length,
      );
      const scores = await timed(round, `${what}: removed pairs' score now`, () =>
        scoresNow(index, WS, 'job', changed, METHOD, before, crossings.removed),
      );
      await timed(round, `${what}: feed rows`, () =>
        appendToFeeds(
          tx,
          WS,
          {
            removed: foundEvents(before, crossings.removed, scores),
            created: foundEvents(after, crossings.created),
          },
          turns,
        ),
      );
      await timed(round, `${what}: outbox`, () =>
        enqueueEvents(tx, WS, ['match.created', 'match.removed'], () =>
          outboxEvents(after, before, crossings, scores),
        ),
      );
      // The same again as the service runs it, in one go (the feed and outbox written twice: rolled back).
      await timed(round, `${what}: announceCrossings (all of the above but the pairs)`, () =>
        announceCrossings(tx, index, WS, {
          side: 'job',
          ids: [jobId],
          states: changed,
          method: METHOD,
          after,
          before,
        }),
      );
      throw rollback;
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
  index.apply(WS, 'job', jobState(0, open));
}

for (let round = 1; round <= rounds; round++) {
  await writeJob(round, false);
  await writeJob(round, true);
}
clearInterval(timer);
await database.close();
for (const line of lines) process.stdout.write(`${JSON.stringify(line)}\n`);
