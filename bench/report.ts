/** Bench results: the JSON file per date and machine, the markdown table and the latency chart. */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { InterestResult } from './interest.ts';
import type { LatencyResult, ThroughputResult } from './load.ts';
import type { Baseline, SpotCheck } from './reference.ts';

/** The targets of docs/operations.md#performance-targets; `at` is the size a target is defined for (none: every size). */
export const targets = {
  ingestPerSecond: { min: 10_000, label: '≥ 10,000 candidates/s' },
  bytesPerProfile: { max: 300, label: '≤ 300 bytes/profile' },
  startupSeconds: { max: 10, at: 1_000_000, label: '≤ 10 s at 1M' },
  p95Ms: { max: 50, at: 1_000_000, label: 'p95 ≤ 50 ms at 1M' },
  rps8: { min: 300, at: 100_000, label: '≥ 300 req/s at 100k, 8 clients' },
  speedup: { min: 20, at: 100_000, label: '≥ 20× the naive baseline at 100k' },
  interestP95Ms: { max: 10, at: 1_000_000, label: 'interest on a non-acceptable pair p95 ≤ 10 ms at 1M' },
} as const;

export type Verdict = 'pass' | 'miss' | 'n/a';

export interface SizeResult {
  n: number;
  jobs: number;
  employers: number;
  ranAt: string;
  /** The commit measured; src/, migrations/ and questionnaires/ files that differed from it. */
  source: { commit: string; uncommittedSourceFiles: number };
  generate: { seconds: number; megabytes: number };
  ingest: {
    candidatesPerSecond: number;
    candidatesSeconds: number;
    jobsSeconds: number;
    employersSeconds: number;
    vacuumAnalyzeSeconds: number;
    /** CPU the service used over the whole ingest (employers, jobs, candidates), in cores. */
    serviceCpuCores: number;
    /** CPU per ingested candidate while the candidates were sent: the service and its PostgreSQL backends. */
    cpuMicrosPerCandidate?: { service: number; postgres: number };
  };
  startup: {
    seconds: number;
    indexMs: number;
    profiles: number;
    indexBytes: number;
    bytesPerProfile: number;
  };
  memory: { rssMb: number; peakMb: number; rssAfterThroughputMb: number };
  latency: LatencyResult;
  throughput: ThroughputResult & {
    serviceCpuCores: number;
    /** CPU per listing of the service, the database server's backends of the bench database, and the bench client (absent in older results). */
    cpuMsPerListing?: { service: number; postgres: number; client: number } | undefined;
    /** Transactions committed in the bench database per listing (absent in older results). */
    commitsPerListing?: number | undefined;
    /** Start and end of the run on the monotonic clock, µs (what bench/cost-model.ts cuts profiles by). */
    windowUs?: number[] | undefined;
  };
  /** absent in results from before the interest row */
  interest?: InterestResult | undefined;
  correctness: SpotCheck | { skipped: string };
  baseline?: (Baseline & { speedup: number }) | undefined;
  verdicts: Record<keyof typeof targets | 'identical', Verdict>;
  loadAverage: { before: number[]; after: number[] };
}

export interface BenchResults {
  generatedBy: string;
  date: string;
  machine: Record<string, string | number>;
  settings: Record<string, string | number>;
  targets: typeof targets;
  sizes: SizeResult[];
}

export function verdictsOf(result: Omit<SizeResult, 'verdicts'>): SizeResult['verdicts'] {
  const judge = (key: keyof typeof targets, value: number | undefined): Verdict => {
    const target: { min?: number; max?: number; at?: number } = targets[key];
    if (value === undefined || Number.isNaN(value)) return 'n/a';
    if (target.at !== undefined && target.at !== result.n) return 'n/a';
    if (target.min !== undefined) return value >= target.min ? 'pass' : 'miss';
    return value <= target.max! ? 'pass' : 'miss';
  };
  return {
    ingestPerSecond: judge('ingestPerSecond', result.ingest.candidatesPerSecond),
    bytesPerProfile: judge('bytesPerProfile', result.startup.bytesPerProfile),
    startupSeconds: judge('startupSeconds', result.startup.seconds),
    p95Ms: judge('p95Ms', result.latency.p95),
    rps8: judge('rps8', result.throughput.rps),
    speedup: judge('speedup', result.baseline?.speedup),
    interestP95Ms: judge('interestP95Ms', result.interest?.p95),
    identical: 'skipped' in result.correctness ? 'n/a' : result.correctness.identical ? 'pass' : 'miss',
  };
}

/** Adds this run's sizes to the day's file for this machine (a size run again replaces the old one). */
export async function mergeResults(path: string, fresh: BenchResults): Promise<BenchResults> {
  if (!existsSync(path)) return fresh;
  const old = JSON.parse(await readFile(path, 'utf8')) as BenchResults;
  const sizes = new Map(old.sizes.map((s) => [s.n, s]));
  for (const size of fresh.sizes) sizes.set(size.n, size);
  return { ...fresh, sizes: [...sizes.values()].sort((a, b) => a.n - b.n) };
}

const mark = (verdict: Verdict) => (verdict === 'pass' ? ' ✅' : verdict === 'miss' ? ' ❌' : '');
const num = (x: number, digits = 0) =>
  x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const sizeLabel = (n: number) =>
  n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n);

export function markdownTable(results: BenchResults): string {
  const m = results.machine;
  const lines = [
    `Measured ${results.date} on ${m.cpuModel} (${m.cores} cores, ${m.totalMemoryGb} GB), Node ${m.node}, ${m.postgres}.`,
    '',
    '| N candidates | ingest cand/s | start-up s | bytes/profile | RSS MB | p50 ms | p95 ms | p99 ms | req/s, 8 clients | naive baseline | identical to reference | interest, not acceptable: p50 / p95 ms |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---:|',
  ];
  for (const s of results.sizes) {
    const v = s.verdicts;
    const baseline = s.baseline
      ? `${num(s.baseline.medianMs)} ms, ${num(s.baseline.speedup, 1)}×${mark(v.speedup)}`
      : '—';
    const identical =
      'skipped' in s.correctness
        ? 'not checked'
        : s.correctness.identical
          ? `yes (${s.correctness.jobs} jobs)`
          : 'NO';
    const interest = s.interest
      ? `${num(s.interest.p50, 1)} / ${num(s.interest.p95, 1)}${mark(v.interestP95Ms ?? 'n/a')}`
      : '—';
    lines.push(
      `| ${sizeLabel(s.n)} | ${num(s.ingest.candidatesPerSecond)}${mark(v.ingestPerSecond)} | ${num(s.startup.seconds, 1)}${mark(v.startupSeconds)} | ${num(s.startup.bytesPerProfile)}${mark(v.bytesPerProfile)} | ${num(s.memory.rssMb)} | ${num(s.latency.p50, 1)} | ${num(s.latency.p95, 1)}${mark(v.p95Ms)} | ${num(s.latency.p99, 1)} | ${num(s.throughput.rps)}${mark(v.rps8)} | ${baseline} | ${identical}${mark(v.identical)} | ${interest} |`,
    );
  }
  lines.push(
    '',
    `Targets (docs/operations.md#performance-targets): ${Object.values(targets)
      .map((t) => t.label)
      .join(
        '; ',
      )}; results identical to the reference scorer. ✅/❌ only where a target is defined for that N.`,
    `Latency: ${results.settings.latencyRequests} sequential GET /v1/jobs/{id}/matches?limit=50 over random jobs after ${results.settings.warmup} warm-up, one client; throughput: ${results.settings.throughputClients} closed-loop clients for ${results.settings.throughputSeconds} s; interest: sequential POST /v1/jobs/{id}/introductions/{candidateId} \`interested\` on random pairs that are not acceptable (409), one client. Jobs = N/100. Start-up = spawn until /readyz answers 200.`,
  );
  return `${lines.join('\n')}\n`;
}

/** A small hand-written SVG line chart: p50/p95/p99 against N (log scale), with the 50 ms target. */
export function latencyChart(results: BenchResults): string {
  const sizes = results.sizes;
  const width = 640;
  const height = 380;
  const left = 60;
  const right = 150;
  const top = 40;
  const bottom = 50;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const logs = sizes.map((s) => Math.log10(s.n));
  const xMin = Math.min(...logs, 4) - 0.15;
  const xMax = Math.max(...logs, 6) + 0.15;
  const yMaxData = Math.max(60, ...sizes.map((s) => s.latency.p99));
  const yStep = niceStep(yMaxData / 5);
  const yMax = Math.ceil((yMaxData * 1.05) / yStep) * yStep;
  const round = (v: number) => Math.round(v * 10) / 10;
  const x = (n: number) => round(left + ((Math.log10(n) - xMin) / (xMax - xMin)) * plotW);
  const y = (ms: number) => round(top + plotH - (ms / yMax) * plotH);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${left}" y="22" font-size="14" font-weight="bold">Top-50 matches for a job: latency against N candidates</text>`,
  ];
  for (let ms = 0; ms <= yMax; ms += yStep) {
    out.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${y(ms)}" y2="${y(ms)}" stroke="#e5e5e5"/>`,
      `<text x="${left - 8}" y="${y(ms) + 4}" text-anchor="end">${ms}</text>`,
    );
  }
  for (let e = Math.ceil(xMin); e <= Math.floor(xMax); e++) {
    const n = 10 ** e;
    out.push(
      `<line x1="${x(n)}" x2="${x(n)}" y1="${top}" y2="${top + plotH}" stroke="#e5e5e5"/>`,
      `<text x="${x(n)}" y="${top + plotH + 18}" text-anchor="middle">${sizeLabel(n)}</text>`,
    );
  }
  out.push(
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
    `<text x="${left + plotW / 2}" y="${height - 10}" text-anchor="middle">N candidates (log scale), jobs = N/100</text>`,
    `<text transform="translate(16 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">ms, 1 client over HTTP</text>`,
    `<line x1="${left}" x2="${left + plotW}" y1="${y(50)}" y2="${y(50)}" stroke="#d62728" stroke-dasharray="6 4"/>`,
    `<text x="${left + plotW + 8}" y="${y(50) + 4}" fill="#d62728">target p95 50 ms</text>`,
  );
  const series = [
    ['p50', '#1f77b4'],
    ['p95', '#ff7f0e'],
    ['p99', '#2ca02c'],
  ] as const;
  series.forEach(([key, color], i) => {
    const points = sizes.map((s) => `${x(s.n)},${y(s.latency[key])}`);
    out.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const s of sizes) {
      out.push(`<circle cx="${x(s.n)}" cy="${y(s.latency[key])}" r="3.5" fill="${color}"/>`);
    }
    const ly = top + 20 + i * 20;
    out.push(
      `<line x1="${left + plotW + 8}" x2="${left + plotW + 28}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${left + plotW + 34}" y="${ly + 4}">${key}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

const START = '<!-- bench:latest:start -->';
const END = '<!-- bench:latest:end -->';

/** Replaces the table between the markers in bench/README.md (left alone when the markers are gone). */
export async function updateReadme(path: string, table: string, resultFile: string): Promise<boolean> {
  if (!existsSync(path)) return false;
  const text = await readFile(path, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) return false;
  const section = `${START}\n${table}\nFull figures: [\`${resultFile}\`](${resultFile}); chart: [\`results/latency.svg\`](results/latency.svg).\n\n![latency against N](results/latency.svg)\n`;
  await writeFile(path, `${text.slice(0, from)}${section}${text.slice(to)}`);
  return true;
}
