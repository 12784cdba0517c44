import { type Check, integerIn, strictObject } from '../../../answers/checks.ts';
import type { ScaleAnswer } from '../../../answers/types.ts';
import { EPSILON } from '../../score.ts';
import type { RowArrays } from '../layout.ts';
import { LEVEL_BITS, MISSING_CODE } from '../levels.ts';
import type { RowBatch } from '../row-sums.ts';
import { codeTableStep } from './code-table.ts';
import type { CriterionOf, KindEngine } from './kind.ts';
import { addEntry, levelTable } from './level-table.ts';
import { codeBit } from './single.ts';

/**
 * `scale`: the value is a step 0..K−1 (a code), the expectation an interval of steps (two bytes);
 * sat is 1 inside, else max(0, 1 − d/(tolerance + 1)), d the distance to the interval in steps.
 */
export const scale: KindEngine<'scale'> = {
  kind: 'scale',
  code: 2,
  answerChecks: (criterion) => ({ value: step(criterion), accept: stepRange(criterion) }),
  cells: (criterion) => ({
    value: 'codes',
    columns: 1,
    accept: 'steps',
    valueCount: criterion.steps.length,
    satParams: [criterion.tolerance, 0],
  }),
  expects: (answer) => answer.accept !== undefined,

  encode(row, slot, c, answer) {
    const { layout } = row;
    const { value, accept } = (answer ?? {}) as Partial<ScaleAnswer>;
    const at = slot * layout.record.bytes + layout.acceptAt[c]!;
    row.codes[layout.valueSlot[c]! * row.capacity + slot] = value ?? MISSING_CODE;
    row.acceptSteps[at] = accept?.min ?? 0;
    row.acceptSteps[at + 1] = accept?.max ?? 0;
    return 0;
  },

  pairSat(E, e, V, v, c) {
    const x = V.codes[V.layout.valueSlot[c]! * V.capacity + v]!;
    if (x === MISSING_CODE) return -1;
    const at = e * E.layout.record.bytes + E.layout.acceptAt[c]!;
    return scaleSat(E.acceptSteps[at]!, E.acceptSteps[at + 1]!, x, toleranceOf(E, c));
  },

  dealbreakerMask: {
    met(E, e, c) {
      const at = e * E.layout.record.bytes + E.layout.acceptAt[c]!;
      const [min, max, tolerance] = [E.acceptSteps[at]!, E.acceptSteps[at + 1]!, toleranceOf(E, c)];
      let met = 0;
      for (let x = 0; x < E.layout.valueCount[c]!; x++)
        if (scaleSat(min, max, x, tolerance) >= 1 - EPSILON) met |= 1 << x;
      return met >>> 0;
    },
    value: codeBit,
  },

  forwardStep(subject, s, _others, c, base) {
    const { layout } = subject;
    const at = s * layout.record.bytes + layout.acceptAt[c]!;
    const [min, max] = [subject.acceptSteps[at]!, subject.acceptSteps[at + 1]!];
    const tolerance = toleranceOf(subject, c);
    const steps = layout.valueCount[c]!;
    return codeTableStep(base, layout, steps, (x) => scaleSat(min, max, x, tolerance), min * 256 + max);
  },

  reverseCriterion(subject, s, _others, c) {
    const { layout } = subject;
    const x = subject.codes[layout.valueSlot[c]! * subject.capacity + s]!;
    const missing = x === MISSING_CODE;
    const steps = layout.valueCount[c]!;
    const tolerance = toleranceOf(subject, c);
    const table = missing
      ? new Float64Array(0)
      : levelTable(layout, c, x, steps * steps, (cell) =>
          scaleSat(Math.floor(cell / steps), cell % steps, x, tolerance),
        );
    const at = layout.acceptAt[c]!;
    return {
      criterion: c,
      missing,
      cost: 1,
      add: (others, batch, count) => addReverse(table, steps, c, at, others, batch, count),
    };
  },
};

/** sat of a scale step against an accepted [min, max] of steps, as the reference computes it. */
function scaleSat(min: number, max: number, x: number, tolerance: number): number {
  const d = x < min ? min - x : x > max ? x - max : 0;
  return d === 0 ? 1 : Math.max(0, 1 - d / (tolerance + 1));
}

function toleranceOf(row: RowArrays, c: number): number {
  return row.layout.satParams[2 * c]!;
}

/**
 * Each row's own interval of steps against the subject's step, looked up in the subject's
 * `table` (level-table.ts) at (level, min, max); validated answers keep min and max below `steps`.
 */
function addReverse(
  table: Float64Array,
  steps: number,
  c: number,
  at: number,
  others: RowArrays,
  batch: RowBatch,
  count: number,
) {
  const { rows, weighted, remaining, brokenAt } = batch;
  const { levels, acceptSteps } = others;
  const bytes = others.layout.record.bytes;
  let broken = 0;
  for (let k = 0; k < count; k++) {
    const r = rows[k]! * bytes;
    const level = levels[r + c]! & LEVEL_BITS;
    const cell = (level * steps + acceptSteps[r + at]!) * steps + acceptSteps[r + at + 1]!;
    brokenAt[broken] = k;
    broken += addEntry(table, cell, level, k, weighted, remaining);
  }
  return broken;
}

function step(criterion: CriterionOf<'scale'>): Check<number> {
  return (raw, path, report) => integerIn(raw, path, 0, criterion.steps.length - 1, 'step', report);
}

function stepRange(criterion: CriterionOf<'scale'>): Check<{ min: number; max: number }> {
  const last = criterion.steps.length - 1;
  return (raw, path, report) => {
    const fields = strictObject(raw, path, ['min', 'max'], 'accept', report);
    if (!fields) return undefined;
    const bound = (key: 'min' | 'max') => {
      if (fields[key] !== undefined) return integerIn(fields[key], `${path}.${key}`, 0, last, 'step', report);
      report(`${path}.${key}`, `${key} is required: a step 0..${last}`);
      return undefined;
    };
    const [min, max] = [bound('min'), bound('max')];
    if (min === undefined || max === undefined) return undefined;
    if (min > max) report(path, `min step ${min} is above max step ${max}`);
    return { min, max };
  };
}
