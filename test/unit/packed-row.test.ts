import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProfileStore } from '../../src/matching/engine/columnar-store.ts';
import { compileLayout } from '../../src/matching/engine/layout.ts';
import { packAnswers, upsertPacked } from '../../src/matching/engine/packed-row.ts';
import { rankAgainst } from '../../src/matching/engine/search.ts';
import { arbMarket } from '../support/random-market.ts';

describe('packed index rows', () => {
  it('load into a store that ranks exactly as one built from the answers', () => {
    fc.assert(
      fc.property(arbMarket(), (market) => {
        const layout = compileLayout(market.questionnaire);
        const fromAnswers = { jobs: new ProfileStore(layout), candidates: new ProfileStore(layout) };
        const fromPacked = { jobs: new ProfileStore(layout), candidates: new ProfileStore(layout) };
        for (const side of ['jobs', 'candidates'] as const) {
          const profiles = market[side];
          const rows = packAnswers(
            layout,
            profiles.map((p) => p.answers),
          );
          profiles.forEach((profile, i) => {
            fromAnswers[side].upsert(profile);
            expect(upsertPacked(fromPacked[side], profile, rows[i]!)).toBe(true);
          });
        }
        for (const job of market.jobs) {
          const request = { limit: 1_000, method: 'harmonic' as const };
          const expected = rankAgainst(
            fromAnswers.jobs,
            fromAnswers.jobs.slotOf(job.id),
            fromAnswers.candidates,
            request,
          );
          const actual = rankAgainst(
            fromPacked.jobs,
            fromPacked.jobs.slotOf(job.id),
            fromPacked.candidates,
            request,
          );
          expect(actual.rows.map((r) => [fromPacked.candidates.idAt(r.slot), r.score, r.scoreLower])).toEqual(
            expected.rows.map((r) => [fromAnswers.candidates.idAt(r.slot), r.score, r.scoreLower]),
          );
        }
      }),
      { numRuns: 200 },
    );
  });
});
