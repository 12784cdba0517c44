import { type Check, describe, strictObject } from '../../../answers/checks.ts';
import type { MultiAnswer } from '../../../answers/types.ts';
import type { Layout, RowArrays } from '../layout.ts';
import { LEVEL_BITS, MODE_ALL } from '../levels.ts';
import type { RowBatch } from '../row-sums.ts';
import type { CriterionOf, KindEngine } from './kind.ts';
import { addEntry, levelTable } from './level-table.ts';
import { maskOf, optionList } from './options.ts';

/**
 * `multi`: the value is a set of options (a mask; 0: no value), the expectation a set with a mode
 * (the MODE_ALL flag on the level byte). any: sat 1 when the sets meet, else 0; all: the share of
 * the wanted options the value has.
 */
export const multi: KindEngine<'multi'> = {
  kind: 'multi',
  code: 1,
  answerChecks: (criterion) => ({ value: optionList(criterion), accept: multiAccept(criterion) }),
  cells: () => ({ value: 'masks', columns: 1, accept: 'masks', valueCount: 0 }),
  expects: (answer) => answer.accept !== undefined,

  encode(row, slot, c, answer) {
    const { layout } = row;
    const options = layout.optionIndex[c]!;
    const { value, accept } = (answer ?? {}) as Partial<MultiAnswer>;
    row.masks[layout.valueSlot[c]! * row.capacity + slot] = maskOf(value ?? [], options);
    row.acceptMasks[slot * layout.record.words + layout.acceptAt[c]!] = maskOf(
      accept?.options ?? [],
      options,
    );
    return accept?.mode === 'all' ? MODE_ALL : 0;
  },

  pairSat(E, e, V, v, c, levelByte) {
    const x = V.masks[V.layout.valueSlot[c]! * V.capacity + v]!;
    if (x === 0) return -1;
    const wanted = E.acceptMasks[e * E.layout.record.words + E.layout.acceptAt[c]!]!;
    const met = (x & wanted) >>> 0;
    if ((levelByte & MODE_ALL) === 0) return met !== 0 ? 1 : 0;
    return wanted === 0 ? 1 : popcount(met) / popcount(wanted);
  },

  dealbreakerMask: {
    met: (E, e, c) => E.acceptMasks[e * E.layout.record.words + E.layout.acceptAt[c]!]!,
    value: (V, v, c) => V.masks[V.layout.valueSlot[c]! * V.capacity + v]!,
  },

  forwardStep(subject, s, _others, c, base) {
    const { record, acceptAt } = subject.layout;
    const all = (subject.levels[s * record.bytes + c]! & MODE_ALL) !== 0;
    const wanted = subject.acceptMasks[s * record.words + acceptAt[c]!]!;
    const wantedCount = popcount(wanted);
    const q = { w: base.w, column: base.column, wanted, wantedCount, all };
    let gains: Float64Array | undefined; // built at the first add: listings often need none
    let losses: Float64Array | undefined;
    return {
      ...base,
      keepFullyMet: (others, rows, count) => keepFullyMet(q, others, rows, count),
      add: (others, rows, from, to, weighted, total) => {
        gains ??= gainsOf(q);
        add(gains, q, others, rows, from, to, weighted, total);
      },
      bound: {
        cost: 8,
        addLoss: (others, rows, count, lost, budget) => {
          if (!all) return addLossAny(q, others, rows, count, lost, budget);
          losses ??= lossesOf(q);
          return addLoss(losses, q, others, rows, count, lost, budget);
        },
      },
    };
  },

  reverseCriterion(subject, s, _others, c) {
    const { layout } = subject;
    const mask = subject.masks[layout.valueSlot[c]! * subject.capacity + s]!;
    const side = layout.optionIndex[c]!.size + 1;
    const tables = reverseTables(layout, c, side);
    const at = layout.acceptAt[c]!;
    return {
      criterion: c,
      missing: mask === 0,
      cost: 1,
      add: (others, batch, count) => addReverse(tables, mask, c, at, others, batch, count),
    };
  },
};

function multiAccept(criterion: CriterionOf<'multi'>): Check<{ mode: 'any' | 'all'; options: string[] }> {
  const options = optionList(criterion);
  return (raw, path, report) => {
    const fields = strictObject(raw, path, ['mode', 'options'], 'accept', report);
    if (!fields) return undefined;
    const mode = fields.mode === 'any' || fields.mode === 'all' ? fields.mode : undefined;
    if (!mode) report(`${path}.mode`, `mode must be "any" or "all", got ${describe(fields.mode)}`);
    const list = options(fields.options, `${path}.options`, report);
    return mode && list ? { mode, options: list } : undefined;
  };
}

/** Mode all's sat: the share of the wanted options met. */
function shareMet(metCount: number, wantedCount: number): number {
  return wantedCount === 0 ? 1 : metCount / wantedCount;
}

/** The subject's expectation on one multi criterion, as the loops below read it. */
type MultiQuery = { w: number; column: number; wanted: number; wantedCount: number; all: boolean };

/** sat = 1 means: every wanted option (mode all; 31/32 < 1 − EPSILON) or any of them (mode any). */
function keepFullyMet(q: MultiQuery, others: RowArrays, rows: Int32Array, count: number): number {
  const { column, wanted, all } = q;
  const masks = others.masks;
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const row = rows[k]!;
    const x = masks[column + row]!;
    const met = (x & wanted) >>> 0;
    rows[kept] = row;
    kept += all ? +(x !== 0 && met === wanted) : +(met !== 0);
  }
  return kept;
}

/**
 * w·sat by the count of options met, the reference's products: mode all, w·(met / wanted); mode
 * any, w·1 when any is met, else w·0. No division per row.
 */
function gainsOf(q: MultiQuery): Float64Array {
  const gains = new Float64Array(33);
  for (let met = 0; met <= 32; met++)
    gains[met] = q.w * (q.all ? shareMet(met, q.wantedCount) : met !== 0 ? 1 : 0);
  return gains;
}

function add(
  gains: Float64Array,
  q: MultiQuery,
  others: RowArrays,
  rows: Int32Array,
  from: number,
  to: number,
  weighted: Float64Array,
  total: Float64Array,
): void {
  const { w, column, wanted } = q;
  const masks = others.masks;
  for (let k = from; k < to; k++) {
    const x = masks[column + rows[k]!]!;
    if (x === 0) continue;
    weighted[k] = weighted[k]! + gains[popcount((x & wanted) >>> 0)]!;
    total[k] = total[k]! + w;
  }
}

/** w·(1 − sat) by the count of options met, as addLoss computed it per row (no division per row). */
function lossesOf(q: MultiQuery): Float64Array {
  const losses = new Float64Array(33);
  for (let met = 0; met <= 32; met++)
    losses[met] = q.w * (1 - (q.all ? shareMet(met, q.wantedCount) : met !== 0 ? 1 : 0));
  return losses;
}

/** A row without a value loses nothing (its loss is multiplied by 0). */
function addLoss(
  losses: Float64Array,
  q: MultiQuery,
  others: RowArrays,
  rows: Int32Array,
  count: number,
  lost: Float64Array,
  budget: number,
): number {
  const { column, wanted } = q;
  const masks = others.masks;
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const o = rows[k]!;
    const x = masks[column + o]!;
    const l = lost[k]! + losses[popcount((x & wanted) >>> 0)]! * +(x !== 0);
    rows[kept] = o;
    lost[kept] = l;
    kept += +(l <= budget);
  }
  return kept;
}

/**
 * The subject's options against the rows' expectations, as look-ups (level-table.ts): mode any at
 * (level, whether the sets meet), mode all at (level, options met, options wanted), side = options + 1.
 */
type ReverseTables = { any: Float64Array; all: Float64Array; side: number };
const [ANY, ALL] = [0, 1];

function reverseTables(layout: Layout, c: number, side: number): ReverseTables {
  const all = levelTable(layout, c, ALL, side * side, (cell) => {
    const [met, wanted] = [Math.floor(cell / side), cell % side];
    return wanted === 0 ? 1 : met / wanted;
  });
  return { any: levelTable(layout, c, ANY, 2, (met) => met), all, side };
}

/** Each row's own expectation (a mask and a mode) against the subject's options `mask`. */
function addReverse(
  tables: ReverseTables,
  mask: number,
  c: number,
  at: number,
  others: RowArrays,
  batch: RowBatch,
  count: number,
) {
  const { rows, weighted, remaining, brokenAt } = batch;
  const { levels, acceptMasks } = others;
  const { bytes, words } = others.layout.record;
  const { any, all, side } = tables;
  let broken = 0;
  for (let k = 0; k < count; k++) {
    const o = rows[k]!;
    const levelByte = levels[o * bytes + c]!;
    const level = levelByte & LEVEL_BITS;
    const wanted = acceptMasks[o * words + at]!;
    const met = (mask & wanted) >>> 0;
    brokenAt[broken] = k;
    broken +=
      (levelByte & MODE_ALL) === 0
        ? addEntry(any, (level << 1) | +(met !== 0), level, k, weighted, remaining)
        : addEntry(
            all,
            (level * side + popcount(met)) * side + popcount(wanted),
            level,
            k,
            weighted,
            remaining,
          );
  }
  return broken;
}

export function popcount(x: number): number {
  let n = x - ((x >>> 1) & 0x55555555);
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * addLoss for mode any, without the count of options met: lossesOf gives w·(1 − 0) = w to a row
 * meeting none of the wanted options and 0 to one meeting any, so a row with a value loses w or 0.
 */
function addLossAny(
  q: MultiQuery,
  others: RowArrays,
  rows: Int32Array,
  count: number,
  lost: Float64Array,
  budget: number,
): number {
  const { w, column, wanted } = q;
  const masks = others.masks;
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const o = rows[k]!;
    const x = masks[column + o]!;
    const l = lost[k]! + w * (+((x & wanted) === 0) & +(x !== 0));
    rows[kept] = o;
    lost[kept] = l;
    kept += +(l <= budget);
  }
  return kept;
}
