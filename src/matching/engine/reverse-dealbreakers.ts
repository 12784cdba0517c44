import { EPSILON } from '../score.ts';
import { kindOf, pairSatOf } from './kinds/index.ts';
import { popcount } from './kinds/multi.ts';
import type { RowArrays } from './layout.ts';
import { DEALBREAKER_LEVEL, LEVEL_BITS, MODE_ALL } from './levels.ts';

/**
 * The row's own dealbreakers that the subject breaks, without scoring the rest: for row `e` of
 * `E` (its expectations) against row `v` of `V` (the subject's values), calls `broken(c)` for each
 * criterion c the row made a dealbreaker and the subject does not meet fully (no value, or
 * sat < 1 − EPSILON), as satisfactionOf (pair-score.ts) breaks. A row has few dealbreakers, so
 * this is a look at its level bytes and a pair sat for those few.
 */
export function forEachBrokenDealbreaker(
  E: RowArrays,
  e: number,
  V: RowArrays,
  v: number,
  broken: (c: number) => void,
): void {
  const { layout } = E;
  const base = e * layout.record.bytes;
  for (let c = 0; c < layout.count; c++) {
    const levelByte = E.levels[base + c]!;
    if ((levelByte & LEVEL_BITS) !== DEALBREAKER_LEVEL) continue;
    const sat = pairSatOf(layout.kinds[c]!, E, e, V, v, c, levelByte);
    if (sat < 0 || sat < 1 - EPSILON) broken(c);
  }
}

/**
 * Each row's own dealbreakers, listed once for the many floor scans of the same rows (a bulk batch
 * scanned by every alerting row of the other side): row e's are `criteria[starts[e]..starts[e + 1])`.
 */
export interface RowDealbreakers {
  starts: Int32Array;
  criteria: Int32Array;
}

/** The dealbreakers of rows 0..end of `E` (its expectations' level bytes; inactive rows too, unused). */
export function listRowDealbreakers(E: RowArrays, end: number): RowDealbreakers {
  const { count, record } = E.layout;
  const starts = new Int32Array(end + 1);
  const criteria: number[] = [];
  for (let e = 0; e < end; e++) {
    for (let c = 0; c < count; c++) {
      if ((E.levels[e * record.bytes + c]! & LEVEL_BITS) === DEALBREAKER_LEVEL) criteria.push(c);
    }
    starts[e + 1] = criteria.length;
  }
  return { starts, criteria: Int32Array.from(criteria) };
}

/**
 * Keeps, compacted in order, the rows of `rows[0..count)` (of `E`, their dealbreakers listed in
 * `listed`) none of whose own dealbreakers the subject (row `v` of `V`) breaks, by the test of
 * forEachBrokenDealbreaker; returns how many. The rows left out are those satisfactionOf finds BROKEN.
 */
export function keepRowsWhoseDealbreakersHold(
  E: RowArrays,
  listed: RowDealbreakers,
  rows: Int32Array,
  count: number,
  V: RowArrays,
  v: number,
): number {
  const { starts, criteria } = listed;
  const { kinds, record } = E.layout;
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const e = rows[k]!;
    let holds = true;
    for (let i = starts[e]!; i < starts[e + 1]! && holds; i++) {
      const c = criteria[i]!;
      const sat = pairSatOf(kinds[c]!, E, e, V, v, c, E.levels[e * record.bytes + c]!);
      holds = sat >= 0 && sat >= 1 - EPSILON;
    }
    rows[kept] = e;
    kept += +holds;
  }
  return kept;
}

/**
 * Notes one of row `e`'s own dealbreakers beside its values, so that a scan's first pass over the
 * rows (dealbreaker-filter.ts) drops the rows whose noted dealbreaker the subject breaks before
 * bounding them: at 100k four in ten of the rows meeting a job's dealbreakers break one of their
 * own. Of the row's dealbreakers on a kind with a dealbreakerMask (criteria 0..126), the one that
 * the fewest values meet: the criterion + 1 (with MODE_ALL when a value must hold the whole mask)
 * in its `codes` column, the mask in its `masks` column (0 and NO_NOTE_MASK for none). Every way
 * of writing a row calls this.
 */
export function noteDealbreaker(E: RowArrays, e: number): void {
  const { layout, capacity, levels } = E;
  const { count, record, kinds, notedDealbreaker: noted } = layout;
  let note = 0;
  let mask = NO_NOTE_MASK;
  let share = 2;
  for (let c = 0; c < count && c < NOTABLE_CRITERIA; c++) {
    const levelByte = levels[e * record.bytes + c]!;
    if ((levelByte & LEVEL_BITS) !== DEALBREAKER_LEVEL) continue;
    const dealbreakerMask = kindOf(kinds[c]!).dealbreakerMask;
    if (!dealbreakerMask) continue;
    const met = dealbreakerMask.met(E, e, c);
    const options = layout.optionIndex[c]?.size ?? layout.valueCount[c]!;
    const metShare = (levelByte & MODE_ALL) !== 0 ? 1 - popcount(met) / options : popcount(met) / options;
    if (metShare >= share) continue;
    note = (c + 1) | (levelByte & MODE_ALL);
    mask = met;
    share = metShare;
  }
  E.codes[noted.criterionSlot * capacity + e] = note;
  E.masks[noted.maskSlot * capacity + e] = mask;
}

/** Criteria a note can name: one byte holds the criterion + 1 and the MODE_ALL bit. */
const NOTABLE_CRITERIA = 127;
/** The mask of a row without a noted dealbreaker: every bit, so that notedValues' every bit at 0 meets it. */
const NO_NOTE_MASK = 0xffff_ffff;

/**
 * Does a row's noted dealbreaker (its `note` and `met` mask, noteDealbreaker) hold, for a subject
 * whose notedValues are `values`? 1 or 0, without a branch (a note is as likely as not). When it
 * does not, satisfactionOf finds the row BROKEN: the dealbreaker's sat is 1 for the values in the
 * mask and at most 1 − 1/32 for the others, or the subject gave no value there.
 */
export function noteHolds(note: number, met: number, values: Int32Array): number {
  return +((met & values[note]!) !== 0) ^ (note >>> 7);
}

/**
 * Row `v`'s values, at each note a row can have: at criterion + 1 its value as the bits of the
 * kind's dealbreaker mask (0: no value, or the kind has no mask), so that a row holds when its
 * mask meets them; with MODE_ALL, their complement, so that it holds when its mask does not (a
 * row wanting nothing is then let through when the subject gave no value, to be found broken
 * later); at 0 (no note), every bit, which a row's NO_NOTE_MASK meets.
 */
export function notedValues(V: RowArrays, v: number): Int32Array {
  const { kinds, count } = V.layout;
  const values = new Int32Array(2 * (NOTABLE_CRITERIA + 1));
  values[0] = NO_NOTE_MASK | 0;
  for (let c = 0; c < Math.min(count, NOTABLE_CRITERIA); c++) {
    const value = kindOf(kinds[c]!).dealbreakerMask?.value(V, v, c) ?? 0;
    values[c + 1] = value;
    values[(c + 1) | MODE_ALL] = ~value;
  }
  return values;
}
