/** Latency (one client, sequential) and throughput (N closed-loop clients) of the match listing. */
import type { ApiClient } from './http.ts';
import { keepAliveAgent } from './http.ts';
import type { Rng } from './random.ts';

export const matchesPath = (jobId: string, limit = 50) => `/v1/jobs/${jobId}/matches?limit=${limit}`;

export interface LatencyResult {
  requests: number;
  warmup: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
  /** Median number of matches a listing returned (50 unless a job has fewer acceptable candidates). */
  matchesMedian: number;
}

export interface ThroughputResult {
  clients: number;
  seconds: number;
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
}

export async function measureLatency(
  api: ApiClient,
  jobIds: readonly string[],
  r: Rng,
  options: { warmup: number; requests: number; afterWarmup?: () => void },
): Promise<LatencyResult> {
  const agent = keepAliveAgent(1);
  try {
    for (let i = 0; i < options.warmup; i++) await matches(api, r.pick(jobIds), agent);
    options.afterWarmup?.();
    const times: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < options.requests; i++) {
      const { ms, count } = await matches(api, r.pick(jobIds), agent);
      times.push(ms);
      counts.push(count);
    }
    return {
      requests: options.requests,
      warmup: options.warmup,
      ...percentiles(times),
      mean: round2(times.reduce((a, b) => a + b, 0) / times.length),
      max: round2(Math.max(...times)),
      matchesMedian: quantile(
        counts.sort((a, b) => a - b),
        0.5,
      ),
    };
  } finally {
    agent.destroy();
  }
}

export async function measureThroughput(
  api: ApiClient,
  jobIds: readonly string[],
  r: Rng,
  options: { clients: number; seconds: number },
): Promise<ThroughputResult> {
  const agent = keepAliveAgent(options.clients);
  const times: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  // A bound on count too, whatever the speed: 10,000 requests per second per client at most.
  const cap = options.clients * options.seconds * 10_000;
  const client = async () => {
    while (performance.now() < deadline && times.length + errors < cap) {
      try {
        const { ms } = await matches(api, r.pick(jobIds), agent);
        times.push(ms);
      } catch {
        errors++;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.clients }, client));
  } finally {
    agent.destroy();
  }
  const elapsed = (performance.now() - started) / 1000;
  return {
    clients: options.clients,
    seconds: round2(elapsed),
    requests: times.length,
    errors,
    rps: round1(times.length / elapsed),
    ...percentiles(times),
  };
}

async function matches(api: ApiClient, jobId: string, agent: ReturnType<typeof keepAliveAgent>) {
  const answer = await api.get(matchesPath(jobId), agent);
  if (answer.status !== 200) {
    throw new Error(`GET ${matchesPath(jobId)}: HTTP ${answer.status}: ${answer.body.slice(0, 300)}`);
  }
  const body = JSON.parse(answer.body) as { matches: unknown[] };
  return { ms: answer.ms, count: body.matches.length };
}

export function percentiles(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    p50: round2(quantile(sorted, 0.5)),
    p95: round2(quantile(sorted, 0.95)),
    p99: round2(quantile(sorted, 0.99)),
  };
}

/** Nearest-rank quantile of sorted values (NaN when empty). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

export const round1 = (x: number) => Math.round(x * 10) / 10;
export const round2 = (x: number) => Math.round(x * 100) / 100;
