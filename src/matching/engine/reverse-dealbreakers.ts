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
