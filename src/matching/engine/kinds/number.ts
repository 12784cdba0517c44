import { type Check, describe, strictObject } from '../../../answers/checks.ts';
import type { NumberAnswer } from '../../../answers/types.ts';
import { EPSILON } from '../../score.ts';
import type { RowArrays } from '../layout.ts';
import { LEVEL_BITS } from '../levels.ts';
import { addToBatch, type RowBatch } from '../row-sums.ts';
import { CodeLoss } from './code-table.ts';
import type { CriterionOf, KindEngine } from './kind.ts';
import { rangeLosses } from './range-codes.ts';

/**
 * `number`: the value is a number (a double; NaN: no value), the expectation optional bounds (two
 * doubles, ±Infinity when absent); sat is 1 inside, else max(0, 1 − (d/|b|)/toleranceRatio), b the
 * bound crossed and d the distance to it (the criterion's range width stands in for |b| when b = 0).
 */
export const number: KindEngine<'number'> = {
  kind: 'number',
  code: 3,
  answerChecks: (criterion) => ({ value: amount(criterion), accept: amountRange(criterion) }),
  cells: (criterion) => ({
    value: 'nums',
    columns: 1,
    accept: 'nums',
    valueCount: 0,
    satParams: [criterion.toleranceRatio, criterion.range.max - criterion.range.min],
    rangeCodes: criterion.range,
  }),
  expects: (answer) => answer.accept !== undefined,

  encode(row, slot, c, answer) {
    const { layout } = row;
    const { value, accept } = (answer ?? {}) as Partial<NumberAnswer>;
    const at = slot * layout.record.doubles + layout.acceptAt[c]!;
    row.nums[layout.valueSlot[c]! * row.capacity + slot] = value ?? Number.NaN;
    row.acceptNums[at] = accept?.min ?? Number.NEGATIVE_INFINITY;
    row.acceptNums[at + 1] = accept?.max ?? Number.POSITIVE_INFINITY;
    return 0;
  },

  pairSat(E, e, V, v, c) {
    const x = V.nums[V.layout.valueSlot[c]! * V.capacity + v]!;
    if (Number.isNaN(x)) return -1;
    const at = e * E.layout.record.doubles + E.layout.acceptAt[c]!;
    const params = E.layout.satParams;
    return numberSat(E.acceptNums[at]!, E.acceptNums[at + 1]!, x, params[2 * c]!, params[2 * c + 1]!);
  },

  forwardStep(subject, s, others, c, base) {
    const { layout } = subject;
    const at = s * layout.record.doubles + layout.acceptAt[c]!;
    const [min, max] = [subject.acceptNums[at]!, subject.acceptNums[at + 1]!];
    const { ratio, width } = tolerancesOf(subject, c);
    const q = { w: base.w, column: base.column, min, max, ratio, width };
    // The loss is bounded by the rows' range codes (range-codes.ts): a byte a row, a table look-up.
    const rangeColumn = layout.rangeCodeSlot[c]! * others.capacity;
    const rangeLoss = () =>
      rangeLosses(layout.rangeEdges[c]!, min, max, q.w, (x) => numberSat(min, max, x, ratio, width));
    return {
      ...base,
      keepFullyMet: (rowsOf, rows, count) => keepFullyMet(q, rowsOf, rows, count),
      add: (rowsOf, rows, from, to, weighted, total) => add(q, rowsOf, rows, from, to, weighted, total),
      bound: new CodeLoss(rangeColumn, 3, rangeLoss),
    };
  },

  reverseCriterion(subject, s, _others, c) {
    const x = subject.nums[subject.layout.valueSlot[c]! * subject.capacity + s]!;
    const at = subject.layout.acceptAt[c]!;
    const { ratio, width } = tolerancesOf(subject, c);
    return {
      criterion: c,
      missing: Number.isNaN(x),
      cost: 1.5,
      add: (others, batch, count) => addReverse(x, ratio, width, c, at, others, batch, count),
    };
  },
};

/**
 * sat of a number against optional bounds (±Infinity when absent), as the reference computes it.
 * A value far beyond the bound (distance ≥ scale·ratio·FAR) has sat 0 whatever the two divisions
 * round to, so it skips them: most rows outside a bound are.
 */
function numberSat(min: number, max: number, x: number, toleranceRatio: number, rangeWidth: number): number {
  const bound = x < min ? min : x > max ? max : Number.NaN;
  if (Number.isNaN(bound)) return 1;
  const distance = Math.abs(x - bound);
  const scale = bound === 0 ? rangeWidth : Math.abs(bound);
  const far = scale * toleranceRatio * FAR;
  if (distance >= far && far >= MIN_NORMAL && toleranceRatio >= MIN_NORMAL) return 0;
  return Math.max(0, 1 - distance / scale / toleranceRatio);
}

/**
 * 1 + 1e-14 (about 45 units in the last place): the product scale·ratio·FAR, rounded twice, is still
 * above scale·ratio·(1 + 4u), so (distance/scale)/ratio, rounded twice, is at least 1 beyond it.
 * That bound on the rounding holds only for normal doubles: below MIN_NORMAL (subnormals such as a
 * bound of 6e-323) a product keeps a few bits, its error is not relative, and the divisions decide.
 */
const FAR = 1 + 1e-14;
const MIN_NORMAL = 2 ** -1022;

function tolerancesOf(row: RowArrays, c: number): { ratio: number; width: number } {
  const params = row.layout.satParams;
  return { ratio: params[2 * c]!, width: params[2 * c + 1]! };
}

/** The subject's expectation on one number criterion, as the loops below read it. */
type NumberQuery = { w: number; column: number; min: number; max: number; ratio: number; width: number };

/** Keeps the rows whose number meets the bounds fully. */
function keepFullyMet(q: NumberQuery, others: RowArrays, rows: Int32Array, count: number): number {
  const { column, min, max, ratio, width } = q;
  const nums = others.nums;
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const row = rows[k]!;
    const x = nums[column + row]!;
    if (!Number.isNaN(x) && numberSat(min, max, x, ratio, width) >= 1 - EPSILON) rows[kept++] = row;
  }
  return kept;
}

function add(
  q: NumberQuery,
  others: RowArrays,
  rows: Int32Array,
  from: number,
  to: number,
  weighted: Float64Array,
  total: Float64Array,
): void {
  const { w, column, min, max, ratio, width } = q;
  const nums = others.nums;
  for (let k = from; k < to; k++) {
    const x = nums[column + rows[k]!]!;
    if (Number.isNaN(x)) continue;
    weighted[k] = weighted[k]! + w * numberSat(min, max, x, ratio, width);
    total[k] = total[k]! + w;
  }
}

/** Each row's own bounds against the subject's number `x`. */
function addReverse(
  x: number,
  ratio: number,
  width: number,
  c: number,
  at: number,
  others: RowArrays,
  batch: RowBatch,
  count: number,
) {
  const { rows, weighted, remaining, brokenAt } = batch;
  const { levels, acceptNums } = others;
  const { bytes, doubles } = others.layout.record;
  let broken = 0;
  for (let k = 0; k < count; k++) {
    const o = rows[k]!;
    const level = levels[o * bytes + c]! & LEVEL_BITS;
    if (level === 0) continue;
    const sat = numberSat(acceptNums[o * doubles + at]!, acceptNums[o * doubles + at + 1]!, x, ratio, width);
    brokenAt[broken] = k;
    broken += addToBatch(k, level, sat, weighted, remaining);
  }
  return broken;
}

function amount(criterion: CriterionOf<'number'>): Check<number> {
  const { min, max } = criterion.range;
  return (raw, path, report) => {
    if (typeof raw !== 'number' || !Number.isFinite(raw)) {
      report(path, `expected a number ${min}..${max}, got ${describe(raw)}`);
      return undefined;
    }
    if (raw < min || raw > max) report(path, `${raw} is out of range ${min}..${max}`);
    return raw;
  };
}

function amountRange(criterion: CriterionOf<'number'>): Check<{ min?: number; max?: number }> {
  const bound = amount(criterion);
  return (raw, path, report) => {
    const fields = strictObject(raw, path, ['min', 'max'], 'accept', report);
    if (!fields) return undefined;
    if (fields.min === undefined && fields.max === undefined) {
      report(path, 'give at least one bound: min, max or both');
      return undefined;
    }
    const min = fields.min === undefined ? undefined : bound(fields.min, `${path}.min`, report);
    const max = fields.max === undefined ? undefined : bound(fields.max, `${path}.max`, report);
    if (min !== undefined && max !== undefined && min > max) report(path, `min ${min} is above max ${max}`);
    const range: { min?: number; max?: number } = {};
    if (min !== undefined) range.min = min;
    if (max !== undefined) range.max = max;
    return range;
  };
}
