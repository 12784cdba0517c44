/**
 * `node bench/cost-model.ts <results.json> <profile-dir>` — CPU per listing during the throughput
 * run, split into HTTP, auth, queries, ranking and audit, from a bench run made with
 * `BENCH_CHILD_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=<profile-dir>"`.
 *
 * Method: the results hold the throughput run's start and end on the monotonic clock
 * (`throughput.windowUs`), which V8 stamps its profiles with too, so only the samples taken during
 * that run count (index load, latency, interest and spot-check requests are cut off), from every
 * profile of the service (main thread and rank workers). Each sample is given to the first
 * category found walking its stack from the leaf to the root; samples with no such frame are
 * "other" (V8 runtime, GC, promise plumbing). A sample stands for the time since the previous one,
 * which on a busy machine includes time the thread waited for a core: so the profile gives each
 * category's share, and the shares split the service's CPU time per listing as /proc measured it.
 * PostgreSQL (its backends' CPU from /proc) and the client come from the results.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchResults } from './report.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Checked in this order for each frame, leaf first; the first that matches names the sample. */
const categories: [name: string, matches: (url: string, fn: string) => boolean][] = [
  ['queries', (url) => /node_modules\/(pg|pg-protocol|pg-pool|pg-types|drizzle-orm)\//.test(url)],
  ['ranking', (url) => /src\/matching\/(engine\/|index\.ts)/.test(url)],
  ['audit', (url) => /src\/(matching\/audit\.ts|db\/group-commit\.ts)/.test(url)],
  ['auth', (url) => /src\/auth\/|@fastify\/rate-limit/.test(url)],
  [
    'HTTP',
    (url, fn) =>
      /node:(_http|http|net|stream|internal\/(http|stream|streams|net))|node_modules\/(fastify|find-my-way|light-my-request|fast-json-stringify|@fastify|avvio|pino|zod|fastify-type-provider-zod|secure-json-parse|toad-cache)|src\/(http|matching\/(routes|schemas)\.ts|app\.ts|metrics)/.test(
        url,
      ) || /^(writev|writeUtf8String|writeBuffer|readStart|onStreamRead)$/.test(fn),
  ],
];
const order = [...categories.map(([name]) => name), 'other'];

const [resultsFile, profileDir] = process.argv.slice(2);
if (!resultsFile || !profileDir) {
  process.stderr.write('usage: node bench/cost-model.ts <results.json> <profile-dir>\n');
  process.exit(2);
}
const results = JSON.parse(await readFile(resultsFile, 'utf8')) as BenchResults;
const size = results.sizes.at(-1)!;
const [from, to] = size.throughput.windowUs ?? [];
if (from === undefined || to === undefined) throw new Error(`${resultsFile} has no throughput.windowUs`);
const listings = size.throughput.requests;

const microseconds = new Map<string, number>(order.map((name) => [name, 0]));
for (const file of (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile'))) {
  const profile = JSON.parse(await readFile(join(profileDir, file), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const categoryOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = categoryOf.get(id);
    if (known) return known;
    const frames: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) frames.push(byId.get(at)!);
    let found = frames[0]?.callFrame.functionName === '(idle)' ? 'idle' : 'other';
    search: for (const frame of frames) {
      for (const [name, matches] of categories) {
        if (matches(frame.callFrame.url, frame.callFrame.functionName)) {
          found = name;
          break search;
        }
      }
    }
    categoryOf.set(id, found);
    return found;
  };
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const next = profile.timeDeltas[i + 1] ?? 0;
    if (t < from || t > to) continue;
    const category = classify(profile.samples[i]!);
    if (category !== 'idle') microseconds.set(category, (microseconds.get(category) ?? 0) + next);
  }
}

const profiled = [...microseconds.values()].reduce((a, b) => a + b, 0);
const cpu = size.throughput.cpuMsPerListing;
if (!cpu) throw new Error(`${resultsFile} has no throughput.cpuMsPerListing`);
const share = (name: string) => microseconds.get(name)! / profiled;
const lines = [
  `${listings} listings in ${size.throughput.seconds} s (${size.throughput.rps}/s), load average after ${size.loadAverage.after.join(', ')}`,
  '',
  '| where | share of the service profile | CPU ms per listing |',
  '|---|---:|---:|',
  ...order.map(
    (name) =>
      `| service: ${name} | ${(share(name) * 100).toFixed(1)} % | ${(share(name) * cpu.service).toFixed(2)} |`,
  ),
  `| service, total (/proc) | 100 % | ${cpu.service.toFixed(2)} |`,
  `| PostgreSQL backends (/proc) | | ${cpu.postgres.toFixed(2)} |`,
  `| bench client (/proc) | | ${cpu.client.toFixed(2)} |`,
  `| **all** | | **${(cpu.service + cpu.postgres + cpu.client).toFixed(2)}** |`,
];
process.stdout.write(`${lines.join('\n')}\n`);
