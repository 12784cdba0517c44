/**
 * Interest in an introduction on pairs that are not acceptable (docs/operations.md#performance-targets: ≤ 10 ms at 1M, one
 * exact pair check): POST /v1/jobs/{jobId}/introductions/{candidateId} `interested`, answered 409.
 */
import { type ApiClient, expectStatus, keepAliveAgent } from './http.ts';
import { percentiles, round2 } from './load.ts';
import type { Rng } from './random.ts';

export interface InterestResult {
  /** distinct non-acceptable pairs the requests go round */
  pairs: number;
  requests: number;
  warmup: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

const interestPath = (jobId: string, candidateId: string) => `/v1/jobs/${jobId}/introductions/${candidateId}`;

/**
 * Draws random pairs until `pairs` are found that are not acceptable (by their explanation, not
 * timed), then times `requests` sequential expressions of interest over them, one keep-alive
 * connection. Each must be refused with 409 `not_acceptable_pair` (so nothing is stored).
 */
export async function measureInterest(
  api: ApiClient,
  jobIds: readonly string[],
  candidateIds: readonly string[],
  r: Rng,
  options: { pairs: number; warmup: number; requests: number },
): Promise<InterestResult> {
  const pairs = await nonAcceptablePairs(api, jobIds, candidateIds, r, options.pairs);
  const agent = keepAliveAgent(1);
  const interest = async (i: number) => {
    const [jobId, candidateId] = pairs[i % pairs.length]!;
    const answer = await api.postJson(
      interestPath(jobId, candidateId),
      { action: 'interested', side: 'employer' },
      agent,
    );
    expectStatus(answer, 409, `POST ${interestPath(jobId, candidateId)}`);
    const code = (JSON.parse(answer.body) as { code?: string }).code;
    if (code !== 'not_acceptable_pair')
      throw new Error(`interest answered 409 ${code}, not not_acceptable_pair`);
    return answer.ms;
  };
  try {
    for (let i = 0; i < options.warmup; i++) await interest(i);
    const times: number[] = [];
    for (let i = 0; i < options.requests; i++) times.push(await interest(i));
    return {
      pairs: pairs.length,
      requests: options.requests,
      warmup: options.warmup,
      ...percentiles(times),
      max: round2(Math.max(...times)),
    };
  } finally {
    agent.destroy();
  }
}

async function nonAcceptablePairs(
  api: ApiClient,
  jobIds: readonly string[],
  candidateIds: readonly string[],
  r: Rng,
  wanted: number,
): Promise<[string, string][]> {
  const found = new Map<string, [string, string]>();
  for (let tries = 0; found.size < wanted && tries < 20 * wanted; tries++) {
    const pair: [string, string] = [r.pick(jobIds), r.pick(candidateIds)];
    if (found.has(pair.join())) continue;
    const answer = await api.get(`/v1/jobs/${pair[0]}/matches/${pair[1]}`);
    expectStatus(answer, 200, `GET /v1/jobs/${pair[0]}/matches/${pair[1]}`);
    const { explanation } = JSON.parse(answer.body) as { explanation: { acceptable: boolean } };
    if (!explanation.acceptable) found.set(pair.join(), pair);
  }
  if (found.size === 0) throw new Error('no pair that is not acceptable found among the sampled pairs');
  return [...found.values()];
}
