import { describe, expect, it } from 'vitest';
import { type AnswerSet, importanceLevels, importanceWeight } from '../../src/answers/types.ts';
import { ProfileStore } from '../../src/matching/engine/columnar-store.ts';
import { compileSteps } from '../../src/matching/engine/forward-score.ts';
import { compileLayout } from '../../src/matching/engine/layout.ts';
import {
  multiSatisfaction,
  numberSatisfaction,
  profileSatisfaction,
  scaleSatisfaction,
  singleSatisfaction,
} from '../../src/matching/score.ts';
import { questionnaireDefinition } from '../../src/questionnaires/definition.ts';

/**
 * The kinds' forward loops (the subject's expectation against many rows' values) over every
 * expectation × row value of a small domain, against the reference scorer's sat: each row's sums
 * must move by exactly w·sat and w, to the bit (rows without a value: not at all), its loss bound
 * (if it has one) by exactly w·(1 − sat) (number: by at most that, its range code's least loss), and a step that keeps sats (profile) must keep the very
 * sat it added.
 */

const en = (text: string) => ({ en: text });
const uuid = (kind: number, i: number) => `0000000${kind}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const prompts = { prompt: en('About you?'), acceptPrompt: en('About them?') };

function storeOf(criterion: object) {
  const questionnaire = questionnaireDefinition.parse({
    id: 'forward-kinds',
    version: 1,
    locales: ['en'],
    defaultLocale: 'en',
    title: en('Forward kinds'),
    criteria: [{ id: 'c', title: en('C'), candidate: prompts, employer: prompts, ...criterion }],
  });
  return new ProfileStore(compileLayout(questionnaire));
}

/** Adds the subject's one step to every row's sums (starting at 0.5 and 1.25) and checks each against the reference. */
function checkAll(
  criterion: object,
  values: readonly (unknown | undefined)[],
  subjects: readonly Record<string, unknown>[],
  satOf: (subject: Record<string, unknown>, value: unknown) => number,
  /** the kind's loss bound is a lower bound of the loss (number: by range codes), not the loss itself */
  lossAtMost = false,
) {
  const others = storeOf(criterion);
  const rows = values.map((value, i) =>
    others.upsert({
      id: uuid(1, i),
      minScore: 0,
      answers: (value === undefined
        ? {}
        : { c: { importance: 'irrelevant', value } }) as unknown as AnswerSet,
    }),
  );
  for (const [j, subject] of subjects.entries()) {
    // The subjects' stores share the rows' layout, as a market's stores do: tables cached by layout
    // and criterion (kinds/table-cache.ts) are shared between them.
    const store = new ProfileStore(others.layout);
    const s = store.upsert({ id: uuid(2, j), minScore: 0, answers: { c: subject } as unknown as AnswerSet });
    const [step] = compileSteps(store, s, others);
    const w = importanceWeight[subject.importance as keyof typeof importanceWeight];
    const n = rows.length;
    const weighted = new Float64Array(n).fill(0.5);
    const total = new Float64Array(n).fill(1.25);
    const sats = new Float64Array(n).fill(-1);
    if (step!.addKeepingSats)
      step!.addKeepingSats(others, Int32Array.from(rows), 0, n, weighted, total, sats);
    else step!.add(others, Int32Array.from(rows), 0, n, weighted, total);
    const lost = new Float64Array(n).fill(0.25);
    const kept = step!.bound?.addLoss(others, Int32Array.from(rows), n, lost, Number.POSITIVE_INFINITY);
    const wrong: string[] = [];
    if (kept !== undefined && kept !== n)
      wrong.push(`addLoss kept ${kept} of ${n} rows within an infinite budget`);
    values.forEach((value, k) => {
      const sat = value === undefined ? undefined : satOf(subject, value);
      const wanted = sat === undefined ? [0.5, 1.25] : [0.5 + w * sat, 1.25 + w];
      if (!Object.is(weighted[k], wanted[0]) || !Object.is(total[k], wanted[1]))
        wrong.push(
          `${JSON.stringify(subject)} vs ${JSON.stringify(value)}: ${weighted[k]},${total[k]} ≠ ${wanted}`,
        );
      const loss = sat === undefined ? 0.25 : 0.25 + w * (1 - sat);
      const boundHolds = lossAtMost ? lost[k]! >= 0.25 && lost[k]! <= loss : Object.is(lost[k], loss);
      if (step!.bound && !boundHolds)
        wrong.push(
          `${JSON.stringify(subject)} vs ${JSON.stringify(value)}: lost ${lost[k]} ${lossAtMost ? '>' : '≠'} ${loss}`,
        );
      if (step!.addKeepingSats && sat !== undefined && !Object.is(sats[k], sat))
        wrong.push(`${JSON.stringify(value)}: kept ${sats[k]} ≠ ${sat}`);
    });
    expect(wrong).toEqual([]);
  }
}

const importances = importanceLevels.filter((level) => level !== 'irrelevant' && level !== 'dealbreaker');

describe('multi forward loop', () => {
  for (const count of [2, 5, 32]) {
    it(`equals the reference for every wanted set and mode, offered set and importance (${count} options)`, () => {
      const options = Array.from({ length: count }, (_, i) => ({ id: `o${i}`, label: en(`o${i}`) }));
      const ids = options.map((option) => option.id);
      const sets =
        count > 5
          ? [ids, ...ids.map((id) => [id]), ids.filter((_, i) => i % 3 === 0), ids.slice(1), ids.slice(-2)]
          : Array.from({ length: 2 ** count - 1 }, (_, m) => ids.filter((_, i) => ((m + 1) >>> i) & 1));
      checkAll(
        { kind: 'multi', options },
        [undefined, ...sets],
        sets.flatMap((wanted) =>
          ['any', 'all'].flatMap((mode) =>
            importances.map((importance) => ({
              importance,
              value: [ids[0]],
              accept: { mode, options: wanted },
            })),
          ),
        ),
        (subject, value) =>
          multiSatisfaction(subject.accept as { mode: 'any' | 'all'; options: string[] }, value as string[]),
      );
    });
  }
});

describe('profile forward loop', () => {
  const dimensionsOf = (count: number) =>
    Array.from({ length: count }, (_, i) => ({ id: `d${i}`, label: en(`d${i}`) }));
  /** Every profile of `count` ratings 1..5, in order. */
  const everyProfile = (count: number): number[][] =>
    count === 0 ? [[]] : everyProfile(count - 1).flatMap((rest) => [1, 2, 3, 4, 5].map((r) => [...rest, r]));
  /** A seeded selection of profiles of `count` ratings, with the constant ones. */
  const someProfiles = (count: number, size: number): number[][] => {
    let state = 20_241_204 + count;
    const next = () => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      return 1 + ((state >>> 16) % 5);
    };
    const constant = [1, 2, 3, 4, 5].map((r) => Array.from({ length: count }, () => r));
    return [...constant, ...Array.from({ length: size }, () => Array.from({ length: count }, next))];
  };
  const satOf = (subject: Record<string, unknown>, value: unknown) =>
    profileSatisfaction(subject.value as number[], value as number[]);

  it('equals the reference for every pair of a set of rating profiles, and keeps each sat it adds', () => {
    const profiles = [
      [1, 1, 1, 1],
      [5, 5, 5, 5],
      [1, 2, 3, 4],
      [4, 3, 2, 1],
      [1, 5, 1, 5],
      [2, 3, 3, 5],
      [5, 4, 4, 1],
      [3, 3, 3, 4],
    ];
    checkAll(
      { kind: 'profile', dimensions: dimensionsOf(4) },
      [undefined, ...profiles],
      profiles.flatMap((value) => importances.map((importance) => ({ importance, value }))),
      satOf,
    );
  });

  // A power of two of dimensions takes the exact one-loop path (kinds/profile.ts similarityExact),
  // any other count the reference's own arithmetic: both must give the reference's bits.
  for (const [count, rows, subjects] of [
    [4, everyProfile(4), someProfiles(4, 60)],
    [3, everyProfile(3), someProfiles(3, 60)],
    [8, someProfiles(8, 3000), someProfiles(8, 40)],
    [6, someProfiles(6, 3000), someProfiles(6, 40)],
  ] as const) {
    it(`equals the reference to the bit with ${count} dimensions (${rows.length} row profiles × ${subjects.length} subjects)`, () => {
      checkAll(
        { kind: 'profile', dimensions: dimensionsOf(count) },
        [undefined, ...rows],
        subjects.map((value) => ({ importance: 'somewhat', value })),
        satOf,
      );
    });
  }
});

describe('number forward loop', () => {
  /** The doubles either side of x and x itself: where a rounding decides whether sat is 0. */
  const around = (x: number) => [x * (1 - 2 ** -52), x, x * (1 + 2 ** -52), x - 5e-324, x + 5e-324];
  const satOf = (ratio: number, width: number) => (subject: Record<string, unknown>, value: unknown) =>
    numberSatisfaction(subject.accept as { min?: number; max?: number }, value as number, ratio, width);

  // Bounds so small that doubles hold them with a few bits (subnormals): the loop's shortcut for
  // values far beyond a bound (kinds/number.ts FAR) assumes a relative rounding error these do not
  // have, so it must leave them to the divisions. A random market found 6e-323 vs 8.4e-323.
  it('equals the reference to the bit for bounds and values below the normal doubles', () => {
    const ratio = 0.4454757021053391;
    const tiny = [5e-324, 6e-323, 8.4e-323, 1e-320, 2 ** -1022, 3e-308];
    const values = [0, ...tiny.flatMap(around)].filter((x) => x >= 0 && x <= 70);
    checkAll(
      { kind: 'number', range: { min: 0, max: 70 }, toleranceRatio: ratio },
      [undefined, ...values],
      tiny.flatMap((b) =>
        importances.flatMap((importance) => [
          { importance, accept: { max: b } },
          { importance, accept: { min: b } },
        ]),
      ),
      satOf(ratio, 70),
      true,
    );
  });

  it('equals the reference to the bit at the edge of sat 0 for ordinary bounds', () => {
    const ratio = 1 / 3;
    const bounds = [0, 0.1, 37.7, 123.4, 999.9];
    const values = bounds
      .flatMap((b) => [1, 1 + 1e-14, 1 - 1e-15, 3].flatMap((f) => [b + b * ratio * f, b - b * ratio * f]))
      .flatMap(around)
      .filter((x) => x >= 0 && x <= 1000);
    checkAll(
      { kind: 'number', range: { min: 0, max: 1000 }, toleranceRatio: ratio },
      [undefined, ...values],
      bounds.flatMap((b) => [
        { importance: 'little', accept: { max: b } },
        { importance: 'very', accept: { min: b } },
      ]),
      satOf(ratio, 1000),
      true,
    );
  });
});

describe('code-table forward loops (single, scale)', () => {
  const options = ['o0', 'o1', 'o2', 'o3'].map((id) => ({ id, label: en(id) }));
  const steps = ['s0', 's1', 's2', 's3', 's4', 's5'].map((id) => ({ label: en(id) }));
  const acceptSets = [['o0'], ['o1', 'o3'], ['o0', 'o1', 'o2', 'o3'], ['o2']];
  const intervals = [
    { min: 0, max: 0 },
    { min: 2, max: 3 },
    { min: 5, max: 5 },
    { min: 0, max: 5 },
  ];

  // Subjects that expect the same share one set of tables (kinds/code-table.ts): every importance
  // of every expectation, compiled one after the other, must still add its own weight.
  it('single: equals the reference for every accepted set, option and importance', () => {
    checkAll(
      { kind: 'single', options },
      [undefined, 'o0', 'o1', 'o2', 'o3'],
      acceptSets.flatMap((accept) => importances.map((importance) => ({ importance, accept }))),
      (subject, value) => singleSatisfaction(subject.accept as string[], value as string),
    );
  });

  for (const tolerance of [0, 2]) {
    it(`scale: equals the reference for every interval, step and importance (tolerance ${tolerance})`, () => {
      checkAll(
        { kind: 'scale', steps, tolerance },
        [undefined, 0, 1, 2, 3, 4, 5],
        intervals.flatMap((accept) => importances.map((importance) => ({ importance, accept }))),
        (subject, value) =>
          scaleSatisfaction(subject.accept as { min: number; max: number }, value as number, tolerance),
      );
    });
  }

  it('a dealbreaker marks the rows it does not fully meet, though the same expectation without one was compiled first', () => {
    const others = storeOf({ kind: 'single', options });
    const rows = ['o0', 'o1', 'o2'].map((value, i) =>
      others.upsert({
        id: uuid(1, i),
        minScore: 0,
        answers: { c: { importance: 'irrelevant', value } } as unknown as AnswerSet,
      }),
    );
    const sums = (importance: string) => {
      const store = new ProfileStore(others.layout);
      const s = store.upsert({
        id: uuid(2, 0),
        minScore: 0,
        answers: { c: { importance, accept: ['o1'] } } as unknown as AnswerSet,
      });
      const [step] = compileSteps(store, s, others);
      const weighted = new Float64Array(rows.length);
      const total = new Float64Array(rows.length);
      step!.add(others, Int32Array.from(rows), 0, rows.length, weighted, total);
      return [...weighted];
    };
    const w = importanceWeight.somewhat;
    expect(sums('somewhat')).toEqual([0, w, 0]);
    expect(sums('dealbreaker')).toEqual([Number.NaN, importanceWeight.dealbreaker, Number.NaN]);
    expect(sums('somewhat')).toEqual([0, w, 0]);
  });
});
