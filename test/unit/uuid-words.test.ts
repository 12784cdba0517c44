import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareIds, idToWords, wordsToId } from '../../src/matching/engine/uuid-words.ts';

describe('uuid words', () => {
  it('turns an id into four words and back, lowercase, at any row', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.nat(7), (id, row) => {
        const ids = new Uint32Array(32);
        ids.set(idToWords(id.toUpperCase()), row * 4);
        expect(wordsToId(ids, row)).toBe(id.toLowerCase());
      }),
      { seed: 11, numRuns: 500 },
    );
    for (const id of [
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      randomUUID(),
    ])
      expect(wordsToId(idToWords(id), 0)).toBe(id);
  });

  it('orders rows as their ids sort as strings', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), (a, b) => {
        const ids = new Uint32Array(8);
        ids.set(idToWords(a), 0);
        ids.set(idToWords(b), 4);
        expect(Math.sign(compareIds(ids, 0, ids, 1))).toBe(a < b ? -1 : a > b ? 1 : 0);
      }),
      { seed: 12, numRuns: 300 },
    );
  });
});
