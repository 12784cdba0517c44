import type { ProfileStore } from './columnar-store.ts';
import type { Step } from './forward-score.ts';
import type { RowArrays } from './layout.ts';
import { notedValues, noteHolds } from './reverse-dealbreakers.ts';

/**
 * The dealbreaker filter: lists into `rows` the active rows from..to of `others` (of those flagged
 * in `only`, when given) that give a value
 * to every dealbreaker of the subject and meet it fully; returns how many. Only these rows can be
 * acceptable to the subject, so every later stage looks at these only. Each dealbreaker is its
 * kind's pass over the rows left (a bit test for options, a table look-up for codes).
 *
 * With `subject` (the subject's row and its `s`), the rows whose noted dealbreaker
 * (reverse-dealbreakers.ts) the subject breaks are left out first, in the pass over the active
 * rows: otherwise they would be bounded and bucketed before the exact pass found them broken.
 */
export function rowsMeetingDealbreakers(
  steps: readonly Step[],
  others: ProfileStore,
  rows: Int32Array,
  from: number,
  to: number,
  only?: Uint8Array,
  subject?: { row: RowArrays; s: number },
): number {
  let count = 0;
  const active = others.active;
  if (subject) {
    count = activeRowsWhoseNoteHolds(others, rows, from, to, only, notedValues(subject.row, subject.s));
  } else if (only) {
    for (let o = from; o < to; o++) if (active[o] !== 0 && only[o] === 1) rows[count++] = o;
  } else {
    for (let o = from; o < to; o++) if (active[o] !== 0) rows[count++] = o;
  }
  for (const step of steps) {
    if (step.dealbreaker) count = step.keepFullyMet(others, rows, count);
  }
  return count;
}

/** The active rows from..to (flagged in `only`, if given) whose noted dealbreaker holds for `values`. */
function activeRowsWhoseNoteHolds(
  others: ProfileStore,
  rows: Int32Array,
  from: number,
  to: number,
  only: Uint8Array | undefined,
  values: Int32Array,
): number {
  const { active, codes, masks, capacity } = others;
  const notes = others.layout.notedDealbreaker.criterionSlot * capacity;
  const noteMasks = others.layout.notedDealbreaker.maskSlot * capacity;
  let count = 0;
  // `| 0`: a mask with bit 31 read as a small integer, not a double (noteHolds is a call).
  if (only) {
    for (let o = from; o < to; o++) {
      const holds = noteHolds(codes[notes + o]!, masks[noteMasks + o]! | 0, values);
      rows[count] = o;
      count += active[o]! & only[o]! & holds;
    }
  } else {
    for (let o = from; o < to; o++) {
      const holds = noteHolds(codes[notes + o]!, masks[noteMasks + o]! | 0, values);
      rows[count] = o;
      count += active[o]! & holds;
    }
  }
  return count;
}
