import { EPSILON } from '../score.ts';
import type { ProfileStore } from './columnar-store.ts';
import type { Step } from './forward-score.ts';
import { MULTI, NUMBER, PROFILE, SINGLE } from './layout.ts';
import { numberSat, profileSimilarity } from './pair-score.ts';

/**
 * Lists into `rows` the active rows from..to of `others` that give a value to every dealbreaker of
 * the subject and meet it fully; returns how many. Only these rows can be acceptable to the subject.
 */
export function rowsMeetingDealbreakers(
  steps: readonly Step[],
  subject: ProfileStore,
  s: number,
  others: ProfileStore,
  rows: Int32Array,
  from: number,
  to: number,
): number {
  let count = 0;
  const active = others.active;
  for (let o = from; o < to; o++) {
    if (active[o] !== 0) rows[count++] = o;
  }
  for (const step of steps) {
    if (step.dealbreaker) count = keepFullyMet(step, subject, s, others, rows, count);
  }
  return count;
}

/** Keeps (in order, in place) the listed rows that have a value for `step` with sat = 1 (to EPSILON). */
function keepFullyMet(
  step: Step,
  subject: ProfileStore,
  s: number,
  others: ProfileStore,
  rows: Int32Array,
  count: number,
): number {
  const base = step.column;
  const fullyMet = 1 - EPSILON;
  let kept = 0;
  switch (step.kind) {
    case SINGLE: {
      const gain = step.gain;
      const codes = others.codes;
      for (let k = 0; k < count; k++) {
        const row = rows[k]!;
        rows[kept] = row;
        kept += +!Number.isNaN(gain[codes[base + row]!]!);
      }
      return kept;
    }
    case MULTI: {
      // sat = 1 means: every wanted option (mode all; 31/32 < 1 − EPSILON) or any of them (mode any).
      const { wanted, all } = step;
      const masks = others.masks;
      for (let k = 0; k < count; k++) {
        const row = rows[k]!;
        const x = masks[base + row]!;
        const met = (x & wanted) >>> 0;
        rows[kept] = row;
        kept += all ? +(x !== 0 && met === wanted) : +(met !== 0);
      }
      return kept;
    }
    case NUMBER: {
      const { min, max, ratio, width } = step;
      const nums = others.nums;
      for (let k = 0; k < count; k++) {
        const row = rows[k]!;
        const x = nums[base + row]!;
        if (!Number.isNaN(x) && numberSat(min, max, x, ratio, width) >= fullyMet) rows[kept++] = row;
      }
      return kept;
    }
    case PROFILE: {
      const { offset, dims } = step;
      const ratings = others.ratings;
      const cap = others.capacity;
      for (let k = 0; k < count; k++) {
        const row = rows[k]!;
        if (ratings[base + row] === 0) continue;
        const sat = profileSimilarity(subject.ratings, s, subject.capacity, ratings, row, cap, offset, dims);
        if (sat >= fullyMet) rows[kept++] = row;
      }
      return kept;
    }
  }
}
