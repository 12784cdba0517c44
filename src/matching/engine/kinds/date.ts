import { type Check, describe, strictObject } from '../../../answers/checks.ts';
import type { DateAnswer } from '../../../answers/types.ts';
import { EPSILON } from '../../score.ts';
import type { RowArrays } from '../layout.ts';
import { LEVEL_BITS } from '../levels.ts';
import { addToBatch, type RowBatch } from '../row-sums.ts';
import type { KindEngine } from './kind.ts';

/**
 * `date`: the value is a calendar date (ISO `YYYY-MM-DD`, kept as a day number in a double; NaN:
 * no value), the expectation a window `{ from?, to? }` (two day numbers, ±Infinity when absent).
 * sat is 1 inside the window, else max(0, 1 − d/toleranceDays), d the whole days to the bound
 * crossed: a date `toleranceDays` or more outside scores 0.
 */
export const date: KindEngine<'date'> = {
  kind: 'date',
  code: 5,
  answerChecks: () => ({ value: isoDate, accept: dateWindow }),
  cells: (criterion) => ({
    value: 'nums',
    columns: 1,
    accept: 'nums',
    valueCount: 0,
    satParams: [criterion.toleranceDays, 0],
  }),
  expects: (answer) => answer.accept !== undefined,

  encode(row, slot, c, answer) {
    const { layout } = row;
    const { value, accept } = (answer ?? {}) as Partial<DateAnswer>;
    const at = slot * layout.record.doubles + layout.acceptAt[c]!;
    row.nums[layout.valueSlot[c]! * row.capacity + slot] =
      value === undefined ? Number.NaN : dayNumber(value);
    row.acceptNums[at] = accept?.from === undefined ? Number.NEGATIVE_INFINITY : dayNumber(accept.from);
    row.acceptNums[at + 1] = accept?.to === undefined ? Number.POSITIVE_INFINITY : dayNumber(accept.to);
    return 0;
  },

  pairSat(E, e, V, v, c) {
    const x = V.nums[V.layout.valueSlot[c]! * V.capacity + v]!;
    if (Number.isNaN(x)) return -1;
    const at = e * E.layout.record.doubles + E.layout.acceptAt[c]!;
    return dateSat(E.acceptNums[at]!, E.acceptNums[at + 1]!, x, toleranceOf(E, c));
  },

  forwardStep(subject, s, _others, c, base) {
    const at = s * subject.layout.record.doubles + subject.layout.acceptAt[c]!;
    const [from, to] = [subject.acceptNums[at]!, subject.acceptNums[at + 1]!];
    const tolerance = toleranceOf(subject, c);
    const q = { w: base.w, column: base.column, from, to, tolerance };
    return {
      ...base,
      keepFullyMet: (others, rows, count) => keepFullyMet(q, others, rows, count),
      add: (others, rows, start, end, weighted, total) => add(q, others, rows, start, end, weighted, total),
      bound: {
        cost: 12,
        addLoss: (others, rows, count, lost, budget) => addLoss(q, others, rows, count, lost, budget),
      },
    };
  },

  reverseCriterion(subject, s, _others, c) {
    const x = subject.nums[subject.layout.valueSlot[c]! * subject.capacity + s]!;
    const at = subject.layout.acceptAt[c]!;
    const tolerance = toleranceOf(subject, c);
    return {
      criterion: c,
      missing: Number.isNaN(x),
      cost: 1.5,
      add: (others, batch, count) => addReverse(x, tolerance, c, at, others, batch, count),
    };
  },
};

/** sat of a day number against a window of day numbers (±Infinity when open), as the reference computes it. */
function dateSat(from: number, to: number, x: number, toleranceDays: number): number {
  const d = x < from ? from - x : x > to ? x - to : 0;
  return d === 0 ? 1 : Math.max(0, 1 - d / toleranceDays);
}

function toleranceOf(row: RowArrays, c: number): number {
  return row.layout.satParams[2 * c]!;
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a valid `YYYY-MM-DD` (checked by isoDate). */
function dayNumber(iso: string): number {
  return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS;
}

/** The subject's window on one date criterion, as the loops below read it. */
type DateQuery = { w: number; column: number; from: number; to: number; tolerance: number };

/** Keeps the rows whose date is inside the window (sat 1). */
function keepFullyMet(q: DateQuery, others: RowArrays, rows: Int32Array, count: number): number {
  const { column, from, to, tolerance } = q;
  const nums = others.nums;
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const row = rows[k]!;
    const x = nums[column + row]!;
    if (!Number.isNaN(x) && dateSat(from, to, x, tolerance) >= 1 - EPSILON) rows[kept++] = row;
  }
  return kept;
}

function add(
  q: DateQuery,
  others: RowArrays,
  rows: Int32Array,
  start: number,
  end: number,
  weighted: Float64Array,
  total: Float64Array,
): void {
  const { w, column, from, to, tolerance } = q;
  const nums = others.nums;
  for (let k = start; k < end; k++) {
    const x = nums[column + rows[k]!]!;
    if (Number.isNaN(x)) continue;
    weighted[k] = weighted[k]! + w * dateSat(from, to, x, tolerance);
    total[k] = total[k]! + w;
  }
}

function addLoss(
  q: DateQuery,
  others: RowArrays,
  rows: Int32Array,
  count: number,
  lost: Float64Array,
  budget: number,
): number {
  const { w, column, from, to, tolerance } = q;
  const nums = others.nums;
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const o = rows[k]!;
    const x = nums[column + o]!;
    const l = Number.isNaN(x) ? lost[k]! : lost[k]! + w * (1 - dateSat(from, to, x, tolerance));
    rows[kept] = o;
    lost[kept] = l;
    kept += +(l <= budget);
  }
  return kept;
}

/** Each row's own window against the subject's day `x`. */
function addReverse(
  x: number,
  tolerance: number,
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
    const sat = dateSat(acceptNums[o * doubles + at]!, acceptNums[o * doubles + at + 1]!, x, tolerance);
    brokenAt[broken] = k;
    broken += addToBatch(k, level, sat, weighted, remaining);
  }
  return broken;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date as `YYYY-MM-DD` (the day must exist: 2025-02-29 does not). */
const isoDate: Check<string> = (raw, path, report) => {
  const parts = typeof raw === 'string' ? ISO_DATE.exec(raw) : null;
  if (parts) {
    const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
    const at = new Date(Date.UTC(year, month - 1, day));
    if (at.getUTCFullYear() === year && at.getUTCMonth() === month - 1 && at.getUTCDate() === day) {
      return raw as string;
    }
  }
  report(path, `expected a calendar date YYYY-MM-DD, got ${describe(raw)}`);
  return undefined;
};

const dateWindow: Check<{ from?: string; to?: string }> = (raw, path, report) => {
  const fields = strictObject(raw, path, ['from', 'to'], 'accept', report);
  if (!fields) return undefined;
  if (fields.from === undefined && fields.to === undefined) {
    report(path, 'give at least one bound: from, to or both');
    return undefined;
  }
  const from = fields.from === undefined ? undefined : isoDate(fields.from, `${path}.from`, report);
  const to = fields.to === undefined ? undefined : isoDate(fields.to, `${path}.to`, report);
  if (from !== undefined && to !== undefined && from > to) report(path, `from ${from} is after to ${to}`);
  const window: { from?: string; to?: string } = {};
  if (from !== undefined) window.from = from;
  if (to !== undefined) window.to = to;
  return window;
};
