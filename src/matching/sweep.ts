import { EPSILON, numberSat, popcount, profileSimilarity, scaleSat } from './kernel.ts';
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

/**
 * S(subject→row) for every row of `others` at once, criterion by criterion down the columns
 * (so memory is read in order, and single and scale criteria become two table look-ups per
 * row). Rows that break a dealbreaker of the subject get NaN. Sums are taken in questionnaire
 * order with the same products as the reference scorer, so each result is bit-identical to it.
 */
export function sweepSubjectSatisfaction(
  subject: ProfileStore,
  s: number,
  others: ProfileStore,
  weighted: Float64Array,
  total: Float64Array,
): void {
  const layout = subject.layout;
  const n = others.end;
  const cap = others.capacity;
  const sCap = subject.capacity;
  weighted.fill(0, 0, n);
  total.fill(0, 0, n);
  const gain = new Float64Array(256);
  const weightOf = new Float64Array(256);

  for (let c = 0; c < layout.count; c++) {
    const levelByte = subject.levels[c * sCap + s]!;
    const level = levelByte & 7;
    if (level === 0) continue;
    const w = LEVEL_WEIGHTS[level]!;
    const dealbreaker = level === DEALBREAKER_LEVEL;
    const base = layout.valueSlot[c]! * cap;
    const accept = layout.acceptSlot[c]! * sCap + s;
    const kind = layout.kinds[c];

    if (kind === SINGLE || kind === SCALE) {
      // One entry per possible code: what a row with that value adds (NaN: breaks a dealbreaker).
      const codesInUse = layout.valueCount[c]!;
      for (let x = 0; x < 256; x++) {
        let sat = -1;
        if (x !== MISSING_CODE && x < codesInUse) {
          sat =
            kind === SINGLE
              ? (subject.acceptMasks[accept]! >>> x) & 1
              : scaleSat(
                  subject.acceptSteps[accept]!,
                  subject.acceptSteps[accept + sCap]!,
                  x,
                  layout.tolerance[c]!,
                );
        }
        const broken = dealbreaker && (sat < 0 || sat < 1 - EPSILON);
        gain[x] = broken ? Number.NaN : sat < 0 ? 0 : w * sat;
        weightOf[x] = sat < 0 ? 0 : w;
      }
      const codes = others.codes;
      for (let i = 0; i < n; i++) {
        const x = codes[base + i]!;
        weighted[i] = weighted[i]! + gain[x]!;
        total[i] = total[i]! + weightOf[x]!;
      }
      continue;
    }

    if (kind === MULTI) {
      const wanted = subject.acceptMasks[accept]!;
      const all = (levelByte & MODE_ALL) !== 0;
      const wantedCount = popcount(wanted);
      const masks = others.masks;
      for (let i = 0; i < n; i++) {
        const x = masks[base + i]!;
        if (x === 0) {
          if (dealbreaker) weighted[i] = Number.NaN;
          continue;
        }
        const met = (x & wanted) >>> 0;
        const sat = all ? (wantedCount === 0 ? 1 : popcount(met) / wantedCount) : met !== 0 ? 1 : 0;
        if (dealbreaker && sat < 1 - EPSILON) weighted[i] = Number.NaN;
        weighted[i] = weighted[i]! + w * sat;
        total[i] = total[i]! + w;
      }
      continue;
    }

    if (kind === NUMBER) {
      const min = subject.acceptNums[accept]!;
      const max = subject.acceptNums[accept + sCap]!;
      const ratio = layout.toleranceRatio[c]!;
      const width = layout.rangeWidth[c]!;
      const nums = others.nums;
      for (let i = 0; i < n; i++) {
        const x = nums[base + i]!;
        if (Number.isNaN(x)) {
          if (dealbreaker) weighted[i] = Number.NaN;
          continue;
        }
        const sat = numberSat(min, max, x, ratio, width);
        if (dealbreaker && sat < 1 - EPSILON) weighted[i] = Number.NaN;
        weighted[i] = weighted[i]! + w * sat;
        total[i] = total[i]! + w;
      }
      continue;
    }

    if (kind === PROFILE) {
      const offset = layout.valueSlot[c]!;
      const dims = layout.dims[c]!;
      const ratings = others.ratings;
      for (let i = 0; i < n; i++) {
        if (ratings[base + i] === 0) {
          if (dealbreaker) weighted[i] = Number.NaN;
          continue;
        }
        const sat = profileSimilarity(subject.ratings, s, sCap, ratings, i, cap, offset, dims);
        if (dealbreaker && sat < 1 - EPSILON) weighted[i] = Number.NaN;
        weighted[i] = weighted[i]! + w * sat;
        total[i] = total[i]! + w;
      }
    }
  }
}
