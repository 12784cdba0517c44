/**
 * `node bench/alerts-ingest.ts [N] [rounds]` — the bulk ingest rate over HTTP with alerts on and
 * off (issue: alerts on 10 % of each side must keep ≥ 80 % of the rate without). On a PostgreSQL
 * database of its own (`<BENCH_DB_PREFIX>_alerts_ingest`, dropped at the start; BENCH_DATABASE_URL
 * as bench/run.ts), it loads the seeded bench market of N candidates (default 100,000) and N/100
 * jobs through the API, ingests one step's worth of new candidates untimed (so that the store's
 * growth past the market's size falls in no step), then runs `rounds` (default 2) pairs of steps, each a bulk ingest of
 * 10,000 new candidates (one request body):
 *   - alerts on: every tenth job and every tenth candidate switched on through
 *     `PUT /v1/{jobs,candidates}/{id}/alert` (threshold: its own minScore, or ALERT_THRESHOLD);
 *   - alerts off: every alert switched off through `DELETE`;
 * and prints candidates/s of each step, the service's and PostgreSQL's CPU per candidate, and the
 * events the step raised. Before each step, two bulk requests of one new candidate are timed: the
 * first write after the alerts changed (with alerts on, it loads the registry of alerting
 * subjects, once per alert change) and the next. With alerts on, a step's batches are scored ahead of
 * their writes (src/alerts/foresight.ts): the row counts those used and missed. It also says whether the
 * candidate store grew during the step (a one-off copy of every row, charged to that step). One JSON line per step (bench/results/ keeps them with the machine).
 * BENCH_CHILD_NODE_OPTIONS: NODE_OPTIONS for the service (e.g. `--cpu-prof --cpu-prof-dir=…`).
 * BENCH_JOBS: the number of jobs instead of N/100 (a new candidate's alert work grows with the
 * jobs, not the candidates: 100k candidates with 10,000 jobs profile it as at 1M, loaded in a tenth).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadQuestionnaires } from '../src/questionnaires/loader.ts';
import { createMarket, ndjsonBatches, QUESTIONNAIRE_ID } from './generator.ts';
import { apiClient, expectStatus, request } from './http.ts';
import { type CpuSample, fmt, generateCandidates, ingest, inParallel, removeFile } from './ingest.ts';
import { backendCpuSampler, cpuSeconds, logPath, startService } from './service.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const n = Number((process.argv[2] ?? '100000').replace(/_/g, ''));
const rounds = Number(process.argv[3] ?? 2);
const STEP = 10_000;
const fixed = process.env.ALERT_THRESHOLD === undefined ? undefined : Number(process.env.ALERT_THRESHOLD);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://mutualfit:mutualfit@127.0.0.1:5432/postgres';
const dbName = `${process.env.BENCH_DB_PREFIX ?? 'mutualfit_bench'}_alerts_ingest`;
const say = (message: string) =>
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`drop database if exists ${dbName} with (force)`);
await admin.query(`create database ${dbName}`);
await admin.end();
const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });

const questionnaire = (
  await loadQuestionnaires(fileURLToPath(new URL('../questionnaires', import.meta.url)))
).get(QUESTIONNAIRE_ID, 1)!;
// Candidates N.. are the new ones each step ingests.
const market = createMarket({
  seed: Number(process.env.BENCH_SEED ?? 20_240_601),
  candidates: n + STEP + 2 * rounds * (STEP + 2),
  jobs: Number(process.env.BENCH_JOBS ?? Math.max(1, Math.round(n / 100))),
});
const adminKey = `bench-${randomBytes(24).toString('hex')}`;
const service = await startService({
  cwd: root,
  databaseUrl,
  adminKey,
  logFile: logPath(os.tmpdir(), 'alerts-ingest'),
  nodeOptions: process.env.BENCH_CHILD_NODE_OPTIONS,
});
// PostgreSQL's CPU sampled every second, so a backend that ends during a step still counts.
const backends = backendCpuSampler(pool, dbName);
const cpu = async (): Promise<CpuSample> => ({
  service: cpuSeconds(service.pid),
  postgres: await backends.sample(),
});

try {
  await service.waitReady(120_000);
  const api = apiClient(service.baseUrl, adminKey);
  const file = await generateCandidates({ ...market, candidates: n }, questionnaire, tmpNdjson('base'), say);
  const loaded = await ingest(api, { ...market, candidates: n }, questionnaire, file, say, cpu);
  await removeFile(file.path);
  say(`market loaded: ${fmt(n)} candidates at ${fmt(loaded.candidatesPerSecond)}/s`);
  const { rows: candidateRows } = await pool.query<{ id: string }>(
    'select id from candidates order by external_id',
  );
  const alerting = [
    ...loaded.jobIds.filter((_, i) => i % 10 === 0).map((id) => `/v1/jobs/${id}/alert`),
    ...candidateRows.filter((_, i) => i % 10 === 0).map(({ id }) => `/v1/candidates/${id}/alert`),
  ];
  const body = JSON.stringify(fixed === undefined ? {} : { minScore: fixed });
  const switchAlerts = async (on: boolean) => {
    const started = performance.now();
    await inParallel(alerting.length, 4, async (i) => {
      const answer = await request(service.baseUrl, on ? 'PUT' : 'DELETE', alerting[i]!, {
        headers: { authorization: `Bearer ${adminKey}`, ...(on && { 'content-type': 'application/json' }) },
        ...(on && { body }),
      });
      expectStatus(answer, on ? 200 : 204, `${on ? 'PUT' : 'DELETE'} ${alerting[i]}`);
    });
    say(
      `${alerting.length} alerts switched ${on ? 'on' : 'off'} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  };
  const events = async () =>
    Number(
      (await pool.query<{ n: string }>('select coalesce(sum(size), 0) as n from alert_feed')).rows[0]!.n,
    );

  // Batches whose alert pairs were scored ahead of their write (src/alerts/foresight.ts), by outcome.
  const foresights = async () => {
    const text = (await request(service.baseUrl, 'GET', '/metrics')).body;
    const count = (outcome: string) =>
      Number(text.match(new RegExp(`alert_foresights_total\\{outcome="${outcome}"\\} (\\d+)`))?.[1] ?? 0);
    return { used: count('used'), missed: count('missed') };
  };
  // The candidate store's bytes: a step that grows the store (by half, when full) pays a one-off copy.
  const candidateStoreBytes = async () => {
    const text = (await request(service.baseUrl, 'GET', '/metrics')).body;
    return Number(text.match(/index_bytes\{side="candidate"\} (\d+)/)?.[1] ?? 0);
  };

  let next = n;
  // A bulk request of one new candidate, its wall time in ms.
  const oneCandidate = async () => {
    const [line] = [...ndjsonBatches(1, 1, () => market.candidate(next++))];
    const started = performance.now();
    const answer = await api.postNdjson('/v1/candidates:bulk', line!.body);
    expectStatus(answer, 200, 'POST /v1/candidates:bulk (one line)');
    return performance.now() - started;
  };
  // A step's worth of new candidates first, untimed and without alerts: a store loaded to the
  // market's size is about to grow (at 1M the next growth is at 1,008,917 rows), and the first
  // step would pay that copy whichever way its alerts are.
  {
    const from = next;
    next += STEP;
    const [batch] = [...ndjsonBatches(STEP, STEP, (i) => market.candidate(from + i))];
    expectStatus(await api.postNdjson('/v1/candidates:bulk', batch!.body), 200, 'POST /v1/candidates:bulk');
    say(`${fmt(STEP)} candidates ingested before the steps (untimed)`);
  }
  for (let round = 0; round < rounds; round++) {
    for (const on of [true, false]) {
      await switchAlerts(on);
      // The first evaluated write after an alert change loads the registry of alerting subjects
      // (src/alerts/registry.ts); timed apart, so the step below measures the steady state.
      const firstWriteMs = await oneCandidate();
      const nextWriteMs = await oneCandidate();
      say(
        `a one-line bulk after the switch: ${firstWriteMs.toFixed(1)} ms, the next: ${nextWriteMs.toFixed(1)} ms`,
      );
      const from = next;
      next += STEP;
      const [batch] = [...ndjsonBatches(STEP, STEP, (i) => market.candidate(from + i))];
      const eventsBefore = await events();
      const foreseenBefore = await foresights();
      const bytesBefore = await candidateStoreBytes();
      const before = await cpu();
      const started = performance.now();
      const answer = await api.postNdjson('/v1/candidates:bulk', batch!.body);
      const seconds = (performance.now() - started) / 1000;
      const after = await cpu();
      expectStatus(answer, 200, 'POST /v1/candidates:bulk');
      const summary = JSON.parse(answer.body).summary as { created: number; failed: number };
      if (summary.created !== STEP) throw new Error(`bulk step: ${JSON.stringify(summary)}`);
      const raised = (await events()) - eventsBefore;
      const foreseen = await foresights();
      const bytesAfter = await candidateStoreBytes();
      const row = {
        round,
        alerts: on ? 'on' : 'off',
        candidates: STEP,
        marketBefore: from,
        candidatesPerSecond: Math.round(STEP / seconds),
        serviceUsPerCandidate: Math.round(((after.service - before.service) / STEP) * 1e6),
        postgresUsPerCandidate: Math.round(((after.postgres - before.postgres) / STEP) * 1e6),
        eventsRaised: raised,
        batchesForeseen: foreseen.used - foreseenBefore.used,
        batchesForeseenMissed: foreseen.missed - foreseenBefore.missed,
        candidateStoreGrew: bytesAfter > bytesBefore * 1.2,
        firstWriteMs: Number(firstWriteMs.toFixed(1)),
        nextWriteMs: Number(nextWriteMs.toFixed(1)),
        loadAverage: os.loadavg()[0]!.toFixed(2),
      };
      say(
        `alerts ${row.alerts}: ${fmt(row.candidatesPerSecond)} candidates/s, service ${row.serviceUsPerCandidate} µs + PostgreSQL ${row.postgresUsPerCandidate} µs per candidate, ${fmt(raised)} events`,
      );
      process.stdout.write(`${JSON.stringify(row)}\n`);
    }
  }
} finally {
  backends.stop();
  await service.stop();
  await pool.end();
}

function tmpNdjson(name: string): string {
  return path.join(os.tmpdir(), `mutualfit-alerts-ingest-${name}-${process.pid}.ndjson`);
}
