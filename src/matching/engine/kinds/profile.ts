import { type Check, describe, integerIn } from '../../../answers/checks.ts';
import { EPSILON } from '../../score.ts';
import type { RowArrays } from '../layout.ts';
import { LEVEL_BITS } from '../levels.ts';
import { addToBatch, type RowBatch } from '../row-sums.ts';
import type { CriterionOf, KindEngine } from './kind.ts';

export const RATING_MIN = 1;
export const RATING_MAX = 5;

/**
 * `profile`: the value is M ratings 1..5 (one column per dimension; a 0 rating: no value), with no
 * accept: the importance weighs how alike the two profiles are, sat = (1 + pearson)/2 as
 * ml-distance computes pearson, 0.5 when either profile is constant. Both sides need a value.
 */
export const profile: KindEngine<'profile'> = {
  kind: 'profile',
  code: 4,
  answerChecks: (criterion) => ({
    value: ratings(criterion),
    accept: undefined,
    valueWanted: ratingsWanted(criterion),
  }),
  cells: (criterion) => ({
    value: 'ratings',
    columns: criterion.dimensions.length,
    accept: 'none',
    valueCount: 0,
  }),
  expects: (answer) => answer.value !== undefined,

  encode(row, slot, c, answer) {
    const { layout } = row;
    const ratings = (answer?.value as number[] | undefined) ?? [];
    const first = layout.valueSlot[c]!;
    for (let d = 0; d < layout.dims[c]!; d++)
      row.ratings[(first + d) * row.capacity + slot] = ratings[d] ?? 0;
    return 0;
  },

  pairSat(E, e, V, v, c) {
    const offset = V.layout.valueSlot[c]!;
    if (V.ratings[offset * V.capacity + v] === 0) return -1;
    return profileSimilarity(E.ratings, e, E.capacity, V.ratings, v, V.capacity, offset, V.layout.dims[c]!);
  },

  forwardStep(subject, s, _others, c, base) {
    const offset = subject.layout.valueSlot[c]!;
    const dims = subject.layout.dims[c]!;
    const { w, column } = base;
    // The row's side of pearson with the subject's fixed: the same bits as profileSimilarity
    // (subject, row), whose products and sums are those of profileSimilarityTo in the same order.
    const mine = centredProfile(subject.ratings, offset * subject.capacity + s, subject.capacity, dims);
    return {
      ...base,
      bound: undefined,
      keepFullyMet: (others, rows, count) => {
        const { ratings, capacity } = others;
        let kept = 0;
        for (let k = 0; k < count; k++) {
          const row = rows[k]!;
          if (ratings[column + row] === 0) continue;
          const sat = profileSimilarityTo(mine, ratings, column + row, capacity, dims);
          if (sat >= 1 - EPSILON) rows[kept++] = row;
        }
        return kept;
      },
      add: (others, rows, from, to, weighted, total) => {
        const { ratings, capacity } = others;
        for (let k = from; k < to; k++) {
          const row = rows[k]!;
          if (ratings[column + row] === 0) continue;
          const sat = profileSimilarityTo(mine, ratings, column + row, capacity, dims);
          weighted[k] = weighted[k]! + w * sat;
          total[k] = total[k]! + w;
        }
      },
      addKeepingSats: (others, rows, from, to, weighted, total, sats) => {
        const { ratings, capacity } = others;
        for (let k = from; k < to; k++) {
          const row = rows[k]!;
          if (ratings[column + row] === 0) continue;
          const sat = profileSimilarityTo(mine, ratings, column + row, capacity, dims);
          sats[k] = sat;
          weighted[k] = weighted[k]! + w * sat;
          total[k] = total[k]! + w;
        }
      },
    };
  },

  reverseCriterion(subject, s, others, c) {
    const column = subject.layout.valueSlot[c]! * subject.capacity + s;
    const dims = subject.layout.dims[c]!;
    const centred = centredProfile(subject.ratings, column, subject.capacity, dims);
    const ratingsAt = subject.layout.valueSlot[c]! * others.capacity;
    return {
      criterion: c,
      missing: subject.ratings[column] === 0,
      cost: 5,
      add: (store, batch, count) => addReverse(centred, ratingsAt, dims, c, store, batch, count),
    };
  },
};

/** (1 + pearson)/2 as ml-distance computes pearson; 0.5 when either vector is constant. */
function profileSimilarity(
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

/** The subject's side of ml-distance's pearson, the same every row: computed once, with the same arithmetic. */
interface CentredProfile {
  constant: boolean;
  centred: Float64Array;
  /** Σ centred², summed in dimension order */
  squares: number;
  /**
   * The dimensions are a power of two: every average, centred rating, product and sum of whole
   * ratings is then a multiple of 1/dims² far below 2⁵³, so exact in any order (see dotExact).
   */
  exact: boolean;
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
  return { constant, centred, squares, exact: (dims & (dims - 1)) === 0 };
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
  if (subject.exact) return similarityExact(subject, ratings, at, cap, dims);
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

/**
 * profileSimilarityTo when every step is exact (CentredProfile.exact): the same p, Σ centred² and
 * so the same bits, in one loop. p = Σ (r − average)·centred = Σ r·centred, since the subject's
 * centred ratings add up to exactly 0; Σ (r − average)² = Σ r² − (Σ r)²/dims, 0 only for a
 * constant profile.
 */
function similarityExact(
  subject: CentredProfile,
  ratings: Uint8Array,
  at: number,
  cap: number,
  dims: number,
): number {
  if (subject.constant) return 0.5;
  const centred = subject.centred;
  let sum = 0;
  let squares = 0;
  let p = 0;
  for (let i = 0; i < dims; i++) {
    const rating = ratings[at + i * cap]!;
    sum += rating;
    squares += rating * rating;
    p += rating * centred[i]!;
  }
  const p2 = squares - (sum * sum) / dims;
  if (p2 === 0) return 0.5;
  const r = Math.min(1, Math.max(-1, p / Math.sqrt(p2 * subject.squares)));
  return (1 + r) / 2;
}

/** Each row's own ratings against the subject's (the row's importance weighs the likeness). */
function addReverse(
  subject: CentredProfile,
  ratingsAt: number,
  dims: number,
  c: number,
  others: RowArrays,
  batch: RowBatch,
  count: number,
) {
  const { rows, weighted, remaining, brokenAt } = batch;
  const { levels, ratings, capacity } = others;
  const bytes = others.layout.record.bytes;
  let broken = 0;
  for (let k = 0; k < count; k++) {
    const o = rows[k]!;
    const level = levels[o * bytes + c]! & LEVEL_BITS;
    if (level === 0) continue;
    const sat = profileSimilarityTo(subject, ratings, ratingsAt + o, capacity, dims);
    brokenAt[broken] = k;
    broken += addToBatch(k, level, sat, weighted, remaining);
  }
  return broken;
}

function ratings(criterion: CriterionOf<'profile'>): Check<number[]> {
  const count = criterion.dimensions.length;
  return (raw, path, report) => {
    if (!Array.isArray(raw)) {
      report(path, `expected ${ratingsWanted(criterion)}, got ${describe(raw)}`);
      return undefined;
    }
    if (raw.length !== count) report(path, `expected ${ratingsWanted(criterion)}, got ${raw.length}`);
    raw.slice(0, count).forEach((item, index) => {
      integerIn(item, `${path}.${index}`, RATING_MIN, RATING_MAX, 'rating', report);
    });
    return raw.filter((item): item is number => typeof item === 'number');
  };
}

function ratingsWanted(criterion: CriterionOf<'profile'>): string {
  const dimensions = criterion.dimensions.map((dimension) => dimension.id).join(', ');
  return `${criterion.dimensions.length} ratings ${RATING_MIN}..${RATING_MAX}, one per dimension (${dimensions})`;
}
