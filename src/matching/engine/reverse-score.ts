import { EPSILON } from '../score.ts';
import type { ProfileStore } from './columnar-store.ts';
import { MULTI, NUMBER, PROFILE, SCALE, SINGLE } from './layout.ts';
import { DEALBREAKER_LEVEL, LEVEL_WEIGHTS, MISSING_CODE, MODE_ALL } from './levels.ts';
import { numberSat, popcount, scaleSat } from './pair-score.ts';
import { MARGIN } from './precision.ts';

/**
 * The subject's values, read once per scan, for scoring S(row→subject) of many rows column by
 * column: per criterion, where in a row's record its expectation sits and what the subject answered.
 * `missing`: the subject gave no value there, so only the rows' dealbreakers on it count (broken).
 */
export type SubjectValue = { levels: number; accept: number; missing: boolean } & (
  | { kind: typeof SINGLE; code: number }
  | { kind: typeof MULTI; mask: number }
  | { kind: typeof SCALE; step: number; tolerance: number }
  | { kind: typeof NUMBER; value: number; ratio: number; width: number }
  | { kind: typeof PROFILE; ratings: number; dims: number; subjectProfile: CentredProfile }
);

/** The subject's side of ml-distance's pearson, the same every row: computed once, with the same arithmetic. */
interface CentredProfile {
  constant: boolean;
  centred: Float64Array;
  /** Σ centred², summed in dimension order */
  squares: number;
}

export function compileSubjectValues(subject: ProfileStore, s: number, others: ProfileStore): SubjectValue[] {
  const layout = subject.layout;
  const sCap = subject.capacity;
  const oCap = others.capacity;
  const values: SubjectValue[] = [];
  for (let c = 0; c < layout.count; c++) {
    const column = layout.valueSlot[c]! * sCap + s;
    const where = { levels: c, accept: layout.acceptAt[c]! };
    switch (layout.kinds[c]) {
      case SINGLE: {
        const code = subject.codes[column]!;
        values.push({ ...where, kind: SINGLE, missing: code === MISSING_CODE, code });
        break;
      }
      case MULTI: {
        const mask = subject.masks[column]!;
        values.push({ ...where, kind: MULTI, missing: mask === 0, mask });
        break;
      }
      case SCALE: {
        const step = subject.codes[column]!;
        const tolerance = layout.tolerance[c]!;
        values.push({ ...where, kind: SCALE, missing: step === MISSING_CODE, step, tolerance });
        break;
      }
      case NUMBER: {
        const value = subject.nums[column]!;
        const ratio = layout.toleranceRatio[c]!;
        const width = layout.rangeWidth[c]!;
        values.push({ ...where, kind: NUMBER, missing: Number.isNaN(value), value, ratio, width });
        break;
      }
      case PROFILE: {
        const dims = layout.dims[c]!;
        const subjectProfile = centredProfile(subject.ratings, column, sCap, dims);
        const missing = subject.ratings[column] === 0;
        values.push({
          ...where,
          kind: PROFILE,
          missing,
          ratings: layout.valueSlot[c]! * oCap,
          dims,
          subjectProfile,
        });
        break;
      }
    }
  }
  return values;
}

function centredProfile(ratings: Uint8Array, at: number, cap: number, dims: number): CentredProfile {
  let sum = 0;
  let constant = true;
  for (let i = 0; i < dims; i++) {
    sum += ratings[at + i * cap]!;
    if (ratings[at + i * cap] !== ratings[at]) constant = false;
  }
  const average = sum / dims;
  const centred = new Float64Array(dims);
  let squares = 0;
  for (let i = 0; i < dims; i++) {
    centred[i] = ratings[at + i * cap]! - average;
    squares += centred[i]! * centred[i]!;
  }
  return { constant, centred, squares };
}

/** Rows scored together, in parallel arrays compacted as rows drop out. */
export interface RowBatch {
  rows: Int32Array;
  /** the least S(row→subject) the caller still wants of each row: rows that provably end below it drop out */
  least: Float64Array;
  /** running Σ w·sat, then S(row→subject) */
  weighted: Float64Array;
  /** running Σ w; NaN once the row is broken */
  total: Float64Array;
  /** at least the weight the row can still add to `total` */
  remaining: Float64Array;
}

/**
 * S(row→subject) for the rows of `batch[0..count)`. First the `bounding` criteria (distinct
 * indexes into `values`, most telling first) drop the rows that cannot reach `least`; then, for
 * the rows left, criterion by criterion in questionnaire order, every row adds the same products
 * in the same order as satisfactionOf(others, row, subject, s), so the results are bit-identical
 * to it. Rows also drop out when a dealbreaker of theirs is not fully met (satisfactionOf:
 * BROKEN). The batch is compacted in place (rows keep their order); returns how many rows stay,
 * `weighted[k]` then the k-th's satisfaction.
 */
export function satisfactionsOfRows(
  values: readonly SubjectValue[],
  bounding: readonly number[],
  others: ProfileStore,
  batch: RowBatch,
  count: number,
): number {
  const { weighted, total } = batch;
  startSums(batch, others, count);
  for (const c of bounding) {
    if (values[c]!.missing) continue;
    addCriterion(values[c]!, others, batch, count);
    count = keepPossible(batch, count);
  }
  startSums(batch, others, count);
  values.forEach((value, i) => {
    const broken = value.missing
      ? breakDealbreakers(value.levels, others, batch.rows, count, total)
      : addCriterion(value, others, batch, count);
    if (broken > 0 || (i + 1) % BOUND_EVERY === 0) count = keepPossible(batch, count);
  });
  for (let k = 0; k < count; k++) weighted[k] = total[k] === 0 ? 1 : weighted[k]! / total[k]!;
  return count;
}

/** Criteria added between two checks of the rows' bounds in the exact pass. */
const BOUND_EVERY = 4;

function startSums(batch: RowBatch, others: ProfileStore, count: number): void {
  const { rows, weighted, total, remaining } = batch;
  weighted.fill(0, 0, count);
  total.fill(0, 0, count);
  for (let k = 0; k < count; k++) remaining[k] = others.expectationWeightOf(rows[k]!);
}

/**
 * The criteria that lose the rows of `probe` the most weight (w·(1 − sat), per unit of cost),
 * most first, at most BOUNDING_CRITERIA: the ones to bound S(row→subject) with.
 */
export function boundingCriteria(
  values: readonly SubjectValue[],
  others: ProfileStore,
  probe: RowBatch,
  count: number,
): number[] {
  const lossOf = new Map<number, number>();
  values.forEach((value, c) => {
    if (value.missing) return;
    startSums(probe, others, count);
    addCriterion(value, others, probe, count);
    let lost = 0;
    for (let k = 0; k < count; k++) lost += probe.total[k]! - probe.weighted[k]!;
    if (lost > 0) lossOf.set(c, lost / CRITERION_COST[value.kind]);
  });
  return [...lossOf.keys()].sort((a, b) => lossOf.get(b)! - lossOf.get(a)!).slice(0, BOUNDING_CRITERIA);
}

/** Criteria added before the exact pass, to drop rows early. */
const BOUNDING_CRITERIA = 6;
/** Rough cost of a criterion per row by kind (SINGLE, MULTI, SCALE, NUMBER, PROFILE). */
const CRITERION_COST = [1, 1, 1, 1.5, 5] as const;

/**
 * Keeps, compacted, the rows not broken whose S(row→subject) can still reach `least`: with w ≤ t
 * added so far and R the weight left, the final (w + w′)/(t + t′), w′ ≤ t′ ≤ R, is at most
 * (w + R)/(t + R) (1 when t + R = 0).
 */
function keepPossible(batch: RowBatch, count: number): number {
  const { rows, least, weighted, total, remaining } = batch;
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const t = total[k]!;
    const w = weighted[k]!;
    const r = remaining[k]!;
    if (Number.isNaN(t) || w + r < (least[k]! - MARGIN) * (t + r)) continue;
    rows[kept] = rows[k]!;
    least[kept] = least[k]!;
    weighted[kept] = w;
    total[kept] = t;
    remaining[kept++] = r;
  }
  return kept;
}

/** The subject gave no value: rows that made it a dealbreaker break (returns how many), the others skip it. */
function breakDealbreakers(
  levelsAt: number,
  others: ProfileStore,
  rows: Int32Array,
  count: number,
  total: Float64Array,
): number {
  const levels = others.levels;
  const bytes = others.layout.record.bytes;
  let broken = 0;
  for (let k = 0; k < count; k++) {
    if ((levels[rows[k]! * bytes + levelsAt]! & 7) !== DEALBREAKER_LEVEL) continue;
    total[k] = Number.NaN;
    broken++;
  }
  return broken;
}

/**
 * Adds one criterion the subject gave a value for to the rows' sums, one loop per kind so each stays
 * monomorphic; returns how many rows broke (their total becomes NaN).
 */
function addCriterion(value: SubjectValue, others: ProfileStore, batch: RowBatch, count: number): number {
  const { rows, weighted, total, remaining } = batch;
  const levels = others.levels;
  const levelsAt = value.levels;
  const { bytes, words, doubles } = others.layout.record;
  let broken = 0;
  const at = value.accept;
  switch (value.kind) {
    case SINGLE: {
      const { code } = value;
      const accepted = others.acceptMasks;
      for (let k = 0; k < count; k++) {
        const o = rows[k]!;
        const level = levels[o * bytes + levelsAt]! & 7;
        if (level !== 0)
          broken += add(k, level, (accepted[o * words + at]! >>> code) & 1, weighted, total, remaining);
      }
      return broken;
    }
    case MULTI: {
      const { mask } = value;
      const accepted = others.acceptMasks;
      for (let k = 0; k < count; k++) {
        const o = rows[k]!;
        const levelByte = levels[o * bytes + levelsAt]!;
        if ((levelByte & 7) === 0) continue;
        const wanted = accepted[o * words + at]!;
        const met = (mask & wanted) >>> 0;
        let sat: number;
        if ((levelByte & MODE_ALL) === 0) sat = met !== 0 ? 1 : 0;
        else sat = wanted === 0 ? 1 : popcount(met) / popcount(wanted);
        broken += add(k, levelByte & 7, sat, weighted, total, remaining);
      }
      return broken;
    }
    case SCALE: {
      const { step, tolerance } = value;
      const bounds = others.acceptSteps;
      for (let k = 0; k < count; k++) {
        const o = rows[k]!;
        const level = levels[o * bytes + levelsAt]! & 7;
        if (level === 0) continue;
        const sat = scaleSat(bounds[o * bytes + at]!, bounds[o * bytes + at + 1]!, step, tolerance);
        broken += add(k, level, sat, weighted, total, remaining);
      }
      return broken;
    }
    case NUMBER: {
      const { value: x, ratio, width } = value;
      const bounds = others.acceptNums;
      for (let k = 0; k < count; k++) {
        const o = rows[k]!;
        const level = levels[o * bytes + levelsAt]! & 7;
        if (level === 0) continue;
        const sat = numberSat(bounds[o * doubles + at]!, bounds[o * doubles + at + 1]!, x, ratio, width);
        broken += add(k, level, sat, weighted, total, remaining);
      }
      return broken;
    }
    case PROFILE: {
      const { subjectProfile, ratings: ratingsAt, dims } = value;
      const ratings = others.ratings;
      const cap = others.capacity;
      for (let k = 0; k < count; k++) {
        const o = rows[k]!;
        const level = levels[o * bytes + levelsAt]! & 7;
        if (level === 0) continue;
        const sat = profileSimilarityTo(subjectProfile, ratings, ratingsAt + o, cap, dims);
        broken += add(k, level, sat, weighted, total, remaining);
      }
      return broken;
    }
  }
}

/** One row's w·sat and w, as satisfactionOf adds them; a dealbreaker not fully met breaks the row (returns 1). */
function add(
  k: number,
  level: number,
  sat: number,
  weighted: Float64Array,
  total: Float64Array,
  remaining: Float64Array,
): number {
  if (level === DEALBREAKER_LEVEL && sat < 1 - EPSILON) {
    total[k] = Number.NaN;
    return 1;
  }
  const weight = LEVEL_WEIGHTS[level]!;
  remaining[k] = remaining[k]! - weight;
  weighted[k] = weighted[k]! + weight * sat;
  total[k] = total[k]! + weight;
  return 0;
}

/**
 * profileSimilarity(row's ratings, subject's ratings) with the subject's side precomputed: the
 * same operations in the same order, so the same bits.
 */
function profileSimilarityTo(
  subject: CentredProfile,
  ratings: Uint8Array,
  at: number,
  cap: number,
  dims: number,
): number {
  let sum = 0;
  let constant = true;
  const first = ratings[at];
  for (let i = 0; i < dims; i++) {
    sum += ratings[at + i * cap]!;
    if (ratings[at + i * cap] !== first) constant = false;
  }
  if (constant || subject.constant) return 0.5;
  const average = sum / dims;
  const centred = subject.centred;
  let p = 0;
  let p2 = 0;
  for (let i = 0; i < dims; i++) {
    const mine = ratings[at + i * cap]! - average;
    p += mine * centred[i]!;
    p2 += mine * mine;
  }
  const r = Math.min(1, Math.max(-1, p / Math.sqrt(p2 * subject.squares)));
  return (1 + r) / 2;
}
