import type { ProfileStore } from '../matching/engine/columnar-store.ts';
import type { Step } from '../matching/engine/forward-score.ts';
import { MARGIN } from '../matching/engine/precision.ts';

/** Rows settled together: their running sums stay in the CPU cache. */
const BLOCK = 2048;

/**
 * Given the sums `weighted` (Σ w·sat) and `total` (Σ w) of some of the profile's steps, exact, and
 * `rest`, the weight of its other steps: S(profile→row) is certainly below `low`. At most, each
 * other step is answered with sat 1, and S ≤ (weighted + rest) / (total + rest) (weighted ≤ total;
 * with nothing answered at all S is 1, never below). MARGIN: sums in another order than the
 * reference's; multiplied out, no division.
 */
export function surelyBelow(weighted: number, total: number, rest: number, low: number): boolean {
  return weighted + rest < (low - MARGIN) * (total + rest);
}

/**
 * As surelyBelow: S(profile→row) is certainly at or above `high`. At least, each other step is
 * answered with sat 0, and S ≥ weighted / (total + rest) (with total + rest = 0, S is 1).
 */
export function surelyAtLeast(weighted: number, total: number, rest: number, high: number): boolean {
  return total + rest === 0 ? high <= 1 : weighted >= (high + MARGIN) * (total + rest);
}

/** The profile's steps heaviest first, each with the weight of the steps after it. */
export function heaviestFirst(steps: readonly Step[]): { step: Step; rest: number }[] {
  const ordered = [...steps].sort((a, b) => b.w - a.w);
  let rest = ordered.reduce((sum, step) => sum + step.w, 0);
  return ordered.map((step) => {
    rest -= step.w;
    return { step, rest };
  });
}

/**
 * Flags the rows of `rows` (meeting the profile's dealbreakers) whose S(profile→row) may lie in
 * [low, high): a minScore moved between the two, so these are the rows it may accept one time and
 * not the other. The steps are added heaviest first (weights 250, 50, 10, 1: the first few
 * decide most rows), and after each a row whose bounds settle it (surelyBelow `low`, surelyAtLeast
 * `high`) leaves; the rows left after every step are flagged. Flagging a row too many only scans it.
 */
export function flagBetween(
  low: number,
  high: number,
  steps: readonly Step[],
  others: ProfileStore,
  rows: Int32Array,
  flags: Uint8Array,
): void {
  const ordered = heaviestFirst(steps);
  const { block, weighted, total } = scratch();
  for (let from = 0; from < rows.length; from += BLOCK) {
    let live = Math.min(rows.length, from + BLOCK) - from;
    block.set(rows.subarray(from, from + live));
    weighted.fill(0, 0, live);
    total.fill(0, 0, live);
    let added = 0;
    for (const { step, rest } of ordered) {
      if (live === 0) break;
      step.add(others, block, 0, live, weighted, total);
      added += step.w;
      // Settling takes w/(t + rest) ≥ high or (t − w)/(t + rest) > 1 − low, both at most
      // D/(D + rest) with D the weight added so far: until then no row would.
      if (rest > 0 && added / (added + rest) < Math.min(high, 1 - low)) continue;
      live = keepUnsettled(block, weighted, total, live, rest, low, high);
    }
    // No steps at all: S is 1 for every row.
    if (ordered.length === 0) live = keepUnsettled(block, weighted, total, live, 0, low, high);
    for (let k = 0; k < live; k++) flags[block[k]!] = 1;
  }
}

/** Keeps (compacted) the rows whose bounds do not settle them below `low` or at or above `high`. */
function keepUnsettled(
  block: Int32Array,
  weighted: Float64Array,
  total: Float64Array,
  live: number,
  rest: number,
  low: number,
  high: number,
): number {
  let kept = 0;
  for (let k = 0; k < live; k++) {
    const w = weighted[k]!;
    const t = total[k]!;
    const settled = surelyBelow(w, t, rest, low) || surelyAtLeast(w, t, rest, high);
    block[kept] = block[k]!;
    weighted[kept] = w;
    total[kept] = t;
    kept += +!settled;
  }
  return kept;
}

let buffers: { block: Int32Array; weighted: Float64Array; total: Float64Array } | undefined;
const scratch = () =>
  (buffers ??= {
    block: new Int32Array(BLOCK),
    weighted: new Float64Array(BLOCK),
    total: new Float64Array(BLOCK),
  });
