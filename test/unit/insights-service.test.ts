import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { insightsOf } from '../../src/insights/service.ts';
import { countsLayout } from '../../src/matching/engine/insights-pass.ts';
import { InsightsBusy, type InsightsPool } from '../../src/matching/engine/insights-pool.ts';
import { MatchIndex } from '../../src/matching/index.ts';
import { buildCatalog } from '../../src/questionnaires/loader.ts';
import { bruteForceInsights } from '../support/insights-oracle.ts';
import { arbMarket } from '../support/random-market.ts';

/** insightsOf: a pass during which the market changed is not trusted; the last resort runs where nothing interleaves. */

const WORKSPACE = '00000000-0000-4000-8000-00000000000a';

/** A market of random candidates, and a pool whose every pass sees a write land meanwhile (and answers garbage). */
function changingMarket() {
  const [market] = fc.sample(arbMarket(), { numRuns: 1, seed: 7 });
  const q = market!.questionnaire;
  const index = new MatchIndex(buildCatalog([q]));
  const version = { questionnaireId: q.id, questionnaireVersion: q.version };
  for (const c of market!.candidates) {
    index.apply(WORKSPACE, 'candidate', {
      id: c.id,
      minScore: c.minScore,
      answers: { ...version, answers: c.answers },
    });
  }
  const job = market!.jobs[0]!;
  const subject = {
    side: 'job' as const,
    id: job.id,
    minScore: job.minScore,
    answers: { ...version, answers: job.answers },
  };
  const passes = { count: 0 };
  const pool = {
    turn: (work: () => Promise<Int32Array>) => work(),
    count: async () => {
      passes.count++;
      index.marketOf(WORKSPACE, version).writes.candidate++;
      return new Int32Array(countsLayout(q.criteria.length).length).fill(99);
    },
  } as unknown as InsightsPool;
  return { market: market!, version, index, pool, subject, passes };
}

describe('insights service', () => {
  it('answers busy, not a pass on the calling thread, when a large market keeps changing under its passes', async () => {
    const { index, pool, subject } = changingMarket();
    // A calling-thread limit below the market's rows stands for a market too large to count there.
    await expect(insightsOf(index, pool, WORKSPACE, subject, 'harmonic', 0)).rejects.toBeInstanceOf(
      InsightsBusy,
    );
  });

  it('runs the pass again when the market changed under it, and finally on the calling thread', async () => {
    const { market, version, index, pool, subject, passes } = changingMarket();
    const insights = await insightsOf(index, pool, WORKSPACE, subject, 'geometric');
    expect(passes.count).toBe(3);
    expect(insights).toEqual({
      subjectId: subject.id,
      side: 'job',
      ...version,
      ...bruteForceInsights(market.questionnaire, 'job', market.jobs[0]!, market.candidates, 'geometric'),
    });
  });
});
