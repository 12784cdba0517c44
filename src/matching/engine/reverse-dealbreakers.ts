import { EPSILON } from '../score.ts';
import { pairSatOf } from './kinds/index.ts';
import type { RowArrays } from './layout.ts';
import { DEALBREAKER_LEVEL, LEVEL_BITS } from './levels.ts';

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
