/**
 * `node bench/allocation.ts [candidates] [jobs]` — the stable allocation target (docs/operations.md#performance-targets)
 * (100,000 candidates × 10,000 jobs, lists of ~50, allocate ≤ 2 s), pure code, no database.
 *
 * A seeded market: each candidate lists 40–60 jobs drawn by a Zipf-like popularity (weight
 * 1 / (rank + 500)), most popular first in expectation; each job lists the candidates that listed
 * it, in its own order (a shared candidate quality plus job-specific noise), cut at the
 * 1,000-entry list limit. Capacities 1–20. The input goes through JSON record by record, so ids
 * are fresh strings as in a request body. Timings are the median of 3 runs; results go to
 * bench/results/allocation.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countBlockingPairs, isValidAllocation } from '../src/allocation/blocking-pairs.ts';
import { allocate } from '../src/allocation/deferred-acceptance.ts';
import type { AllocationInput, AllocationJob } from '../src/allocation/types.ts';
import { ALLOCATION_LIMITS, validateAllocationInput } from '../src/allocation/validate.ts';
import { mixSeed, mulberry32 } from './random.ts';

const say = (message: string) => process.stdout.write(`${message}\n`);
const candidateCount = Number(process.argv[2] ?? 100_000);
const jobCount = Number(process.argv[3] ?? 10_000);
const seed = Number(process.env.BENCH_SEED ?? 20240601);
const RUNS = 3;

function generate(): { input: AllocationInput; stats: Record<string, number> } {
  const random = mulberry32(mixSeed(seed, candidateCount, jobCount));
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const hex = (digits: number) =>
    Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join('');
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${hex(4)}-${hex(12)}`;
  const candidateIds = Array.from({ length: candidateCount }, uuid);
  const jobIds = Array.from({ length: jobCount }, uuid);

  // Popularity: job `popular[r]` has weight 1 / (r + 500); cumulative weights for sampling.
  const popular = Array.from({ length: jobCount }, (_, j) => j).sort(() => random() - 0.5);
  const cumulative = new Float64Array(jobCount);
  let sum = 0;
  for (let r = 0; r < jobCount; r++) cumulative[r] = sum += 1 / (r + 500);
  const drawJob = () => {
    const x = random() * sum;
    let low = 0;
    let high = jobCount - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (cumulative[mid]! < x) low = mid + 1;
      else high = mid;
    }
    return popular[low]!;
  };

  const candidateLists: number[][] = [];
  const listers: number[][] = Array.from({ length: jobCount }, () => []);
  const stamp = new Int32Array(jobCount).fill(-1);
  for (let c = 0; c < candidateCount; c++) {
    const list: number[] = [];
    const length = Math.min(int(40, 60), jobCount);
    while (list.length < length) {
      const j = drawJob();
      if (stamp[j] === c) continue;
      stamp[j] = c;
      list.push(j);
      listers[j]!.push(c);
    }
    candidateLists.push(list);
  }

  const quality = Float64Array.from({ length: candidateCount }, () => random());
  let longest = 0;
  let cut = 0;
  const jobs: AllocationJob[] = listers.map((list, j) => {
    longest = Math.max(longest, list.length);
    const score = new Map(list.map((c) => [c, 0.6 * quality[c]! + 0.4 * random()]));
    const ordered = list
      .sort((a, b) => score.get(b)! - score.get(a)!)
      .slice(0, ALLOCATION_LIMITS.listEntries);
    cut += list.length - ordered.length;
    return { id: jobIds[j]!, capacity: int(1, 20), preferences: ordered.map((c) => candidateIds[c]!) };
  });
  const candidates = candidateLists.map((list, c) => ({
    id: candidateIds[c]!,
    preferences: list.map((j) => jobIds[j]!),
  }));
  const fresh = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
  const entries = candidates.reduce((n, c) => n + c.preferences.length, 0);
  const jobEntries = jobs.reduce((n, j) => n + j.preferences.length, 0);
  return {
    input: { candidates: candidates.map(fresh), jobs: jobs.map(fresh) },
    stats: {
      candidateEntries: entries,
      jobEntries,
      longestJobListBeforeCut: longest,
      entriesCutFromJobLists: cut,
      totalCapacity: jobs.reduce((n, j) => n + j.capacity, 0),
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time<T>(run: () => T): [T, number] {
  const start = performance.now();
  const value = run();
  return [value, performance.now() - start];
}

const loadAtStart = os.loadavg()[0] ?? 0;
say(`generating ${candidateCount} candidates × ${jobCount} jobs (seed ${seed}) …`);
const [{ input, stats }, generateMs] = time(generate);
say(`generated in ${(generateMs / 1000).toFixed(1)} s: ${JSON.stringify(stats)}`);

const timings = { validateMs: [] as number[], allocateMs: [] as number[], blockingPairsMs: [] as number[] };
let outcome = { assigned: 0, unassigned: 0, blockingPairs: -1, problems: -1, valid: false };
for (let run = 1; run <= RUNS; run++) {
  const [problems, validateMs] = time(() => validateAllocationInput(input));
  const [result, allocateMs] = time(() => allocate(input));
  const [blockingPairs, blockingPairsMs] = time(() => countBlockingPairs(input, result));
  timings.validateMs.push(validateMs);
  timings.allocateMs.push(allocateMs);
  timings.blockingPairsMs.push(blockingPairsMs);
  if (run === 1) {
    outcome = {
      assigned: result.assignments.length,
      unassigned: result.unassigned.length,
      blockingPairs,
      problems: problems.length,
      valid: isValidAllocation(input, result),
    };
  }
  say(
    `run ${run}: validate ${validateMs.toFixed(0)} ms, allocate ${allocateMs.toFixed(0)} ms, ` +
      `blocking pairs ${blockingPairsMs.toFixed(0)} ms (${blockingPairs} found)`,
  );
}

const medians = {
  validateMs: Math.round(median(timings.validateMs)),
  allocateMs: Math.round(median(timings.allocateMs)),
  blockingPairsMs: Math.round(median(timings.blockingPairsMs)),
};
say(`median of ${RUNS}: ${JSON.stringify(medians)}`);
say(`outcome: ${JSON.stringify(outcome)}`);
const targetMet = medians.allocateMs <= 2000 && outcome.blockingPairs === 0 && outcome.valid;
say(`target allocate ≤ 2000 ms with 0 blocking pairs: ${targetMet ? 'met' : 'NOT met'}`);

const cpus = os.cpus();
const report = {
  generatedBy: 'node bench/allocation.ts',
  date: new Date().toISOString(),
  machine: {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    totalMemoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    /** Other work on the machine skews the figures; the 1-minute load average at the start. */
    loadAverageAtStart: Math.round(loadAtStart * 100) / 100,
  },
  settings: { seed, candidates: candidateCount, jobs: jobCount, runs: RUNS },
  market: stats,
  target: { allocateMs: 2000 },
  medians,
  runs: timings,
  outcome,
  targetMet,
};
const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'results');
await mkdir(dir, { recursive: true });
await writeFile(join(dir, 'allocation.json'), `${JSON.stringify(report, null, 2)}\n`);
say(`written to ${join(dir, 'allocation.json')}`);
if (!targetMet) process.exitCode = 1;
