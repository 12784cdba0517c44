import {
  DEALBREAKER_LEVEL,
  LEVEL_WEIGHTS,
  MODE_ALL,
  MULTI,
  NUMBER,
  PROFILE,
  SCALE,
  SINGLE,
} from './layout.ts';
import { MISSING_CODE, type ProfileStore } from './store.ts';

/** The same margin as the reference scorer: float noise must not break a dealbreaker or a threshold. */
export const EPSILON = 1e-9;
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
  const acceptSlot = layout.acceptSlot;
  const s = layout.strides;
  const levels = E.levels;
  let weighted = 0;
  let total = 0;
  for (let c = 0; c < C; c++) {
    const levelByte = levels[e * C + c]!;
    const level = levelByte & 7;
    if (level === 0) continue;
    let sat = -1;
    switch (kinds[c]) {
      case SINGLE: {
        const x = V.codes[v * s.codes + valueSlot[c]!]!;
        if (x !== MISSING_CODE) sat = (E.acceptMasks[e * s.acceptMasks + acceptSlot[c]!]! >>> x) & 1;
        break;
      }
      case MULTI: {
        const x = V.masks[v * s.masks + valueSlot[c]!]!;
        if (x !== 0) {
          const wanted = E.acceptMasks[e * s.acceptMasks + acceptSlot[c]!]!;
          const met = (x & wanted) >>> 0;
          if ((levelByte & MODE_ALL) === 0) sat = met !== 0 ? 1 : 0;
          else sat = wanted === 0 ? 1 : popcount(met) / popcount(wanted);
        }
        break;
      }
      case SCALE: {
        const x = V.codes[v * s.codes + valueSlot[c]!]!;
        if (x !== MISSING_CODE) {
          const min = E.acceptSteps[e * s.acceptSteps + acceptSlot[c]!]!;
          const max = E.acceptSteps[e * s.acceptSteps + acceptSlot[c]! + 1]!;
          const d = x < min ? min - x : x > max ? x - max : 0;
          sat = d === 0 ? 1 : Math.max(0, 1 - d / (layout.tolerance[c]! + 1));
        }
        break;
      }
      case NUMBER: {
        const x = V.nums[v * s.nums + valueSlot[c]!]!;
        if (x === x) {
          const min = E.acceptNums[e * s.acceptNums + acceptSlot[c]!]!;
          const max = E.acceptNums[e * s.acceptNums + acceptSlot[c]! + 1]!;
          const bound = x < min ? min : x > max ? max : Number.NaN;
          if (bound !== bound) sat = 1;
          else {
            const relative = Math.abs(x - bound) / (bound === 0 ? layout.rangeWidth[c]! : Math.abs(bound));
            sat = Math.max(0, 1 - relative / layout.toleranceRatio[c]!);
          }
        }
        break;
      }
      case PROFILE: {
        const offset = valueSlot[c]!;
        if (V.ratings[v * s.ratings + offset] !== 0) {
          sat = profileSimilarity(
            E.ratings,
            e * s.ratings + offset,
            V.ratings,
            v * s.ratings + offset,
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

/** (1 + pearson)/2 as ml-distance computes pearson; 0.5 when either vector is constant. */
function profileSimilarity(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number, length: number): number {
  let constantA = true;
  let constantB = true;
  let sumA = 0;
  let sumB = 0;
  for (let i = 0; i < length; i++) {
    sumA += a[aAt + i]!;
    sumB += b[bAt + i]!;
    if (a[aAt + i] !== a[aAt]) constantA = false;
    if (b[bAt + i] !== b[bAt]) constantB = false;
  }
  if (constantA || constantB) return 0.5;
  const avgA = sumA / length;
  const avgB = sumB / length;
  let p = 0;
  let p2 = 0;
  let q2 = 0;
  for (let i = 0; i < length; i++) {
    const centredA = a[aAt + i]! - avgA;
    const centredB = b[bAt + i]! - avgB;
    p += centredA * centredB;
    p2 += centredA * centredA;
    q2 += centredB * centredB;
  }
  const r = Math.min(1, Math.max(-1, p / Math.sqrt(p2 * q2)));
  return (1 + r) / 2;
}

function popcount(x: number): number {
  let n = x - ((x >>> 1) & 0x55555555);
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Criteria where both rows gave a value about themselves: the confidence count n. */
export function valuedByBoth(A: ProfileStore, a: number, B: ProfileStore, b: number): number {
  const layout = A.layout;
  const s = layout.strides;
  let n = 0;
  for (let c = 0; c < layout.count; c++) {
    const slot = layout.valueSlot[c]!;
    switch (layout.kinds[c]) {
      case SINGLE:
      case SCALE:
        if (A.codes[a * s.codes + slot] !== MISSING_CODE && B.codes[b * s.codes + slot] !== MISSING_CODE) n++;
        break;
      case MULTI:
        if (A.masks[a * s.masks + slot] !== 0 && B.masks[b * s.masks + slot] !== 0) n++;
        break;
      case NUMBER: {
        const x = A.nums[a * s.nums + slot]!;
        const y = B.nums[b * s.nums + slot]!;
        if (x === x && y === y) n++;
        break;
      }
      case PROFILE:
        if (A.ratings[a * s.ratings + slot] !== 0 && B.ratings[b * s.ratings + slot] !== 0) n++;
        break;
    }
  }
  return n;
}
