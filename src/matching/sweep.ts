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

/** Rows per block: the block's running sums (2 × 8 bytes a row) stay in the CPU cache. */
const BLOCK = 2048;

/** One criterion the subject cares about, compiled for the sweep. */
type Step =
  | { kind: typeof SINGLE; column: number; gain: Float64Array; weightOf: Float64Array }
  | { kind: typeof MULTI; column: number; w: number; dealbreaker: boolean; wanted: number; all: boolean }
  | {
      kind: typeof NUMBER;
      column: number;
      w: number;
      dealbreaker: boolean;
      min: number;
      max: number;
      ratio: number;
      width: number;
    }
  | { kind: typeof PROFILE; column: number; w: number; dealbreaker: boolean; offset: number; dims: number };

/**
 * S(subject→row) for every row of `others`, as weighted sum and total weight per row; rows that
 * break a dealbreaker of the subject get a NaN sum. The subject's expectations are compiled once
 * (single and scale criteria become two table look-ups per row), then applied column by column
 * within blocks of rows. Per row the sums run in questionnaire order with the reference scorer's
 * products, so every result is bit-identical to it.
 */
export function sweepSubjectSatisfaction(
  subject: ProfileStore,
  s: number,
  others: ProfileStore,
  weighted: Float64Array,
  total: Float64Array,
): void {
  const n = others.end;
  weighted.fill(0, 0, n);
  total.fill(0, 0, n);
  const steps = compile(subject, s, others.capacity);
  for (let from = 0; from < n; from += BLOCK) {
    const to = Math.min(n, from + BLOCK);
    for (const step of steps) applyStep(step, subject, s, others, from, to, weighted, total);
  }
}

function compile(subject: ProfileStore, s: number, cap: number): Step[] {
  const layout = subject.layout;
  const sCap = subject.capacity;
  const steps: Step[] = [];
  for (let c = 0; c < layout.count; c++) {
    const levelByte = subject.levels[c * sCap + s]!;
    const level = levelByte & 7;
    if (level === 0) continue;
    const w = LEVEL_WEIGHTS[level]!;
    const dealbreaker = level === DEALBREAKER_LEVEL;
    const column = layout.valueSlot[c]! * cap;
    const accept = layout.acceptSlot[c]! * sCap + s;
    const kind = layout.kinds[c];
    if (kind === SINGLE || kind === SCALE) {
      // Per possible code: what a row with that value adds (NaN: it breaks a dealbreaker).
      const gain = new Float64Array(256);
      const weightOf = new Float64Array(256);
      for (let x = 0; x < 256; x++) {
        let sat = -1;
        if (x !== MISSING_CODE && x < layout.valueCount[c]!) {
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
      steps.push({ kind: SINGLE, column, gain, weightOf });
    } else if (kind === MULTI) {
      const all = (levelByte & MODE_ALL) !== 0;
      steps.push({ kind: MULTI, column, w, dealbreaker, wanted: subject.acceptMasks[accept]!, all });
    } else if (kind === NUMBER) {
      steps.push({
        kind: NUMBER,
        column,
        w,
        dealbreaker,
        min: subject.acceptNums[accept]!,
        max: subject.acceptNums[accept + sCap]!,
        ratio: layout.toleranceRatio[c]!,
        width: layout.rangeWidth[c]!,
      });
    } else {
      steps.push({
        kind: PROFILE,
        column,
        w,
        dealbreaker,
        offset: layout.valueSlot[c]!,
        dims: layout.dims[c]!,
      });
    }
  }
  return steps;
}

function applyStep(
  step: Step,
  subject: ProfileStore,
  s: number,
  others: ProfileStore,
  from: number,
  to: number,
  weighted: Float64Array,
  total: Float64Array,
): void {
  const base = step.column;
  switch (step.kind) {
    case SINGLE: {
      const { gain, weightOf } = step;
      const codes = others.codes;
      for (let i = from; i < to; i++) {
        const x = codes[base + i]!;
        weighted[i] = weighted[i]! + gain[x]!;
        total[i] = total[i]! + weightOf[x]!;
      }
      return;
    }
    case MULTI: {
      const { w, dealbreaker, wanted, all } = step;
      const wantedCount = popcount(wanted);
      const masks = others.masks;
      for (let i = from; i < to; i++) {
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
      return;
    }
    case NUMBER: {
      const { w, dealbreaker, min, max, ratio, width } = step;
      const nums = others.nums;
      for (let i = from; i < to; i++) {
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
      return;
    }
    case PROFILE: {
      const { w, dealbreaker, offset, dims } = step;
      const ratings = others.ratings;
      const cap = others.capacity;
      for (let i = from; i < to; i++) {
        if (ratings[base + i] === 0) {
          if (dealbreaker) weighted[i] = Number.NaN;
          continue;
        }
        const sat = profileSimilarity(subject.ratings, s, subject.capacity, ratings, i, cap, offset, dims);
        if (dealbreaker && sat < 1 - EPSILON) weighted[i] = Number.NaN;
        weighted[i] = weighted[i]! + w * sat;
        total[i] = total[i]! + w;
      }
    }
  }
}
