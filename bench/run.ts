/**
 * `npm run bench [sizes]` — the benchmark of docs/operations.md#performance-targets on native PostgreSQL.
 *
 * For each N (default 10000,100000,1000000): a fresh database `mutualfit_bench_<N>`, a seeded
 * market (N candidates, N/100 jobs) loaded through the bulk API, a restart to time the index
 * load, then latency, throughput, a correctness spot check and (at 100k) the naive baseline.
 * Results: bench/results/<date>-<host>.json, latest.md, latency.svg and the table in bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DEFAULT_WORKSPACE_ID } from '../src/auth/bootstrap.ts';
import type { QuestionnaireDefinition } from '../src/questionnaires/definition.ts';
import { loadQuestionnaires } from '../src/questionnaires/loader.ts';
import { createMarket, createRng, QUESTIONNAIRE_ID } from './generator.ts';
import { apiClient } from './http.ts';
import { BATCH_LINES, fmt, generateCandidates, IN_FLIGHT, ingest, removeFile, type Say } from './ingest.ts';
import { measureInterest } from './interest.ts';
import { measureLatency, measureThroughput } from './load.ts';
import { naiveBaseline, spotCheck } from './reference.ts';
import {
  latencyChart,
  markdownTable,
  mergeResults,
  type SizeResult,
  targets,
  updateReadme,
  verdictsOf,
} from './report.ts';
import {
  backendCpu,
  backendCpuSampler,
  backendCpuSince,
  commits,
  cpuSeconds,
  killAllServices,
  logPath,
  readMemory,
  type Service,
  startService,
} from './service.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const env = process.env;
const settings = {
  seed: Number(env.BENCH_SEED ?? 20_240_601),
  latencyRequests: Number(env.BENCH_REQUESTS ?? 200),
  warmup: Number(env.BENCH_WARMUP ?? 20),
  throughputClients: Number(env.BENCH_CLIENTS ?? 8),
  throughputSeconds: Number(env.BENCH_SECONDS ?? 10),
  interestPairs: Number(env.BENCH_INTEREST_PAIRS ?? 20),
  spotCheckJobs: 3,
  spotCheckMaxN: Number(env.BENCH_CHECK_MAX ?? 100_000),
  baselineAt: Number(env.BENCH_BASELINE_AT ?? 100_000),
  baselineJobs: Number(env.BENCH_BASELINE_JOBS ?? 5),
  batchLines: BATCH_LINES,
  inFlight: IN_FLIGHT,
};
const adminUrl = env.BENCH_DATABASE_URL ?? 'postgres://mutualfit:mutualfit@127.0.0.1:5432/postgres';
const keepDatabases = env.BENCH_KEEP_DB === '1';
// Two benches on one server (two worktrees) must not drop each other's database.
const databasePrefix = env.BENCH_DB_PREFIX ?? 'mutualfit_bench';
const childNodeOptions = env.BENCH_CHILD_NODE_OPTIONS;
const workDir = env.BENCH_TMP ?? join(os.tmpdir(), 'mutualfit-bench');
const sizes = (process.argv[2] ?? env.BENCH_SIZES ?? '10000,100000,1000000')
  .split(',')
  .map((s) => Number(s.trim().replace(/_/g, '')));

/** Generated NDJSON files, removed when a size ends and on SIGINT (1M is ~2.6 GB). */
const tempFiles = new Set<string>();
const say: Say = (message) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);

function databaseUrl(name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function runSize(n: number, questionnaire: QuestionnaireDefinition): Promise<SizeResult> {
  const loadBefore = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const source = sourceVersion();
  const market = createMarket({ seed: settings.seed, candidates: n, jobs: Math.max(1, Math.round(n / 100)) });
  const dbName = `${databasePrefix}_${n}`;
  const label = (message: string) => say(`[N=${fmt(n)}] ${message}`);
  await admin(async (client) => {
    await client.query(`drop database if exists ${dbName} with (force)`);
    await client.query(`create database ${dbName}`);
  });
  label(`database ${dbName} created; ${fmt(market.jobs)} jobs of ${fmt(market.employers)} employers`);

  const ndjsonPath = join(workDir, `${dbName}.ndjson`);
  tempFiles.add(ndjsonPath);
  const file = await generateCandidates(market, questionnaire, ndjsonPath, label);
  label(
    `generated ${fmt(file.bytes / 1e6)} MB of NDJSON in ${file.seconds.toFixed(1)} s (first 1,000 validated)`,
  );

  const adminKey = `bench-${randomBytes(24).toString('hex')}`;
  const service = (phase: string) =>
    startService({
      cwd: root,
      databaseUrl: databaseUrl(dbName),
      adminKey,
      logFile: logPath(workDir, `${dbName}-${phase}`),
      nodeOptions: childNodeOptions,
    });
  const readyTimeout = Math.max(120_000, n);
  const pool = new pg.Pool({ connectionString: databaseUrl(dbName), max: 2 });
  let current: Service | undefined;
  try {
    current = await service('ingest');
    await current.waitReady(readyTimeout);
    const cpuBeforeIngest = cpuSeconds(current.pid);
    const backends = backendCpuSampler(pool, dbName);
    const servicePid = current.pid;
    const loaded = await ingest(
      apiClient(current.baseUrl, adminKey),
      market,
      questionnaire,
      file,
      label,
      async () => ({
        service: cpuSeconds(servicePid),
        postgres: await backends.sample(),
      }),
    ).finally(() => backends.stop());
    const ingestWall = loaded.employersSeconds + loaded.jobsSeconds + loaded.candidatesSeconds;
    const ingestCpuCores = round2((cpuSeconds(current.pid) - cpuBeforeIngest) / ingestWall);
    const perCandidate = (seconds: number) => Math.round((seconds * 1e6) / n);
    const cpuMicrosPerCandidate = {
      service: perCandidate(loaded.candidatesCpu.service),
      postgres: perCandidate(loaded.candidatesCpu.postgres),
    };
    label(
      `ingest: ${fmt(loaded.candidatesPerSecond)} candidates/s (${loaded.candidatesSeconds.toFixed(1)} s); service CPU ${ingestCpuCores} cores; per candidate ${cpuMicrosPerCandidate.service} µs service + ${cpuMicrosPerCandidate.postgres} µs PostgreSQL backends`,
    );
    await current.stop();
    await removeFile(file.path);

    const started = performance.now();
    await pool.query('vacuum analyze');
    const vacuumAnalyzeSeconds = (performance.now() - started) / 1000;
    label(`vacuum analyze: ${vacuumAnalyzeSeconds.toFixed(1)} s (not counted in ingest)`);

    current = await service('measure');
    const startupMs = await current.waitReady(readyTimeout);
    const index = await current.indexLoaded();
    label(
      `start-up ${(startupMs / 1000).toFixed(2)} s; index: ${fmt(index.profiles)} profiles in ${fmt(index.ms)} ms, ${index.bytesPerProfile} bytes/profile`,
    );

    const api = apiClient(current.baseUrl, adminKey);
    const pid = current.pid;
    let memory = { rssMb: Number.NaN, peakMb: Number.NaN };
    const latency = await measureLatency(api, loaded.jobIds, createRng(settings.seed + 1), {
      warmup: settings.warmup,
      requests: settings.latencyRequests,
      afterWarmup: () => {
        memory = readMemory(pid);
      },
    });
    label(
      `latency (1 client, ${latency.requests} requests): p50 ${latency.p50} ms, p95 ${latency.p95} ms, p99 ${latency.p99} ms; RSS ${memory.rssMb} MB`,
    );
    const cpuBeforeThroughput = cpuSeconds(pid);
    const backendsBefore = await backendCpu(pool, dbName);
    const commitsBefore = await commits(pool, dbName);
    const clientBefore = process.cpuUsage();
    // The monotonic clock V8's CPU profiles are stamped with: cuts the throughput run out of one.
    const windowStartUs = Number(process.hrtime.bigint() / 1000n);
    const throughput = await measureThroughput(api, loaded.jobIds, createRng(settings.seed + 2), {
      clients: settings.throughputClients,
      seconds: settings.throughputSeconds,
    });
    const windowUs = [windowStartUs, Number(process.hrtime.bigint() / 1000n)];
    const serviceCpu = cpuSeconds(pid) - cpuBeforeThroughput;
    const throughputCpuCores = round2(serviceCpu / throughput.seconds);
    const clientUsage = process.cpuUsage(clientBefore);
    const postgresCpu = backendCpuSince(backendsBefore, await backendCpu(pool, dbName));
    // Read after a pause: backends report their counts to the statistics at most once a second.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const commitsPerListing = round2(
      ((await commits(pool, dbName)) - commitsBefore) / Math.max(1, throughput.requests),
    );
    const perListing = (seconds: number) => round2((seconds * 1000) / Math.max(1, throughput.requests));
    const cpuMsPerListing = {
      service: perListing(serviceCpu),
      postgres: perListing(postgresCpu),
      client: perListing((clientUsage.user + clientUsage.system) / 1e6),
    };
    const rssAfterThroughputMb = readMemory(pid).rssMb;
    label(
      `throughput (${throughput.clients} clients, ${throughput.seconds} s): ${throughput.rps} req/s, p95 ${throughput.p95} ms, ${throughput.errors} errors; service CPU ${throughputCpuCores} cores; CPU ms per listing: service ${cpuMsPerListing.service}, PostgreSQL ${cpuMsPerListing.postgres}, client ${cpuMsPerListing.client}; ${commitsPerListing} transactions per listing`,
    );

    const interest = await measureInterest(
      api,
      loaded.jobIds,
      loaded.candidateSample,
      createRng(settings.seed + 5),
      { pairs: settings.interestPairs, warmup: settings.warmup, requests: settings.latencyRequests },
    );
    label(
      `interest on ${interest.pairs} non-acceptable pairs (${interest.requests} requests): p50 ${interest.p50} ms, p95 ${interest.p95} ms, p99 ${interest.p99} ms`,
    );

    const pickJobs = (count: number, seed: number) => {
      const r = createRng(seed);
      return Array.from({ length: Math.min(count, loaded.jobIds.length) }, () => r.pick(loaded.jobIds));
    };
    let correctness: SizeResult['correctness'];
    if (n <= settings.spotCheckMaxN) {
      correctness = await spotCheck(
        api,
        pool,
        questionnaire,
        DEFAULT_WORKSPACE_ID,
        [...new Set(pickJobs(settings.spotCheckJobs, settings.seed + 3))],
        n,
      );
      label(
        `spot check vs reference scorer (${correctness.jobs} jobs, ${correctness.seconds.toFixed(1)} s): ${correctness.identical ? 'identical' : `DIFFERENT: ${JSON.stringify(correctness.details)}`}`,
      );
    } else {
      correctness = {
        skipped: `the spot check runs at N ≤ ${fmt(settings.spotCheckMaxN)} only (BENCH_CHECK_MAX): the reference scorer over every candidate takes minutes at 1M`,
      };
      label(`spot check skipped: ${correctness.skipped}`);
    }

    let baseline: SizeResult['baseline'];
    if (n === settings.baselineAt) {
      label(`naive baseline over ${settings.baselineJobs} jobs (load all answers, reference scorer, sort)…`);
      const naive = await naiveBaseline(
        pool,
        questionnaire,
        DEFAULT_WORKSPACE_ID,
        pickJobs(settings.baselineJobs, settings.seed + 4),
      );
      baseline = { ...naive, speedup: Math.round((naive.medianMs / latency.p50) * 10) / 10 };
      label(
        `naive baseline: median ${fmt(naive.medianMs)} ms (${naive.msEach.join(', ')}); ours p50 ${latency.p50} ms → ${baseline.speedup}×`,
      );
    }

    const result: Omit<SizeResult, 'verdicts'> = {
      n,
      jobs: market.jobs,
      employers: market.employers,
      ranAt: new Date().toISOString(),
      source,
      generate: { seconds: round1(file.seconds), megabytes: round1(file.bytes / 1e6) },
      ingest: {
        candidatesPerSecond: Math.round(loaded.candidatesPerSecond),
        candidatesSeconds: round1(loaded.candidatesSeconds),
        jobsSeconds: round1(loaded.jobsSeconds),
        employersSeconds: round1(loaded.employersSeconds),
        vacuumAnalyzeSeconds: round1(vacuumAnalyzeSeconds),
        serviceCpuCores: ingestCpuCores,
        cpuMicrosPerCandidate,
      },
      startup: {
        seconds: Math.round(startupMs / 10) / 100,
        indexMs: index.ms,
        profiles: index.profiles,
        indexBytes: index.indexBytes,
        bytesPerProfile: index.bytesPerProfile,
      },
      memory: { ...memory, rssAfterThroughputMb },
      latency,
      throughput: {
        ...throughput,
        serviceCpuCores: throughputCpuCores,
        cpuMsPerListing,
        commitsPerListing,
        windowUs,
      },
      interest,
      correctness,
      baseline,
      loadAverage: { before: loadBefore, after: os.loadavg().map((x) => Math.round(x * 100) / 100) },
    };
    return { ...result, verdicts: verdictsOf(result) };
  } finally {
    await current?.stop();
    await pool.end();
    await removeFile(file.path);
    if (!keepDatabases) {
      await admin((client) => client.query(`drop database if exists ${dbName} with (force)`));
    }
  }
}

async function machine(): Promise<Record<string, string | number>> {
  const version = await admin(async (client) => {
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    return rows[0]?.server_version ?? 'unknown';
  });
  return {
    hostname: os.hostname(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    totalMemoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    postgres: `PostgreSQL ${version}`,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** The commit measured, and whether the working tree differed from it (read-only git calls). */
function sourceVersion(): SizeResult['source'] {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
    const changed = git('status', '--porcelain', '--', 'src', 'migrations', 'questionnaires');
    return {
      commit: git('rev-parse', '--short', 'HEAD'),
      uncommittedSourceFiles: changed ? changed.split('\n').length : 0,
    };
  } catch {
    return { commit: 'unknown', uncommittedSourceFiles: -1 };
  }
}

async function main(): Promise<void> {
  if (sizes.some((n) => !Number.isInteger(n) || n < 100)) {
    throw new Error(`sizes must be integers ≥ 100, got ${sizes.join(',')}`);
  }
  await mkdir(workDir, { recursive: true });
  const questionnaire = (await loadQuestionnaires(join(root, 'questionnaires'))).latest(QUESTIONNAIRE_ID);
  if (!questionnaire) throw new Error(`questionnaire ${QUESTIONNAIRE_ID} not found`);
  const host = await machine();
  say(
    `mutualfit bench: sizes ${sizes.map(fmt).join(', ')}; ${host.cpuModel}, ${host.cores} cores, ${host.postgres}`,
  );
  say(`service logs in ${workDir}`);

  const date = new Date().toISOString().slice(0, 10);
  const resultsDir = env.BENCH_RESULTS_DIR ?? join(root, 'bench', 'results');
  const official = env.BENCH_RESULTS_DIR === undefined;
  await mkdir(resultsDir, { recursive: true });
  const resultName = `${date}-${host.hostname}.json`;
  for (const n of sizes) {
    const size = await runSize(n, questionnaire);
    // Written after every size, so a long run keeps what it measured.
    const results = await mergeResults(join(resultsDir, resultName), {
      generatedBy: 'npm run bench',
      date,
      machine: host,
      settings,
      targets,
      sizes: [size],
    });
    await writeFile(join(resultsDir, resultName), `${JSON.stringify(results, null, 2)}\n`);
    const table = markdownTable(results);
    await writeFile(join(resultsDir, 'latest.md'), table);
    await writeFile(join(resultsDir, 'latency.svg'), latencyChart(results));
    if (official) await updateReadme(join(root, 'bench', 'README.md'), table, `results/${resultName}`);
    say(`results: ${join(resultsDir, resultName)}, latest.md, latency.svg`);
    process.stdout.write(`\n${table}\n`);
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;

process.once('exit', killAllServices);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllServices();
    for (const path of tempFiles) rmSync(path, { force: true });
    process.stderr.write(`\nbench interrupted (${signal}); services stopped\n`);
    process.exit(130);
  });
}

try {
  await main();
} catch (error) {
  killAllServices();
  for (const path of tempFiles) rmSync(path, { force: true });
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
}
