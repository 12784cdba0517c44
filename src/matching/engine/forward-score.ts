import { EPSILON } from '../score.ts';
import type { ProfileStore } from './columnar-store.ts';
import { MULTI, NUMBER, PROFILE, SCALE, SINGLE } from './layout.ts';
import { DEALBREAKER_LEVEL, LEVEL_WEIGHTS, MISSING_CODE, MODE_ALL } from './levels.ts';
import { numberSat, popcount, profileSimilarity, scaleSat } from './pair-score.ts';

/** Listed rows per block: the block's running sums (2 × 8 bytes a row) stay in the CPU cache. */
const BLOCK = 2048;

/** One criterion the subject cares about, compiled for the sweep: its weight `w` and how to score a row. */
export type Step = { column: number; w: number; dealbreaker: boolean } & (
  | { kind: typeof SINGLE; gain: Float64Array; weightOf: Float64Array; loss: Float64Array }
  | { kind: typeof MULTI; wanted: number; wantedCount: number; all: boolean }
  | { kind: typeof NUMBER; min: number; max: number; ratio: number; width: number }
  | { kind: typeof PROFILE; offset: number; dims: number }
);

/**
 * The subject's expectations in questionnaire order, compiled once per scan: single and scale
 * criteria become table look-ups per row (what a row with that code adds to the weighted sum
 * and to the total weight, NaN in the sum: the code breaks a dealbreaker; and the weight it loses).
 */
export function compileSteps(subject: ProfileStore, s: number, others: ProfileStore): Step[] {
  const layout = subject.layout;
  const { bytes, words, doubles } = layout.record;
  const steps: Step[] = [];
  for (let c = 0; c < layout.count; c++) {
    const levelByte = subject.levels[s * bytes + c]!;
    const level = levelByte & 7;
    if (level === 0) continue;
    const w = LEVEL_WEIGHTS[level]!;
    const dealbreaker = level === DEALBREAKER_LEVEL;
    const column = layout.valueSlot[c]! * others.capacity;
    const accept = layout.acceptAt[c]!;
    const kind = layout.kinds[c];
    const common = { column, w, dealbreaker };
    if (kind === SINGLE || kind === SCALE) {
      const gain = new Float64Array(256);
      const weightOf = new Float64Array(256);
      const loss = new Float64Array(256);
      for (let x = 0; x < 256; x++) {
        let sat = -1;
        if (x !== MISSING_CODE && x < layout.valueCount[c]!) {
          sat =
            kind === SINGLE
              ? (subject.acceptMasks[s * words + accept]! >>> x) & 1
              : scaleSat(
                  subject.acceptSteps[s * bytes + accept]!,
                  subject.acceptSteps[s * bytes + accept + 1]!,
                  x,
                  layout.tolerance[c]!,
                );
        }
        const broken = dealbreaker && (sat < 0 || sat < 1 - EPSILON);
        gain[x] = broken ? Number.NaN : sat < 0 ? 0 : w * sat;
        weightOf[x] = sat < 0 ? 0 : w;
        loss[x] = sat < 0 ? 0 : w * (1 - sat);
      }
      steps.push({ ...common, kind: SINGLE, gain, weightOf, loss });
    } else if (kind === MULTI) {
      const all = (levelByte & MODE_ALL) !== 0;
      const wanted = subject.acceptMasks[s * words + accept]!;
      steps.push({ ...common, kind: MULTI, wanted, wantedCount: popcount(wanted), all });
    } else if (kind === NUMBER) {
      steps.push({
        ...common,
        kind: NUMBER,
        min: subject.acceptNums[s * doubles + accept]!,
        max: subject.acceptNums[s * doubles + accept + 1]!,
        ratio: layout.toleranceRatio[c]!,
        width: layout.rangeWidth[c]!,
      });
    } else {
      steps.push({ ...common, kind: PROFILE, offset: layout.valueSlot[c]!, dims: layout.dims[c]! });
    }
  }
  return steps;
}

/**
 * Adds each step's w·sat and w to the sums of every listed row (sums by list position), step by
 * step in the order given, within blocks of rows. Given every step of the subject in questionnaire
 * order on zeroed sums, this is the reference scorer's arithmetic: S = weighted / total (1 when
 * total is 0) is bit-identical to it. The rows must meet the subject's dealbreakers.
 */
export function addSteps(
  steps: readonly Step[],
  subject: ProfileStore,
  s: number,
  others: ProfileStore,
  rows: Int32Array,
  count: number,
  weighted: Float64Array,
  total: Float64Array,
): void {
  for (let from = 0; from < count; from += BLOCK) {
    const to = Math.min(count, from + BLOCK);
    for (const step of steps) addStep(step, subject, s, others, rows, from, to, weighted, total);
  }
}

function addStep(
  step: Step,
  subject: ProfileStore,
  s: number,
  others: ProfileStore,
  rows: Int32Array,
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
      for (let k = from; k < to; k++) {
        const x = codes[base + rows[k]!]!;
        weighted[k] = weighted[k]! + gain[x]!;
        total[k] = total[k]! + weightOf[x]!;
      }
      return;
    }
    case MULTI: {
      const { w, wanted, wantedCount, all } = step;
      const masks = others.masks;
      for (let k = from; k < to; k++) {
        const x = masks[base + rows[k]!]!;
        if (x === 0) continue;
        weighted[k] = weighted[k]! + w * multiSat(x, wanted, wantedCount, all);
        total[k] = total[k]! + w;
      }
      return;
    }
    case NUMBER: {
      const { w, min, max, ratio, width } = step;
      const nums = others.nums;
      for (let k = from; k < to; k++) {
        const x = nums[base + rows[k]!]!;
        if (Number.isNaN(x)) continue;
        weighted[k] = weighted[k]! + w * numberSat(min, max, x, ratio, width);
        total[k] = total[k]! + w;
      }
      return;
    }
    case PROFILE: {
      const { w, offset, dims } = step;
      const ratings = others.ratings;
      const cap = others.capacity;
      for (let k = from; k < to; k++) {
        const row = rows[k]!;
        if (ratings[base + row] === 0) continue;
        const sat = profileSimilarity(subject.ratings, s, subject.capacity, ratings, row, cap, offset, dims);
        weighted[k] = weighted[k]! + w * sat;
        total[k] = total[k]! + w;
      }
    }
  }
}

/** sat of a multi value against the wanted options, as the reference computes it. */
export function multiSat(x: number, wanted: number, wantedCount: number, all: boolean): number {
  const met = (x & wanted) >>> 0;
  if (!all) return met !== 0 ? 1 : 0;
  return wantedCount === 0 ? 1 : popcount(met) / wantedCount;
}
