import { describe, expect, it } from 'vitest';
import { createRng } from '../../bench/random.ts';
import type { AnswerSet } from '../../src/answers/types.ts';
import { ProfileStore } from '../../src/matching/engine/columnar-store.ts';
import { compileSteps } from '../../src/matching/engine/forward-score.ts';
import {
  RANGE_CODES,
  rangeCodeOf,
  rangeEdges,
  rangeLosses,
} from '../../src/matching/engine/kinds/range-codes.ts';
import { compileLayout } from '../../src/matching/engine/layout.ts';
import { MISSING_CODE } from '../../src/matching/engine/levels.ts';
import { copyRow, packAnswers, upsertPacked } from '../../src/matching/engine/packed-row.ts';
import { numberSatisfaction } from '../../src/matching/score.ts';
import { questionnaireDefinition } from '../../src/questionnaires/definition.ts';

/**
 * A number's range code (kinds/range-codes.ts) holds it between the code's edges, and the loss a
 * listing's narrowing gives a code is never more than the loss of any value the code holds (else
 * a row could be dropped that belongs in the list), and is that loss exactly at the edge nearest
 * the expectation (else the bound would be looser than it needs to be). Every way a row is
 * written (answers, a packed row, a copy, a replacement, a growth) derives its codes.
 */

const ulpsAround = (x: number) => [x * (1 - 2 ** -52), x, x * (1 + 2 ** -52), x - 1e-9, x + 1e-9];
const ranges = [
  { min: 0, max: 20_000 },
  { min: 4, max: 60 },
  { min: -50, max: 50 },
  { min: 0, max: 1e-6 },
  { min: 1e9, max: 1e9 + 255 },
];

/** Values across and beyond a range: uniform draws, every edge and its neighbours. */
function valuesOf(range: { min: number; max: number }, edges: Float64Array, seed: number): number[] {
  const r = createRng(seed);
  const width = range.max - range.min;
  const drawn = Array.from({ length: 400 }, () => range.min - width / 10 + r.next() * width * 1.2);
  return [...drawn, ...[...edges.subarray(1, RANGE_CODES)].flatMap(ulpsAround), range.min, range.max];
}

describe('range codes', () => {
  it('hold every value between its code’s edges, and no value as MISSING_CODE', () => {
    ranges.forEach((range, i) => {
      const edges = rangeEdges(range.min, range.max);
      const wrong = valuesOf(range, edges, i).filter((x) => {
        const b = rangeCodeOf(edges, x);
        return !(b >= 0 && b < RANGE_CODES && edges[b]! <= x && x < edges[b + 1]!);
      });
      expect(wrong).toEqual([]);
      expect(rangeCodeOf(edges, Number.NaN)).toBe(MISSING_CODE);
    });
  });

  it('lose at most what each value loses, and exactly that at the edge nearest the expectation', () => {
    const r = createRng(7);
    let tight = 0;
    for (const [i, range] of ranges.entries()) {
      const edges = rangeEdges(range.min, range.max);
      const values = valuesOf(range, edges, 100 + i);
      const width = range.max - range.min;
      for (let e = 0; e < 60; e++) {
        const at = () => range.min + (r.next() * 1.1 - 0.05) * width;
        const [a, b] = [at(), at()].sort((x, y) => x - y);
        const accept = [{ min: a }, { max: b }, { min: a, max: b }, { min: edges[1 + r.int(0, 250)]! }][
          e % 4
        ]!;
        const ratio = [0.15, 0.2, 1 / 3, 1e-3][e % 4]!;
        const w = [1, 2, 4][e % 3]!;
        const lossOf = (x: number) => w * (1 - numberSatisfaction(accept, x, ratio, width));
        const losses = rangeLosses(
          edges,
          accept.min ?? Number.NEGATIVE_INFINITY,
          accept.max ?? Number.POSITIVE_INFINITY,
          w,
          (x) => numberSatisfaction(accept, x, ratio, width),
        );
        const over = values.filter((x) => losses[rangeCodeOf(edges, x)]! > lossOf(x));
        expect(over, JSON.stringify({ range, accept, ratio })).toEqual([]);
        for (let code = 1; code < RANGE_CODES; code++) {
          const lower = edges[code]!;
          if (accept.max !== undefined && lower > accept.max) {
            expect(losses[code]).toBe(lossOf(lower));
            tight += +(losses[code]! > 0);
          }
        }
        expect(losses[MISSING_CODE]).toBe(0);
      }
    }
    expect(tight).toBeGreaterThan(1000);
  });
});

describe('a store’s range codes', () => {
  const en = (text: string) => ({ en: text });
  const prompts = { prompt: en('About you?'), acceptPrompt: en('About them?') };
  const layout = compileLayout(
    questionnaireDefinition.parse({
      id: 'range-codes',
      version: 1,
      locales: ['en'],
      defaultLocale: 'en',
      title: en('Range codes'),
      criteria: [
        { id: 'pay', kind: 'number', range: { min: 0, max: 20_000 }, toleranceRatio: 0.15 },
        { id: 'pick', kind: 'single', options: ['a', 'b'].map((id) => ({ id, label: en(id) })) },
        { id: 'hours', kind: 'number', range: { min: 4, max: 60 }, toleranceRatio: 0.2 },
      ].map((c) => ({ title: en(c.id), candidate: prompts, employer: prompts, ...c })),
    }),
  );
  const uuid = (i: number) => `00000001-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
  const answersOf = (i: number): AnswerSet =>
    ({
      ...(i % 7 !== 0 && { pay: { importance: 'irrelevant', value: (i * 37) % 20_001 } }),
      pick: { importance: 'irrelevant', value: 'a' },
      ...(i % 5 !== 0 && { hours: { importance: 'irrelevant', value: 4 + ((i * 13) % 57) } }),
    }) as unknown as AnswerSet;

  /** Rows whose codes are not their values' codes, per number criterion. */
  function wrongCodes(store: ProfileStore, ids: readonly string[]): string[] {
    const wrong: string[] = [];
    for (const id of ids) {
      const slot = store.slotOf(id);
      for (const c of [0, 2]) {
        const x = store.nums[layout.valueSlot[c]! * store.capacity + slot]!;
        const code = store.codes[layout.rangeCodeSlot[c]! * store.capacity + slot];
        if (code !== rangeCodeOf(layout.rangeEdges[c]!, x)) wrong.push(`${id} ${c}: ${code} for ${x}`);
      }
    }
    return wrong;
  }

  it('sit after the values’ own code columns, one per number criterion', () => {
    expect(layout.strides).toMatchObject({ codes: 1, rangeCodes: 2 });
    expect([...layout.rangeCodeSlot]).toEqual([1, -1, 2]);
  });

  it('are derived from the values on every write: answers, packed rows, copies, replacements, growth', () => {
    const ids = Array.from({ length: 3000 }, (_, i) => uuid(i));
    const answered = new ProfileStore(layout, 1); // grows many times on the way
    for (const [i, id] of ids.entries()) answered.upsert({ id, minScore: 0, answers: answersOf(i) });
    expect(wrongCodes(answered, ids)).toEqual([]);

    const packed = packAnswers(
      layout,
      ids.map((_, i) => answersOf(i)),
    );
    const unpacked = new ProfileStore(layout);
    const fits = ids.map((id, i) => upsertPacked(unpacked, { id, minScore: 0 }, packed[i]!));
    expect(fits.every(Boolean)).toBe(true);
    expect(wrongCodes(unpacked, ids)).toEqual([]);

    const copied = new ProfileStore(layout);
    for (const id of ids) copyRow(answered, answered.slotOf(id), copied, { id, minScore: 0 });
    expect(wrongCodes(copied, ids)).toEqual([]);

    for (const [i, id] of ids.entries()) answered.upsert({ id, minScore: 0, answers: answersOf(i + 1) });
    expect(wrongCodes(answered, ids)).toEqual([]);
    expect(answered.codes[layout.rangeCodeSlot[0]! * answered.capacity + answered.slotOf(ids[6]!)]).toBe(
      MISSING_CODE,
    );
  });

  it('bound a number step’s loss in the narrowing', () => {
    const others = new ProfileStore(layout);
    const ids = Array.from({ length: 500 }, (_, i) => uuid(i));
    for (const [i, id] of ids.entries()) others.upsert({ id, minScore: 0, answers: answersOf(i) });
    const subjects = new ProfileStore(layout);
    const s = subjects.upsert({
      id: uuid(9999),
      minScore: 0,
      answers: { pay: { importance: 'very', accept: { min: 9000 } } } as unknown as AnswerSet,
    });
    const [step] = compileSteps(subjects, s, others);
    const rows = Int32Array.from(ids, (id) => others.slotOf(id));
    const lost = new Float64Array(rows.length);
    const kept = step!.bound!.addLoss(others, rows, rows.length, lost, Number.POSITIVE_INFINITY);
    expect(kept).toBe(rows.length);
    const weighted = new Float64Array(rows.length);
    const total = new Float64Array(rows.length);
    step!.add(others, rows, 0, rows.length, weighted, total);
    const exact = [...rows].map((_, k) => total[k]! - weighted[k]!);
    expect(exact.every((loss, k) => lost[k]! <= loss)).toBe(true);
    expect(lost.filter((l) => l > 0).length).toBeGreaterThan(150);
  });
});
