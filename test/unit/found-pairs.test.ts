import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AlertPair, FoundPairs } from '../../src/alerts/found-pairs.ts';
import { Turns } from '../../src/alerts/turns.ts';
import { idToWords } from '../../src/matching/engine/uuid-words.ts';
import type { IndexSide } from '../../src/matching/index.ts';

/** Few ids on each side, differing in one word or another: pairs collide, and near-misses abound. */
const ids = [
  '00000000-0000-4000-8000-000000000001',
  '00000000-0000-4000-8000-000000000002',
  '00000001-0000-4000-8000-000000000001',
  '00000000-0001-4000-8000-000000000001',
  'ffffffff-ffff-4fff-bfff-ffffffffffff',
];
const owners = ids.map((id) => id.replace(/^0/, 'a'));

const pairArb = fc.record({
  alertOf: fc.constantFrom<IndexSide>('job', 'candidate'),
  owner: fc.nat(owners.length - 1),
  other: fc.nat(ids.length - 1),
  score: fc.double({ min: 0, max: 1, noNaN: true }),
});
type Drawn = { alertOf: IndexSide; owner: number; other: number; score: number };

/** The pairs as an evaluation adds them: other ids read from a store's rows (here one row per id). */
function found(side: IndexSide, drawn: Drawn[], ownerOrder: number[]): FoundPairs {
  const rows = new Uint32Array(ids.length * 4);
  for (const [slot, id] of ids.entries()) rows.set(idToWords(id), slot * 4);
  const pairs = new FoundPairs(side);
  const numbers = new Map(ownerOrder.map((o) => [o, pairs.owner(owners[o]!)]));
  for (const p of drawn)
    pairs.add(p.alertOf, numbers.get(p.owner) ?? pairs.owner(owners[p.owner]!), rows, p.other, p.score);
  return pairs;
}

const asPair = (side: IndexSide, p: Drawn): AlertPair =>
  side === 'job'
    ? { alertOf: p.alertOf, jobId: owners[p.owner]!, candidateId: ids[p.other]!, score: p.score }
    : { alertOf: p.alertOf, jobId: ids[p.other]!, candidateId: owners[p.owner]!, score: p.score };
const keyOf = (p: AlertPair) => `${p.alertOf}:${p.jobId}:${p.candidateId}`;

describe('FoundPairs', () => {
  it('gives the pairs only after and only before as a diff of id strings would, whatever the owners’ numbering', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<IndexSide>('job', 'candidate'),
        fc.array(pairArb, { maxLength: 40 }),
        fc.array(pairArb, { maxLength: 40 }),
        fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 5 }),
        async (side, after, before, order) => {
          const a = found(side, after, [0, 1, 2, 3, 4]);
          const b = found(side, before, order);
          const inBefore = new Set(before.map((p) => keyOf(asPair(side, p))));
          const inAfter = new Set(after.map((p) => keyOf(asPair(side, p))));
          const turns = new Turns(0);
          const { created, removed } = await a.crossings(b, turns);
          expect([...created].map((i) => a.pairAt(i))).toEqual(
            after.map((p) => asPair(side, p)).filter((p) => !inBefore.has(keyOf(p))),
          );
          expect([...removed].map((j) => b.pairAt(j))).toEqual(
            before.map((p) => asPair(side, p)).filter((p) => !inAfter.has(keyOf(p))),
          );
          expect(await a.all(turns)).toEqual(after.map((p) => asPair(side, p)));
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });

  it('keeps the id a slot held when the pair was found, not what the slot holds later', async () => {
    const rows = new Uint32Array(4);
    rows.set(idToWords(ids[0]!));
    const pairs = new FoundPairs('job');
    pairs.add('job', pairs.owner(owners[0]!), rows, 0, 0.5);
    rows.set(idToWords(ids[4]!));
    expect(await pairs.all(new Turns())).toEqual([
      { alertOf: 'job', jobId: owners[0], candidateId: ids[0], score: 0.5 },
    ]);
  });

  it('holds many pairs (it grows), and compares them and makes their ids in turns', async () => {
    const rows = new Uint32Array(4 * 10_000);
    for (let slot = 0; slot < 10_000; slot++)
      rows.set(idToWords(`00000000-0000-4000-8000-${slot.toString(16).padStart(12, '0')}`), slot * 4);
    const after = new FoundPairs('candidate');
    const before = new FoundPairs('candidate');
    for (let slot = 0; slot < 10_000; slot++) after.add('job', after.owner(owners[0]!), rows, slot, 0.7);
    for (let slot = 1; slot < 10_000; slot += 2) before.add('job', before.owner(owners[0]!), rows, slot, 0.6);
    let pauses = 0;
    class Counting extends Turns {
      override pause() {
        pauses++;
        return super.pause();
      }
    }
    const { created, removed } = await after.crossings(before, new Counting(0));
    expect(removed).toEqual(new Int32Array(0));
    expect([...created].map((i) => after.pairAt(i).jobId)).toEqual(
      Array.from(
        { length: 5_000 },
        (_, k) => `00000000-0000-4000-8000-${(2 * k).toString(16).padStart(12, '0')}`,
      ),
    );
    // One pause per 4,096 pairs: keyed (5,000 of before), looked up (10,000 of after), and
    // looked over for the created (10,000 of after) and the removed (5,000 of before).
    expect(pauses).toBe(1 + 2 + 2 + 1);
    // And one per 4,096 pairs made into ids (all of after).
    expect((await after.all(new Counting(0))).length).toBe(10_000);
    expect(pauses).toBe(1 + 2 + 2 + 1 + 2);
  });

  it('refuses to compare pairs of changed jobs with pairs of changed candidates', async () => {
    await expect(new FoundPairs('job').crossings(new FoundPairs('candidate'), new Turns())).rejects.toThrow(
      /jobs/,
    );
  });
});
