import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MatchIndex } from '../../src/matching/index.ts';
import { scorePair } from '../../src/matching/score.ts';
import type { ScoreMethod } from '../../src/matching/types.ts';
import { buildCatalog } from '../../src/questionnaires/loader.ts';
import { arbId, arbMarket, propertyRuns, type RandomMarket } from '../support/random-market.ts';

/**
 * The exact pair check (MatchIndex.pairOf, src/matching/engine/pair-check.ts) against the listings and the
 * reference scorer on random markets, with closed jobs and removed candidates: for every pair,
 * it answers exactly when the job's full listing holds the candidate, with that listing's row,
 * and the reference scorer calls the pair acceptable exactly then.
 */

const runs = propertyRuns(300);
const WORKSPACE = '00000000-0000-4000-8000-000000000001';

interface Case {
  market: RandomMarket;
  method: ScoreMethod;
  closed: boolean[];
  removed: boolean[];
}

const arbCase = (): fc.Arbitrary<Case> =>
  arbMarket().chain((market) =>
    fc.record({
      market: fc.constant(market),
      method: fc.constantFrom<ScoreMethod>('harmonic', 'geometric', 'min'),
      closed: fc.array(fc.boolean(), { minLength: market.jobs.length, maxLength: market.jobs.length }),
      removed: fc.array(fc.boolean(), {
        minLength: market.candidates.length,
        maxLength: market.candidates.length,
      }),
    }),
  );

function indexOf({ market, closed, removed }: Case): MatchIndex {
  const index = new MatchIndex(buildCatalog([market.questionnaire]));
  const { id: questionnaireId, version: questionnaireVersion } = market.questionnaire;
  const apply = (side: 'job' | 'candidate', profile: RandomMarket['candidates'][number], open = true) =>
    index.apply(WORKSPACE, side, {
      ...profile,
      open,
      answers: { questionnaireId, questionnaireVersion, answers: profile.answers },
    });
  market.jobs.forEach((job, i) => {
    apply('job', job, !closed[i]);
  });
  market.candidates.forEach((candidate, i) => {
    apply('candidate', candidate);
    if (removed[i]) index.remove(WORKSPACE, 'candidate', candidate.id);
  });
  return index;
}

describe('the exact pair check', () => {
  it('holds a pair exactly when the full listing does, with its row, and when the reference accepts it', () => {
    fc.assert(
      fc.property(arbCase(), (c) => {
        const { market, method } = c;
        const index = indexOf(c);
        market.jobs.forEach((job, j) => {
          const listing = index.matchesOf(WORKSPACE, 'job', job.id, {
            limit: market.candidates.length + 5,
            method,
          });
          const listed = new Map(listing?.rows.map((row) => [row.id, row]));
          market.candidates.forEach((candidate, k) => {
            const pair = index.pairOf(WORKSPACE, job.id, candidate.id, method);
            const row = listed.get(candidate.id);
            expect(pair).toEqual(
              row && {
                score: row.score,
                scoreLower: row.scoreLower,
                employerSatisfaction: row.subjectSatisfaction,
                candidateSatisfaction: row.otherSatisfaction,
              },
            );
            const reference = scorePair(market.questionnaire, job, candidate, method);
            const present = !c.closed[j] && !c.removed[k];
            expect(pair !== undefined).toBe(present && reference.acceptable);
            if (pair) {
              const { acceptable: _a, dealbreakers: _d, ...scores } = reference;
              expect(pair).toEqual(scores);
            }
          });
        });
      }),
      runs,
    );
  });

  it('agrees with the candidate side: the candidate’s listing holds the job exactly when the pair check does', () => {
    fc.assert(
      fc.property(arbCase(), (c) => {
        const index = indexOf(c);
        for (const candidate of c.market.candidates) {
          const listing = index.matchesOf(WORKSPACE, 'candidate', candidate.id, {
            limit: c.market.jobs.length + 5,
            method: c.method,
          });
          const listed = new Set(listing?.rows.map((row) => row.id));
          for (const job of c.market.jobs) {
            expect(index.pairOf(WORKSPACE, job.id, candidate.id, c.method) !== undefined).toBe(
              listed.has(job.id),
            );
          }
        }
      }),
      runs,
    );
  });

  it('holds no pair of an unknown job or candidate, nor one in another workspace', () => {
    fc.assert(
      fc.property(arbCase(), arbId(), (c, stranger) => {
        const index = indexOf(c);
        const job = c.market.jobs[0]!;
        const candidate = c.market.candidates[0];
        expect(index.pairOf(WORKSPACE, stranger, candidate?.id ?? stranger, c.method)).toBeUndefined();
        expect(index.pairOf(WORKSPACE, job.id, stranger, c.method)).toBeUndefined();
        if (candidate) {
          const other = '00000000-0000-4000-8000-000000000002';
          expect(index.pairOf(other, job.id, candidate.id, c.method)).toBeUndefined();
        }
      }),
      { ...runs, numRuns: 50 },
    );
  });
});
