import type { Check } from '../../../answers/checks.ts';
import type { CriterionAnswer } from '../../../answers/types.ts';
import type { CriterionDefinition } from '../../../questionnaires/definition.ts';
import type { RowArrays } from '../layout.ts';
import type { RowBatch } from '../row-sums.ts';

/**
 * What a criterion kind brings to the fast path, in one file per kind (kinds/index.ts lists them).
 * Everything a kind varies on is here: how an answer is checked, where it sits in a row, how a
 * value meets an expectation, and the loops that score many rows at once. The engine dispatches
 * once per criterion (kindOf, compiled steps) and then runs the kind's own loop over the rows, so
 * every inner loop stays monomorphic.
 *
 * Scores must equal the reference scorer's (../../score.ts) to the last bit: a kind computes `sat`
 * with the same operations in the same order as the reference, in every method below.
 */
export type KindName = CriterionDefinition['kind'];
export type CriterionOf<K extends KindName> = Extract<CriterionDefinition, { kind: K }>;

/** The value column a kind keeps a row's own value in (column-major; see columnar-store.ts). */
export type ValueCells = 'codes' | 'masks' | 'nums' | 'ratings';
/** Where a kind keeps a row's expectation in its record: a word, two step bytes, two doubles, or nothing. */
export type AcceptCells = 'masks' | 'steps' | 'nums' | 'none';

export interface KindEngine<K extends KindName = KindName> {
  readonly kind: K;
  /** A small number naming the kind in packed-row layout keys (never reused: stored rows carry it). */
  readonly code: number;
  /** The answer's `value` and `accept` checks (answers/validate.ts runs them). */
  answerChecks(criterion: CriterionOf<K>): AnswerChecks;
  /** The row cells the kind uses; `columns`: how many value columns (profile: one per dimension). */
  cells(criterion: CriterionOf<K>): {
    value: ValueCells;
    columns: number;
    accept: AcceptCells;
    /** how many codes a value can take (single, scale), for the layout key */
    valueCount: number;
    /**
     * up to two numbers the kind's sat reads per criterion (a tolerance, a range width), kept in
     * Layout.satParams: scoring a pair then reads a typed array, not the criterion object
     */
    satParams?: readonly [number, number];
    /** a value's place in this range as a byte beside it, for the narrowing's loss bound (range-codes.ts) */
    rangeCodes?: { min: number; max: number };
  };
  /** Does this answer carry what the kind needs to score the other side (else it weighs nothing)? */
  expects(answer: { value?: unknown; accept?: unknown }): boolean;
  /**
   * Writes criterion `c` of `answer` (undefined: unanswered) into row `slot`, every cell of it;
   * returns the kind's flags for the row's level byte (0 when none).
   */
  encode(row: RowArrays, slot: number, c: number, answer: CriterionAnswer | undefined): number;
  /**
   * sat of row `v`'s value against row `e`'s expectation on criterion `c` (level byte `levelByte`),
   * or −1 when `v` gave no value there. One pair: the row-at-a-time path (pair-score.ts).
   */
  pairSat(E: RowArrays, e: number, V: RowArrays, v: number, c: number, levelByte: number): number;
  /**
   * A row's dealbreaker on criterion `c` as a mask test (reverse-dealbreakers.ts), for the kinds
   * whose values are up to 32 codes or options: `met(E, e, c)` the values that meet row `e`'s
   * expectation fully, as bits (multi: the wanted options; a value must hold all of them when the
   * level byte has MODE_ALL, else one), `value(V, v, c)` row `v`'s value as such bits (0: none).
   */
  readonly dealbreakerMask?: {
    met(E: RowArrays, e: number, c: number): number;
    value(V: RowArrays, v: number, c: number): number;
  };
  /** The subject's expectation on criterion `c`, compiled for scoring S(subject→row) of many rows. */
  forwardStep(subject: RowArrays, s: number, others: RowArrays, c: number, step: StepBase): ForwardStep;
  /** The subject's value on criterion `c`, compiled for scoring S(row→subject) of many rows. */
  reverseCriterion(subject: RowArrays, s: number, others: RowArrays, c: number): ReverseCriterion;
}

/** A kind's answer checks; `accept: undefined`: the kind takes no accept and needs a value (`valueWanted`). */
export type AnswerChecks =
  | { value: Check<unknown>; accept: Check<unknown>; valueWanted?: undefined }
  | { value: Check<unknown>; accept: undefined; valueWanted: string };

/** What every compiled step has: its criterion, its weight, and where the rows' values are. */
export interface StepBase {
  readonly criterion: number;
  /** the importance level of the subject's expectation (levels.ts) */
  readonly level: number;
  /** the importance weight of the subject's expectation */
  readonly w: number;
  readonly dealbreaker: boolean;
  /** start of the criterion's value column in `others` (value slot × capacity) */
  readonly column: number;
}

/** One expectation of the subject, compiled: the kind's loops over rows of the other side. */
export interface ForwardStep extends StepBase {
  /** The loss bound (max-score.ts); undefined: the kind gives none (its sat costs too much for a pass of its own). */
  readonly bound: LossBound | undefined;
  /** Keeps (in order, in place) the rows with a value that meets the expectation fully (sat ≥ 1 − EPSILON). */
  keepFullyMet(others: RowArrays, rows: Int32Array, count: number): number;
  /** Adds w·sat and w to the sums of the rows at positions from..to (rows without a value add nothing). */
  add(
    others: RowArrays,
    rows: Int32Array,
    from: number,
    to: number,
    weighted: Float64Array,
    total: Float64Array,
  ): void;
  /**
   * A dealbreaker step whose `add` gives a row that breaks it NaN in `weighted` (code tables): its
   * breakers can be read off what `add` wrote instead of found again by keepFullyMet.
   */
  readonly addMarksBreakers?: boolean;
  /**
   * Only where sat(subject→row) is sat(row→subject) to the bit (profile: pearson is symmetric):
   * `add` that also writes each row's sat to sats[k], so the insights pass scores S(row→subject)
   * on this criterion from it instead of again (rows without a value leave sats[k] as it was).
   */
  readonly addKeepingSats?: (
    others: RowArrays,
    rows: Int32Array,
    from: number,
    to: number,
    weighted: Float64Array,
    total: Float64Array,
    sats: Float64Array,
  ) => void;
}

export interface LossBound {
  /** Rough cost per row (ns) of `addLoss`: the steps are ranked by weight lost per cost. */
  readonly cost: number;
  /**
   * Adds w·(1 − sat), or a lower bound of it (a range code's least loss), to each row's loss and
   * keeps (compacted) the rows within `budget`.
   */
  addLoss(others: RowArrays, rows: Int32Array, count: number, lost: Float64Array, budget: number): number;
}

/** The subject's value on one criterion, compiled: the kind's loop over the rows' expectations. */
export interface ReverseCriterion {
  /** the criterion's index (its level byte in a row's record) */
  readonly criterion: number;
  /** The subject gave no value here: only the rows' dealbreakers on it count (broken). */
  readonly missing: boolean;
  /** Rough cost per row, relative: which criteria are worth adding first to bound (reverse-score.ts). */
  readonly cost: number;
  /** Adds each row's w·sat to `weighted` and takes w off `remaining` (see row-sums.ts); returns how many rows broke. */
  add(others: RowArrays, batch: RowBatch, count: number): number;
}
