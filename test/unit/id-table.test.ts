import { describe, expect, it } from 'vitest';
import { IdTable } from '../../src/matching/engine/id-table.ts';
import { idToWords } from '../../src/matching/engine/uuid-words.ts';

const idOf = (k: number) => `00000000-0000-7000-8000-${k.toString(16).padStart(12, '0')}`;

/** A table and the ids array it reads (as a store's), with a Map as the reference. */
function tableOf(rows: number, capacity: number) {
  const ids = new Uint32Array(capacity * 4);
  const table = new IdTable(rows);
  const reference = new Map<number, number>();
  return {
    table,
    ids,
    reference,
    set(k: number, slot: number) {
      const words = idToWords(idOf(k));
      ids.set(words, slot * 4);
      table.set(words, slot, ids);
      reference.set(k, slot);
    },
    delete(k: number) {
      table.delete(idToWords(idOf(k)), ids);
      reference.delete(k);
    },
    get: (k: number) => table.get(idToWords(idOf(k)), ids),
  };
}

describe('the id table growing', () => {
  it('moves into a larger table a few entries a write, finding every id meanwhile', () => {
    const t = tableOf(1024, 20_000);
    let k = 0;
    while (!t.table.growing) t.set(k, k++);
    const started = k;
    // Growth is under way for many writes, every id found in the new table or the old one.
    for (let i = 0; i < 20; i++) {
      t.set(k, k++);
      expect(t.table.growing).toBe(true);
      for (let j = 0; j < k; j++) expect(t.get(j)).toBe(j);
    }
    while (t.table.growing) t.set(k, k++);
    expect(k - started).toBeGreaterThan(20);
    for (let j = 0; j < k; j++) expect(t.get(j)).toBe(j);
    expect(t.get(k + 1)).toBe(-1);
  });

  it('answers as a Map does through growths, deletions and reused slots', () => {
    const t = tableOf(16, 40_000);
    const free: number[] = [];
    let next = 0;
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let step = 0; step < 60_000; step++) {
      const k = Math.floor(random() * 30_000);
      if (t.reference.has(k)) {
        if (random() < 0.4) {
          free.push(t.reference.get(k)!);
          t.delete(k);
        }
      } else t.set(k, free.pop() ?? next++);
      if (step % 997 === 0)
        for (let j = 0; j < 30_000; j += 7) expect(t.get(j)).toBe(t.reference.get(j) ?? -1);
    }
    for (let j = 0; j < 30_000; j++) expect(t.get(j)).toBe(t.reference.get(j) ?? -1);
  });

  it('makes room at once when a load reserves it, growing nothing while it fills', () => {
    const t = tableOf(16, 5_000);
    for (let k = 0; k < 10; k++) t.set(k, k);
    t.table.reserve(5_000, t.ids);
    expect(t.table.growing).toBe(false);
    for (let k = 10; k < 5_000; k++) {
      t.set(k, k);
      expect(t.table.growing).toBe(false);
    }
    for (let k = 0; k < 5_000; k++) expect(t.get(k)).toBe(k);
  });
});
