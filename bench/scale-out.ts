/**
 * `node bench/scale-out.ts <database-url> [setups] [out.json]` — listing throughput of one service
 * process against several on the same machine, on a database a bench run kept (`BENCH_KEEP_DB=1
 * node bench/run.ts 100000` leaves `mutualfit_bench_100000`).
 *
 * `setups` (default `1x1,1x0,2x0`): processes × `MATCH_WORKERS` each, optionally `@<checkout>` to
 * run another checkout's service (an A/B of two commits on one database: `1x1@/tmp/base,1x1`).
 * Each setup starts its processes, waits until every one is ready,
 * warms each up, then runs the bench's throughput step (8 closed-loop clients, 10 s) with the
 * requests going round the processes, as a load balancer would. CPU per listing is measured as in
 * bench/run.ts: the services', their PostgreSQL backends' and the client's.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createRng } from './generator.ts';
import { type ApiClient, apiClient } from './http.ts';
import { measureThroughput, round2 } from './load.ts';
import {
  backendCpu,
  backendCpuSince,
  commits,
  cpuSeconds,
  logPath,
  type Service,
  startService,
} from './service.ts';

const [databaseUrl, setupList, outFile] = process.argv.slice(2);
if (!databaseUrl) {
  process.stderr.write('usage: node bench/scale-out.ts <database-url> [setups] [out.json]\n');
  process.exit(2);
}
const root = fileURLToPath(new URL('..', import.meta.url));
const setups = (setupList ?? '1x1,1x0,2x0').split(',').map((text) => {
  const [shape, checkout] = text.split('@');
  const [processes, workers] = shape!.split('x').map(Number);
  return { processes: processes!, workers: workers!, checkout: checkout ?? root };
});
const clients = Number(process.env.BENCH_CLIENTS ?? 8);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const adminKey = `bench-${randomBytes(24).toString('hex')}`;
const database = new URL(databaseUrl).pathname.slice(1);
const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
const { rows } = await pool.query<{ id: string }>("select id from jobs where status = 'open'");
const jobIds = rows.map((row) => row.id);
const say = (message: string) =>
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);

/** Requests go round the processes, one after the other. */
function roundRobin(apis: ApiClient[]): ApiClient {
  let next = 0;
  return { ...apis[0]!, get: (path, agent) => apis[next++ % apis.length]!.get(path, agent) };
}

const results = [];
try {
  for (const setup of setups) {
    process.env.MATCH_WORKERS = String(setup.workers);
    const services: Service[] = [];
    try {
      for (let i = 0; i < setup.processes; i++) {
        services.push(
          await startService({
            cwd: setup.checkout,
            databaseUrl,
            adminKey,
            nodeOptions: process.env.BENCH_CHILD_NODE_OPTIONS,
            logFile: logPath(os.tmpdir(), `mutualfit-scale-out-${setup.processes}-${setup.workers}-${i}`),
          }),
        );
      }
      for (const service of services) await service.waitReady(300_000);
      const apis = services.map((service) => apiClient(service.baseUrl, adminKey));
      const warm = createRng(1);
      for (const api of apis)
        for (let i = 0; i < 20; i++) await api.get(`/v1/jobs/${warm.pick(jobIds)}/matches?limit=50`);

      const load = os.loadavg()[0]!;
      const cpuBefore = services.map((service) => cpuSeconds(service.pid));
      const backendsBefore = await backendCpu(pool, database);
      const clientBefore = process.cpuUsage();
      const commitsBefore = await commits(pool, database);
      const throughput = await measureThroughput(roundRobin(apis), jobIds, createRng(2), {
        clients,
        seconds,
      });
      const serviceCpu = services.reduce(
        (sum, service, i) => sum + cpuSeconds(service.pid) - cpuBefore[i]!,
        0,
      );
      const postgresCpu = backendCpuSince(backendsBefore, await backendCpu(pool, database));
      const client = process.cpuUsage(clientBefore);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const transactions = (await commits(pool, database)) - commitsBefore;
      const perListing = (s: number) => round2((s * 1000) / Math.max(1, throughput.requests));
      const result = {
        ...setup,
        rps: throughput.rps,
        p95: throughput.p95,
        errors: throughput.errors,
        cpuMsPerListing: {
          service: perListing(serviceCpu),
          postgres: perListing(postgresCpu),
          client: perListing((client.user + client.system) / 1e6),
        },
        commitsPerListing: round2(transactions / Math.max(1, throughput.requests)),
        loadAverageBefore: round2(load),
      };
      results.push(result);
      say(JSON.stringify(result));
    } finally {
      for (const service of services) await service.stop();
    }
  }
} finally {
  await pool.end();
}
if (outFile)
  await writeFile(
    outFile,
    `${JSON.stringify({ ranAt: new Date().toISOString(), clients, seconds, results }, null, 2)}\n`,
  );
