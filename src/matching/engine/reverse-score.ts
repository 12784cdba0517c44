import type { ProfileStore } from './columnar-store.ts';
import { kindOf, type ReverseCriterion } from './kinds/index.ts';
import type { RowArrays } from './layout.ts';
import { DEALBREAKER_LEVEL, LEVEL_BITS } from './levels.ts';
import { MARGIN } from './precision.ts';
import type { RowBatch } from './row-sums.ts';

export type { RowBatch } from './row-sums.ts';

/** A listing's batch: rows drop out of it (compacted) once they cannot reach `least`. */
export interface ListedBatch extends RowBatch {
  /** the least S(row→subject) the caller still wants of each row: rows that provably end below it drop out */
  least: Float64Array;
  /**
   * each row's expectation weight, where `remaining` started: start − remaining is the weight
   * scored so far (the reference's total), and `remaining` at least what the row can still add
   */
  start: Float64Array;
}

/**
 * Exact scoring of S(row→subject), column at a time and with early exit: the rows' expectations
 * against the subject's values. The subject's values are compiled once per listing (one
 * ReverseCriterion per criterion, each its kind's loop over the rows' records; see kinds/kind.ts).
 */
export type SubjectValue = ReverseCriterion;

/** The subject's values in questionnaire order, read once per scan. */
export function compileSubjectValues(subject: RowArrays, s: number, others: RowArrays): SubjectValue[] {
  const { layout } = subject;
  return layout.kinds.map((kind, c) => kindOf(kind).reverseCriterion(subject, s, others, c));
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
  batch: ListedBatch,
  count: number,
): number {
  const { weighted, start, remaining } = batch;
  startSums(batch, others, count);
  for (const c of bounding) {
    if (values[c]!.missing) continue;
    markBroken(batch, values[c]!.add(others, batch, count));
    count = keepPossible(batch, count);
  }
  startSums(batch, others, count);
  values.forEach((value, i) => {
    const broken = value.missing
      ? breakDealbreakers(value.criterion, others, batch, count)
      : value.add(others, batch, count);
    markBroken(batch, broken);
    if (broken > 0 || (i + 1) % BOUND_EVERY === 0) count = keepPossible(batch, count);
  });
  for (let k = 0; k < count; k++) {
    const total = start[k]! - remaining[k]!;
    weighted[k] = total === 0 ? 1 : weighted[k]! / total;
  }
  return count;
}

/** Marks the rows the last `add` broke (its `brokenAt`): their `remaining` becomes NaN, and keepPossible drops them. */
function markBroken(batch: RowBatch, broken: number): void {
  const { remaining, brokenAt } = batch;
  for (let b = 0; b < broken; b++) remaining[brokenAt[b]!] = Number.NaN;
}

/** Criteria added between two checks of the rows' bounds in the exact pass. */
const BOUND_EVERY = 4;

function startSums(batch: ListedBatch, others: ProfileStore, count: number): void {
  const { rows, weighted, start, remaining } = batch;
  weighted.fill(0, 0, count);
  for (let k = 0; k < count; k++) start[k] = remaining[k] = others.expectationWeightOf(rows[k]!);
}

/**
 * The criteria that lose the rows of `probe` the most weight (w·(1 − sat), per unit of cost),
 * most first, at most BOUNDING_CRITERIA: the ones to bound S(row→subject) with. A row that breaks
 * its own dealbreaker on a criterion loses its whole weight there: left out of the ranking before,
 * such criteria were met only in the exact pass, most criteria in (a listing's batches at 100k:
 * about one row in eight broke one; bench/README.md, session 45).
 */
export function boundingCriteria(
  values: readonly SubjectValue[],
  others: ProfileStore,
  probe: ListedBatch,
  count: number,
): number[] {
  const lossOf = new Map<number, number>();
  values.forEach((value, c) => {
    if (value.missing) return;
    startSums(probe, others, count);
    markBroken(probe, value.add(others, probe, count));
    let lost = 0;
    // A probe row that breaks its own dealbreaker here loses its whole weight: it drops out at once.
    for (let k = 0; k < count; k++) {
      const remaining = probe.remaining[k]!;
      lost += Number.isNaN(remaining) ? probe.start[k]! : probe.start[k]! - remaining - probe.weighted[k]!;
    }
    if (lost > 0) lossOf.set(c, lost / value.cost);
  });
  return [...lossOf.keys()].sort((a, b) => lossOf.get(b)! - lossOf.get(a)!).slice(0, BOUNDING_CRITERIA);
}

/** Criteria added before the exact pass, to drop rows early. */
const BOUNDING_CRITERIA = 6;

/**
 * Keeps, compacted, the rows not broken whose S(row→subject) can still reach `least`: with w ≤ t
 * added so far and R the weight left, the final (w + w′)/(t + t′), w′ ≤ t′ ≤ R, is at most
 * (w + R)/(t + R) (1 when t + R = 0), and t + R is the row's `start`.
 */
function keepPossible(batch: ListedBatch, count: number): number {
  const { rows, least, weighted, start, remaining } = batch;
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const s = start[k]!;
    const w = weighted[k]!;
    const r = remaining[k]!;
    if (Number.isNaN(r) || w + r < (least[k]! - MARGIN) * s) continue;
    rows[kept] = rows[k]!;
    least[kept] = least[k]!;
    weighted[kept] = w;
    start[kept] = s;
    remaining[kept++] = r;
  }
  return kept;
}

/** The subject gave no value: rows that made it a dealbreaker break (into `brokenAt`; returns how many), the others skip it. */
function breakDealbreakers(levelsAt: number, others: ProfileStore, batch: RowBatch, count: number): number {
  const { rows, brokenAt } = batch;
  const levels = others.levels;
  const bytes = others.layout.record.bytes;
  let broken = 0;
  for (let k = 0; k < count; k++) {
    brokenAt[broken] = k;
    broken += +((levels[rows[k]! * bytes + levelsAt]! & LEVEL_BITS) === DEALBREAKER_LEVEL);
  }
  return broken;
}
