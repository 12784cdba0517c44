import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProfileStore } from '../../src/matching/engine/columnar-store.ts';
import { compileLayout } from '../../src/matching/engine/layout.ts';
import {
  blockCopier,
  cellCopier,
  layoutKey,
  packAnswers,
  packedSize,
  upsertPacked,
} from '../../src/matching/engine/packed-row.ts';
import { encodeAnswers } from '../../src/matching/engine/row-encoding.ts';
import { rankAgainst } from '../../src/matching/engine/search.ts';
import { loadMini } from '../support/matching-factories.ts';
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

  it('do not depend on the rows packed before them (one scratch row is reused)', () => {
    fc.assert(
      fc.property(arbMarket(), (market) => {
        const sets = [...market.jobs, ...market.candidates].map((p) => p.answers);
        const together = packAnswers(compileLayout(market.questionnaire), [...sets, ...sets.toReversed()]);
        // A layout of its own is a scratch store of its own: each set packed into fresh cells.
        const alone = sets.map((answers) => packAnswers(compileLayout(market.questionnaire), [answers])[0]!);
        expect(together).toEqual([...alone, ...alone.toReversed()]);
      }),
      { numRuns: 100 },
    );
  });

  it('are copied out alike by blocks (little-endian machines) and cell by cell (others)', () => {
    fc.assert(
      fc.property(arbMarket(), (market) => {
        const store = new ProfileStore(compileLayout(market.questionnaire), 1);
        const [byBlocks, byCells] = [blockCopier(store), cellCopier(store)];
        for (const { answers } of [...market.jobs, ...market.candidates]) {
          encodeAnswers(store, 0, answers);
          const [a, b] = [
            Buffer.alloc(packedSize(store.layout), 1),
            Buffer.alloc(packedSize(store.layout), 2),
          ];
          byBlocks(a);
          byCells(b);
          expect(a).toEqual(b);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('keep their layout key: rows stored by earlier versions still load packed', async () => {
    // kind codes (single 0, multi 1, scale 2, number 3, profile 4, date 5), values per code, dimensions
    expect(layoutKey(compileLayout(await loadMini()))).toBe('1:mini@1:0.2.0,1.0.0,2.3.0,3.0.0,4.0.3,5.0.0');
  });

  it('refuse a row of another size, changing nothing', async () => {
    const layout = compileLayout(await loadMini());
    const store = new ProfileStore(layout);
    const [row] = packAnswers(layout, [{}]);
    const profile = { id: '00000000-0000-4000-8000-000000000001', minScore: 0.5 };
    expect(upsertPacked(store, profile, row!.subarray(1))).toBe(false);
    expect(store.slotOf(profile.id)).toBe(-1);
    expect(upsertPacked(store, profile, row!)).toBe(true);
    expect(store.slotOf(profile.id)).toBe(0);
  });
});
