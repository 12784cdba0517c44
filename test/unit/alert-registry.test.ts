import { describe, expect, it } from 'vitest';
import { AlertingSide } from '../../src/alerts/registry.ts';
import { idToWords } from '../../src/matching/engine/uuid-words.ts';
import { MatchIndex } from '../../src/matching/index.ts';
import { buildCatalog } from '../../src/questionnaires/loader.ts';
import { goodCandidate, loadMini } from '../support/matching-factories.ts';

const WS = '00000000-0000-4000-8000-0000000000ab';
const id = (i: number) => `00000000-0000-4000-8100-${i.toString(16).padStart(12, '0')}`;
const answers = { questionnaireId: 'mini', questionnaireVersion: 1 };

describe('AlertingSide', () => {
  it('keeps the alerting rows of a store as its slots are freed, reused and taken', async () => {
    const index = new MatchIndex(buildCatalog([await loadMini()]));
    const put = (i: number) =>
      index.apply(WS, 'candidate', {
        id: id(i),
        minScore: 0.5,
        answers: { ...answers, answers: goodCandidate },
      });
    for (const i of [1, 2, 3]) put(i);
    const store = index.marketOf(WS, answers).store('candidate');
    const alerting = new AlertingSide(
      new Map([
        [id(1), 0.4],
        [id(3), 0.7],
        [id(9), 0.9],
      ]),
    );
    const marked = () => {
      const rows = alerting.rowsIn(store);
      const bySlot = [...Array(store.end).keys()].filter((s) => rows.only[s] === 1);
      expect(bySlot.map((s) => rows.thresholdAt[s])).toEqual(
        bySlot.map((s) => rows.thresholds[rows.slots.indexOf(s)]),
      );
      return {
        ids: Object.fromEntries(bySlot.map((s) => [store.idAt(s), rows.thresholdAt[s]])),
        count: rows.count,
        least: rows.least,
      };
    };
    expect(marked()).toEqual({ ids: { [id(1)]: 0.4, [id(3)]: 0.7 }, count: 2, least: 0.4 });

    // id(1) leaves; id(4) takes its slot: not alerting.
    const freed = store.slotOf(id(1));
    index.remove(WS, 'candidate', id(1));
    put(4);
    expect(store.slotOf(id(4))).toBe(freed);
    expect(marked()).toEqual({ ids: { [id(3)]: 0.7 }, count: 1, least: 0.7 });
    expect(Number.isNaN(alerting.rowsIn(store).thresholdAt[freed])).toBe(true);

    // id(9), alerting but absent so far, arrives; id(1) comes back in a new slot.
    put(9);
    put(1);
    expect(marked()).toEqual({ ids: { [id(1)]: 0.4, [id(3)]: 0.7, [id(9)]: 0.9 }, count: 3, least: 0.4 });
  });

  it('gives each subject its threshold by id, from a map or from words and thresholds alike', () => {
    const thresholds = new Map([
      [id(1), 0.4],
      [id(2), 1 / 3],
      [id(40), 0.95],
    ]);
    const fromMap = new AlertingSide(thresholds);
    const words = new Uint32Array([...thresholds.keys()].flatMap((key) => [...idToWords(key)]));
    const fromWords = new AlertingSide({ words, values: Float64Array.from(thresholds.values()) });
    for (const alerting of [fromMap, fromWords]) {
      expect(alerting.size).toBe(3);
      for (const [key, threshold] of thresholds) expect(alerting.thresholdOf(key)).toBe(threshold);
      for (const absent of [id(3), id(41), id(0)]) expect(alerting.thresholdOf(absent)).toBeUndefined();
    }
    expect(new AlertingSide(new Map()).thresholdOf(id(1))).toBeUndefined();
  });
});
