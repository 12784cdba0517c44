import { EPSILON } from '../score.ts';
import type { ProfileStore } from './columnar-store.ts';
import { MULTI, NUMBER, PROFILE, SCALE, SINGLE } from './layout.ts';
import { DEALBREAKER_LEVEL, LEVEL_WEIGHTS, MISSING_CODE, MODE_ALL } from './levels.ts';

export const BROKEN = -1;

/**
 * S(expecting→valued): how well row `v` of `V` meets the expectations of row `e` of `E`, or BROKEN
 * when a dealbreaker of `e` is not fully met. The arithmetic (order of the sums included) is the
 * reference scorer's, so the two agree to the last bit.
 */
export function satisfactionOf(E: ProfileStore, e: number, V: ProfileStore, v: number): number {
  const layout = E.layout;
  const C = layout.count;
  const kinds = layout.kinds;
  const valueSlot = layout.valueSlot;
  const acceptAt = layout.acceptAt;
  const { bytes, words, doubles } = layout.record;
  const levels = E.levels;
  const vCap = V.capacity;
  let weighted = 0;
  let total = 0;
  for (let c = 0; c < C; c++) {
    const levelByte = levels[e * bytes + c]!;
    const level = levelByte & 7;
    if (level === 0) continue;
    let sat = -1;
    const vAt = valueSlot[c]! * vCap + v;
    switch (kinds[c]) {
      case SINGLE: {
        const x = V.codes[vAt]!;
        if (x !== MISSING_CODE) sat = (E.acceptMasks[e * words + acceptAt[c]!]! >>> x) & 1;
        break;
      }
      case MULTI: {
        const x = V.masks[vAt]!;
        if (x !== 0) {
          const wanted = E.acceptMasks[e * words + acceptAt[c]!]!;
          const met = (x & wanted) >>> 0;
          if ((levelByte & MODE_ALL) === 0) sat = met !== 0 ? 1 : 0;
          else sat = wanted === 0 ? 1 : popcount(met) / popcount(wanted);
        }
        break;
      }
      case SCALE: {
        const x = V.codes[vAt]!;
        const at = e * bytes + acceptAt[c]!;
        if (x !== MISSING_CODE)
          sat = scaleSat(E.acceptSteps[at]!, E.acceptSteps[at + 1]!, x, layout.tolerance[c]!);
        break;
      }
      case NUMBER: {
        const x = V.nums[vAt]!;
        if (!Number.isNaN(x)) {
          const at = e * doubles + acceptAt[c]!;
          sat = numberSat(
            E.acceptNums[at]!,
            E.acceptNums[at + 1]!,
            x,
            layout.toleranceRatio[c]!,
            layout.rangeWidth[c]!,
          );
        }
        break;
      }
      case PROFILE: {
        if (V.ratings[vAt] !== 0) {
          sat = profileSimilarity(
            E.ratings,
            e,
            E.capacity,
            V.ratings,
            v,
            vCap,
            valueSlot[c]!,
            layout.dims[c]!,
          );
        }
        break;
      }
    }
    if (sat < 0) {
      if (level === DEALBREAKER_LEVEL) return BROKEN;
      continue;
    }
    if (level === DEALBREAKER_LEVEL && sat < 1 - EPSILON) return BROKEN;
    const weight = LEVEL_WEIGHTS[level]!;
    weighted += weight * sat;
    total += weight;
  }
  return total === 0 ? 1 : weighted / total;
}

/** sat of a scale step against an accepted [min, max] of steps, as the reference computes it. */
export function scaleSat(min: number, max: number, x: number, tolerance: number): number {
  const d = x < min ? min - x : x > max ? x - max : 0;
  return d === 0 ? 1 : Math.max(0, 1 - d / (tolerance + 1));
}

/** sat of a number against optional bounds (±Infinity when absent), as the reference computes it. */
export function numberSat(
  min: number,
  max: number,
  x: number,
  toleranceRatio: number,
  rangeWidth: number,
): number {
  const bound = x < min ? min : x > max ? max : Number.NaN;
  if (Number.isNaN(bound)) return 1;
  const relative = Math.abs(x - bound) / (bound === 0 ? rangeWidth : Math.abs(bound));
  return Math.max(0, 1 - relative / toleranceRatio);
}

/** (1 + pearson)/2 as ml-distance computes pearson; 0.5 when either vector is constant. */
export function profileSimilarity(
  a: Uint8Array,
  aRow: number,
  aCap: number,
  b: Uint8Array,
  bRow: number,
  bCap: number,
  offset: number,
  length: number,
): number {
  const aAt = offset * aCap + aRow;
  const bAt = offset * bCap + bRow;
  let constantA = true;
  let constantB = true;
  let sumA = 0;
  let sumB = 0;
  for (let i = 0; i < length; i++) {
    sumA += a[aAt + i * aCap]!;
    sumB += b[bAt + i * bCap]!;
    if (a[aAt + i * aCap] !== a[aAt]) constantA = false;
    if (b[bAt + i * bCap] !== b[bAt]) constantB = false;
  }
  if (constantA || constantB) return 0.5;
  const avgA = sumA / length;
  const avgB = sumB / length;
  let p = 0;
  let p2 = 0;
  let q2 = 0;
  for (let i = 0; i < length; i++) {
    const centredA = a[aAt + i * aCap]! - avgA;
    const centredB = b[bAt + i * bCap]! - avgB;
    p += centredA * centredB;
    p2 += centredA * centredA;
    q2 += centredB * centredB;
  }
  const r = Math.min(1, Math.max(-1, p / Math.sqrt(p2 * q2)));
  return (1 + r) / 2;
}

export function popcount(x: number): number {
  let n = x - ((x >>> 1) & 0x55555555);
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Criteria where both rows gave a value about themselves: the confidence count n. */
export function valuedByBoth(A: ProfileStore, a: number, B: ProfileStore, b: number): number {
  const layout = A.layout;
  let n = 0;
  for (let c = 0; c < layout.count; c++) {
    const slot = layout.valueSlot[c]!;
    switch (layout.kinds[c]) {
      case SINGLE:
      case SCALE:
        if (
          A.codes[slot * A.capacity + a] !== MISSING_CODE &&
          B.codes[slot * B.capacity + b] !== MISSING_CODE
        )
          n++;
        break;
      case MULTI:
        if (A.masks[slot * A.capacity + a] !== 0 && B.masks[slot * B.capacity + b] !== 0) n++;
        break;
      case NUMBER: {
        const x = A.nums[slot * A.capacity + a]!;
        const y = B.nums[slot * B.capacity + b]!;
        if (!Number.isNaN(x) && !Number.isNaN(y)) n++;
        break;
      }
      case PROFILE:
        if (A.ratings[slot * A.capacity + a] !== 0 && B.ratings[slot * B.capacity + b] !== 0) n++;
        break;
    }
  }
  return n;
}
