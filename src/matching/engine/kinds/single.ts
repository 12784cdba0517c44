import type { SingleAnswer } from '../../../answers/types.ts';
import type { RowArrays } from '../layout.ts';
import { LEVEL_BITS, MISSING_CODE } from '../levels.ts';
import type { RowBatch } from '../row-sums.ts';
import { codeTableStep } from './code-table.ts';
import type { KindEngine } from './kind.ts';
import { addEntry, levelTable } from './level-table.ts';
import { maskOf, oneOption, optionList } from './options.ts';

/**
 * `single`: the value is one option (a code: the option's index), the expectation a set of
 * options (a mask); sat is 1 when the value is in the set, else 0.
 */
export const single: KindEngine<'single'> = {
  kind: 'single',
  code: 0,
  answerChecks: (criterion) => ({ value: oneOption(criterion), accept: optionList(criterion) }),
  cells: (criterion) => ({
    value: 'codes',
    columns: 1,
    accept: 'masks',
    valueCount: criterion.options.length,
  }),
  expects: (answer) => answer.accept !== undefined,

  encode(row, slot, c, answer) {
    const { layout } = row;
    const options = layout.optionIndex[c]!;
    const { value, accept } = (answer ?? {}) as Partial<SingleAnswer>;
    row.codes[layout.valueSlot[c]! * row.capacity + slot] =
      value === undefined ? MISSING_CODE : options.get(value)!;
    row.acceptMasks[slot * layout.record.words + layout.acceptAt[c]!] = maskOf(accept ?? [], options);
    return 0;
  },

  pairSat(E, e, V, v, c) {
    const x = V.codes[V.layout.valueSlot[c]! * V.capacity + v]!;
    if (x === MISSING_CODE) return -1;
    return (E.acceptMasks[e * E.layout.record.words + E.layout.acceptAt[c]!]! >>> x) & 1;
  },

  dealbreakerMask: {
    met: (E, e, c) => E.acceptMasks[e * E.layout.record.words + E.layout.acceptAt[c]!]!,
    value: codeBit,
  },

  forwardStep(subject, s, _others, c, base) {
    const { layout } = subject;
    const accepted = subject.acceptMasks[s * layout.record.words + layout.acceptAt[c]!]!;
    const options = layout.valueCount[c]!;
    return codeTableStep(base, layout, options, (x) => (accepted >>> x) & 1, accepted);
  },

  reverseCriterion(subject, s, _others, c) {
    const code = subject.codes[subject.layout.valueSlot[c]! * subject.capacity + s]!;
    const at = subject.layout.acceptAt[c]!;
    const table = levelTable(subject.layout, c, 0, 2, (inSet) => inSet);
    return {
      criterion: c,
      missing: code === MISSING_CODE,
      cost: 1,
      add: (others, batch, count) => addReverse(table, code, c, at, others, batch, count),
    };
  },
};

/** Each row's own expectation (a mask) against the subject's option `code`: a look-up at (level, in the set). */
function addReverse(
  table: Float64Array,
  code: number,
  c: number,
  at: number,
  others: RowArrays,
  batch: RowBatch,
  count: number,
) {
  const { rows, weighted, remaining, brokenAt } = batch;
  const { levels, acceptMasks } = others;
  const { bytes, words } = others.layout.record;
  let broken = 0;
  for (let k = 0; k < count; k++) {
    const o = rows[k]!;
    const level = levels[o * bytes + c]! & LEVEL_BITS;
    const cell = (level << 1) | ((acceptMasks[o * words + at]! >>> code) & 1);
    brokenAt[broken] = k;
    broken += addEntry(table, cell, level, k, weighted, remaining);
  }
  return broken;
}

/** A row's code on criterion `c` as a bit of a mask (0: no value); codes are below 32 (options and steps). */
export function codeBit(V: RowArrays, v: number, c: number): number {
  const code = V.codes[V.layout.valueSlot[c]! * V.capacity + v]!;
  return code === MISSING_CODE ? 0 : (1 << code) >>> 0;
}
