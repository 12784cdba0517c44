import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ProfileStore } from '../../src/matching/engine/columnar-store.ts';
import { compileLayout, type Layout } from '../../src/matching/engine/layout.ts';
import { loadQuestionnaires } from '../../src/questionnaires/loader.ts';

const questionnairesDir = fileURLToPath(new URL('../../questionnaires', import.meta.url));

async function workFitLayout(): Promise<Layout> {
  return compileLayout((await loadQuestionnaires(questionnairesDir)).latest('work-fit')!);
}

const idOf = (k: number) => `00000000-0000-7000-8000-${k.toString(16).padStart(12, '0')}`;

/** Writes row k with cells that tell it apart: its number in a value column and in its minScore. */
function writeRow(store: ProfileStore, k: number): void {
  const { layout } = store;
  const numbersAt = layout.valueCells.indexOf('nums');
  store.write({ id: idOf(k), minScore: (k % 1000) / 1000 }, (slot) => {
    store.nums[layout.valueSlot[numbersAt]! * store.capacity + slot] = k;
    store.levels[slot * layout.record.bytes] = k % 5;
  });
}

function expectRows(store: ProfileStore, count: number): void {
  const { layout } = store;
  const numbersAt = layout.valueCells.indexOf('nums');
  for (let k = 0; k < count; k++) {
    const slot = store.slotOf(idOf(k));
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(store.nums[layout.valueSlot[numbersAt]! * store.capacity + slot]).toBe(k);
    expect(store.levels[slot * layout.record.bytes]).toBe(k % 5);
    expect(store.minScoreOf(slot)).toBe((k % 1000) / 1000);
  }
}

describe('a large store growing', () => {
  it('prepares its next arrays off the event loop once nearly full, and grows into them with every row kept', async () => {
    const store = new ProfileStore(await workFitLayout());
    let rows = 0;
    while (!store.preparing && rows < 400_000) writeRow(store, rows++);
    expect(store.preparing, 'a store of 8 MB or more, nearly full, prepares its growth').toBeDefined();
    const before = store.capacity;
    // Rows written while the helper thread maps the pages in go to the arrays in use, and move too.
    for (let i = 0; i < 100; i++) writeRow(store, rows++);
    await store.preparing;
    expect(store.preparedCapacity).toBe(Math.ceil(before * 1.5));
    while (store.capacity === before) writeRow(store, rows++);
    expect(store.capacity).toBe(Math.ceil(before * 1.5));
    expect(store.preparedCapacity).toBeUndefined();
    expectRows(store, rows);
  });

  it('keeps a sixteenth of room when the start-up load is trimmed', async () => {
    const store = new ProfileStore(await workFitLayout());
    store.reserve(20_000);
    for (let k = 0; k < 10_000; k++) writeRow(store, k);
    store.trim();
    expect(store.capacity).toBe(Math.ceil(10_000 * (1 + 1 / 16)));
    expectRows(store, 10_000);
    for (let k = 10_000; k < 10_625; k++) writeRow(store, k);
    expect(store.capacity, 'a sixteenth more rows fit without growing').toBe(10_625);
  });
});
