import { describe, expect, it } from 'vitest';
import {
  type AnswerSet,
  type Importance,
  importanceLevels,
  importanceWeight,
} from '../../src/answers/types.ts';
import { ProfileStore } from '../../src/matching/engine/columnar-store.ts';
import { compileLayout } from '../../src/matching/engine/layout.ts';
import { compileSubjectValues } from '../../src/matching/engine/reverse-score.ts';
import type { RowBatch } from '../../src/matching/engine/row-sums.ts';
import {
  EPSILON,
  multiSatisfaction,
  numberSatisfaction,
  scaleSatisfaction,
  singleSatisfaction,
} from '../../src/matching/score.ts';
import {
  type QuestionnaireDefinition,
  questionnaireDefinition,
} from '../../src/questionnaires/definition.ts';

/**
 * The kinds' reverse loops (a row's expectation against the subject's one value) over every row
 * expectation × subject value × importance of a small domain, against the reference scorer's sat:
 * each row's sums must move exactly as the pair scorer's (w·sat and w added, w off `remaining`; a
 * dealbreaker not fully met: total NaN, the rest untouched, its position listed in brokenAt;
 * unanswered: nothing), to the bit.
 */

const en = (text: string) => ({ en: text });
const uuid = (kind: number, i: number) => `0000000${kind}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const prompts = { prompt: en('About you?'), acceptPrompt: en('About them?') };

function questionnaireOf(criterion: object): QuestionnaireDefinition {
  return questionnaireDefinition.parse({
    id: 'reverse-kinds',
    version: 1,
    locales: ['en'],
    defaultLocale: 'en',
    title: en('Reverse kinds'),
    criteria: [
      {
        id: 'c',
        title: en('C'),
        candidate: prompts,
        employer: prompts,
        ...criterion,
      },
    ],
  });
}

/** What a row's expectation adds, as the reference scores it; undefined: the row does not count it. */
type Expected = (answer: Record<string, unknown> | undefined) => number | undefined;

/** Scores every row of `answers` against each subject answer and checks every row's sums to the bit. */
function checkAll(
  questionnaire: QuestionnaireDefinition,
  answers: readonly (Record<string, unknown> | undefined)[],
  subjects: readonly (Record<string, unknown> | undefined)[],
  satOf: (expectation: Record<string, unknown>, subject: Record<string, unknown>) => number,
) {
  const layout = compileLayout(questionnaire);
  const others = new ProfileStore(layout);
  const rows = answers.map((answer, i) =>
    others.upsert({ id: uuid(1, i), minScore: 0, answers: setOf(answer) }),
  );
  const start = [0.5, 7];
  subjects.forEach((subjectAnswer, j) => {
    const store = new ProfileStore(layout);
    const s = store.upsert({
      id: uuid(2, j),
      minScore: 0,
      answers: setOf(subjectAnswer),
    });
    const [value] = compileSubjectValues(store, s, others);
    const missing = subjectAnswer?.value === undefined;
    expect(value!.missing).toBe(missing);
    if (missing) return;
    const batch = batchOf(rows, start);
    const broken = value!.add(others, batch, rows.length);
    const brokenWanted: number[] = [];
    const wrong: string[] = [];
    answers.forEach((answer, k) => {
      const expected: Expected = (a) =>
        a?.accept === undefined || a.importance === 'irrelevant' ? undefined : satOf(a, subjectAnswer!);
      const sat = expected(answer);
      const w = answer ? importanceWeight[answer.importance as Importance] : 0;
      const breaks = sat !== undefined && answer!.importance === 'dealbreaker' && sat < 1 - EPSILON;
      if (breaks) brokenWanted.push(k);
      const wanted = sat === undefined ? start : breaks ? start : [start[0]! + w * sat, start[1]! - w];
      const got = [batch.weighted[k], batch.remaining[k]];
      if (!got.every((x, i) => Object.is(x, wanted[i])))
        wrong.push(`row ${JSON.stringify(answer)} vs ${JSON.stringify(subjectAnswer)}: ${got} ≠ ${wanted}`);
    });
    expect(wrong).toEqual([]);
    expect(broken).toBe(brokenWanted.length);
    expect([...batch.brokenAt.subarray(0, broken)]).toEqual(brokenWanted);
  });
}

function setOf(answer: Record<string, unknown> | undefined): AnswerSet {
  return answer ? ({ c: answer } as unknown as AnswerSet) : {};
}

function batchOf(rows: readonly number[], [weighted, remaining]: readonly number[]): RowBatch {
  const size = rows.length;
  return {
    rows: Int32Array.from(rows),
    weighted: new Float64Array(size).fill(weighted!),
    remaining: new Float64Array(size).fill(remaining!),
    brokenAt: new Int32Array(size),
  };
}

/** Every non-empty set of up to 5 options; of more, a selection (all, each alone, every third, all but one). */
function setsOf(ids: readonly string[]): string[][] {
  if (ids.length > 5)
    return [[...ids], ...ids.map((id) => [id]), ids.filter((_, i) => i % 3 === 0), ids.slice(1)];
  return Array.from({ length: 2 ** ids.length - 1 }, (_, m) => ids.filter((_, i) => ((m + 1) >>> i) & 1));
}

function optionsOf(count: number) {
  return Array.from({ length: count }, (_, i) => ({ id: `o${i}`, label: en(`o${i}`) }));
}

/** Every importance with `accept`, plus an unanswered row and an answer without an expectation. */
function rowsExpecting(accepts: readonly unknown[], value: unknown): (Record<string, unknown> | undefined)[] {
  return [
    undefined,
    { importance: 'irrelevant', value },
    ...accepts.flatMap((accept) => importanceLevels.map((importance) => ({ importance, accept }))),
  ];
}

describe('scale reverse loop', () => {
  for (const [steps, tolerance] of [
    [2, 0],
    [5, 1],
    [7, 3],
    [32, 31],
    [32, 0],
  ] as const) {
    it(`equals the reference for every [min, max], step and importance (${steps} steps, tolerance ${tolerance})`, () => {
      const questionnaire = questionnaireOf({
        kind: 'scale',
        steps: Array.from({ length: steps }, (_, i) => ({ label: en(`s${i}`) })),
        tolerance,
      });
      const intervals = Array.from({ length: steps }, (_, min) =>
        Array.from({ length: steps - min }, (_, d) => ({ min, max: min + d })),
      ).flat();
      const values = [undefined, ...Array.from({ length: steps }, (_, i) => i)];
      checkAll(
        questionnaire,
        rowsExpecting(intervals, 0),
        values.map((value) => ({
          importance: 'little',
          ...(value !== undefined && { value }),
          accept: { min: 0, max: 0 },
        })),
        (row, subject) =>
          scaleSatisfaction(row.accept as { min: number; max: number }, subject.value as number, tolerance),
      );
    });
  }
});

describe('single reverse loop', () => {
  for (const count of [2, 5, 32]) {
    it(`equals the reference for every accepted set, option and importance (${count} options)`, () => {
      const options = optionsOf(count);
      const ids = options.map((option) => option.id);
      const sets = setsOf(ids);
      checkAll(
        questionnaireOf({ kind: 'single', options }),
        rowsExpecting(sets, 'o0'),
        [undefined, ...ids].map((value) => ({
          importance: 'little',
          ...(value && { value }),
          accept: ['o0'],
        })),
        (row, subject) => singleSatisfaction(row.accept as string[], subject.value as string),
      );
    });
  }
});

describe('multi reverse loop', () => {
  for (const count of [2, 5, 32]) {
    it(`equals the reference for every wanted set, mode, offered set and importance (${count} options)`, () => {
      const options = optionsOf(count);
      const sets = setsOf(options.map((option) => option.id));
      const accepts = sets.flatMap((wanted) => ['any', 'all'].map((mode) => ({ mode, options: wanted })));
      checkAll(
        questionnaireOf({ kind: 'multi', options }),
        rowsExpecting(accepts, ['o0']),
        [undefined, ...sets].map((value) => ({
          importance: 'little',
          ...(value && { value }),
          accept: { mode: 'any', options: ['o0'] },
        })),
        (row, subject) =>
          multiSatisfaction(
            row.accept as { mode: 'any' | 'all'; options: string[] },
            subject.value as string[],
          ),
      );
    });
  }
});

/** The doubles either side of x and x itself: where a rounding decides whether sat is 0. */
function around(x: number): number[] {
  const bits = new Float64Array([x]);
  const word = new BigInt64Array(bits.buffer);
  const step = (d: bigint) => {
    word[0] = new BigInt64Array(new Float64Array([x]).buffer)[0]! + d;
    return bits[0]!;
  };
  return [step(-1n), x, step(1n)];
}

describe('number reverse loop', () => {
  // range width 80 stands in for a bound of 0; tolerance 0.25: sat reaches 0 at 25 % beyond a bound.
  const questionnaire = questionnaireOf({ kind: 'number', range: { min: 0, max: 80 }, toleranceRatio: 0.25 });
  const bounds = [{ max: 40 }, { min: 20 }, { min: 8, max: 12 }, { max: 0 }, { min: 0, max: 0 }, { min: 64 }];
  // At, next to and far from where sat reaches 0 (40·1.25, 20·0.75, 12·1.25, 8·0.75, 0 + 80·0.25),
  // and inside.
  const values = [50, 15, 6, 20, 48, 10, 0, 1, 80, 30].flatMap(around).filter((x) => x >= 0 && x <= 80);
  it('equals the reference to the bit for every bound, value and importance, at the edge of sat 0', () => {
    checkAll(
      questionnaire,
      rowsExpecting(bounds, 10),
      [undefined, ...values].map((value) => ({
        importance: 'little',
        ...(value !== undefined && { value }),
        accept: { max: 80 },
      })),
      (row, subject) =>
        numberSatisfaction(row.accept as { min?: number; max?: number }, subject.value as number, 0.25, 80),
    );
  });

  // Subnormal bounds and values hold a few bits: the FAR shortcut's rounding argument does not
  // hold there, so the loop must leave them to the divisions (a random market found 6e-323 vs 8.4e-323).
  it('equals the reference to the bit for bounds and values below the normal doubles', () => {
    const ratio = 0.4454757021053391;
    const tiny = [5e-324, 6e-323, 8.4e-323, 1e-320, 2 ** -1022, 3e-308];
    const values = [0, ...tiny.flatMap(around)].filter((x) => x >= 0 && x <= 70);
    checkAll(
      questionnaireOf({ kind: 'number', range: { min: 0, max: 70 }, toleranceRatio: ratio }),
      rowsExpecting(
        tiny.flatMap((b) => [{ max: b }, { min: b }]),
        10,
      ),
      values.map((value) => ({ importance: 'little', value, accept: { max: 70 } })),
      (row, subject) =>
        numberSatisfaction(row.accept as { min?: number; max?: number }, subject.value as number, ratio, 70),
    );
  });

  // Ratios that binary doubles cannot hold: the loop skips the divisions for values far beyond a
  // bound (kinds/number.ts FAR), which must be exactly the values whose sat rounds to 0.
  for (const ratio of [0.1, 0.3, 1 / 3, 0.7]) {
    it(`equals the reference to the bit where sat reaches 0 (tolerance ratio ${ratio})`, () => {
      const range = { min: 0, max: 1000 };
      const edges = [37.7, 123.4, 0.1, 0.3, 999.9];
      const beyond = (bound: number, sign: number, factor: number) => bound + sign * bound * ratio * factor;
      const values = edges
        .flatMap((b) =>
          [1, 1 + 1e-14, 1 + 2e-14, 1 - 1e-15, 3].flatMap((f) => [beyond(b, 1, f), beyond(b, -1, f)]),
        )
        .flatMap(around)
        .filter((x) => x >= range.min && x <= range.max);
      checkAll(
        questionnaireOf({ kind: 'number', range, toleranceRatio: ratio }),
        rowsExpecting(
          edges.flatMap((b) => [{ max: b }, { min: b }]),
          10,
        ),
        values.map((value) => ({ importance: 'little', value, accept: { max: 80 } })),
        (row, subject) =>
          numberSatisfaction(
            row.accept as { min?: number; max?: number },
            subject.value as number,
            ratio,
            1000,
          ),
      );
    });
  }
});
