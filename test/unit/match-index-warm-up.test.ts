import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MatchIndex } from '../../src/matching/index.ts';
import { buildCatalog } from '../../src/questionnaires/loader.ts';
import { arbMarket } from '../support/random-market.ts';

const WS = ['00000000-0000-4000-8000-00000000a11a', '00000000-0000-4000-8000-00000000b22b'];

/**
 * The warm-up after the start-up load (MatchIndex.warmUp): one listing each way of the largest
 * market, ranked and thrown away. It must work on any index a load can leave, change nothing and
 * count as no listing in the metrics.
 */
describe('the match index warm-up', () => {
  it('runs on an empty index, a market of one side only and several workspaces, and leaves every listing as it was', () => {
    fc.assert(
      fc.property(arbMarket(), fc.boolean(), fc.boolean(), (market, withJobs, withCandidates) => {
        const index = new MatchIndex(buildCatalog([market.questionnaire]));
        const listings: string[] = [];
        index.onListing = (side) => listings.push(side);
        index.warmUp();
        const version = {
          questionnaireId: market.questionnaire.id,
          questionnaireVersion: market.questionnaire.version,
        };
        WS.forEach((ws, w) => {
          const jobs = withJobs ? market.jobs : [];
          const candidates = withCandidates || w === 1 ? market.candidates.slice(w) : [];
          for (const job of jobs)
            index.apply(ws, 'job', { ...job, open: true, answers: { ...version, answers: job.answers } });
          for (const candidate of candidates)
            index.apply(ws, 'candidate', {
              ...candidate,
              answers: { ...version, answers: candidate.answers },
            });
        });
        const request = { limit: 10, method: 'harmonic' as const };
        const before = market.jobs.map((job) => index.matchesOf(WS[0]!, 'job', job.id, request));
        listings.length = 0;
        index.warmUp();
        expect(listings).toEqual([]);
        expect(market.jobs.map((job) => index.matchesOf(WS[0]!, 'job', job.id, request))).toEqual(before);
      }),
      { numRuns: 40 },
    );
  });
});
