import type { ProfileStore } from '../matching/engine/columnar-store.ts';
import { rowsMeetingDealbreakers } from '../matching/engine/dealbreaker-filter.ts';
import { compileSteps, type Step } from '../matching/engine/forward-score.ts';
import { kindOf } from '../matching/engine/kinds/index.ts';
import { hasValue, type Layout } from '../matching/engine/layout.ts';
import { LEVEL_BITS } from '../matching/engine/levels.ts';
import type { RowBatch } from '../matching/engine/row-sums.ts';
import type { IndexSide, MatchIndex, ProfileState } from '../matching/index.ts';
import { EPSILON } from '../matching/score.ts';
import { SCAN_CHANGED_FROM, type Staging } from './evaluate.ts';
import { flagBetween } from './rows-between.ts';

/** A changed profile as the index held it, or as written: its row in a staged store, and the rows hidden from it. */
export interface ProfileVersion {
  store: ProfileStore;
  slot: number;
  hidden: ReadonlySet<number> | undefined;
}

/**
 * Fewer rows than this on the other side are scanned whole: finding the rows that may change costs
 * about as much as scanning them (a candidate's alert over 1,000 jobs took 1.4–1.8× the CPU
 * narrowed, bench/alerts-ab.ts at 100k).
 */
const NARROW_FROM_ROWS = 16_384;

/** Rows compared per kernel call: their sums stay in the CPU cache. */
const BLOCK = 2048;

/**
 * The rows of `others` whose pair with a changed profile may differ between `before` and `after`
 * its write (flagged 1), or undefined when finding them would not pay: more than half of the
 * criteria changed, or most of the rows that meet its dealbreakers (before or after) are flagged.
 *
 * Why the other rows' pairs cannot differ: a pair's verdict and score are sums, in questionnaire
 * order, of one term per criterion each way (or a dealbreaker broken), and the two minScores. A row
 * is left unflagged only when every term of a changed criterion, as the listing's own kernels
 * (a step's `add`, a reverse criterion's `add`) compute it for that row, is the same number before
 * and after, it is hidden from both or from neither, and (the profile's minScore changed) its
 * S(profile→row) is on the same side of both minScores: its sums are then the same to the bit, so
 * it is above an alert's threshold after the write exactly when it was before, with the same score,
 * and crosses nothing. Rows that meet the profile's dealbreakers neither before nor after are no
 * pair either time. So an alert evaluation need only scan the flagged rows (src/alerts/evaluate.ts).
 */
export function affectedRows(
  before: ProfileVersion,
  after: ProfileVersion,
  others: ProfileStore,
): Uint8Array | undefined {
  const flags = new Uint8Array(others.end);
  flagHiddenByOne(before.hidden, after.hidden, flags);
  const layout = others.layout;
  // Both ways for any cell changed: a kind may read its own value to score the other side (profile).
  const changed: number[] = [];
  for (let c = 0; c < layout.count; c++) {
    if (!sameLevel(before, after, c) || !sameAccept(before, after, c) || !sameValue(before, after, c))
      changed.push(c);
  }
  const minScores = [before.store.minScoreOf(before.slot), after.store.minScoreOf(after.slot)] as const;
  const sameMinScore = Object.is(minScores[0], minScores[1]);
  if (changed.length === 0 && sameMinScore) return flags;
  // A new set of answers flags most rows: not worth finding which.
  if (2 * changed.length > layout.count) return undefined;
  const stepsBefore = compileSteps(before.store, before.slot, others);
  const stepsAfter = compileSteps(after.store, after.slot, others);
  // Only a minScore changed: the same dealbreakers both times, met by the same rows.
  const { both: met, either } =
    changed.length === 0
      ? rowsMeeting(stepsAfter, others)
      : rowsMeetingBoth(stepsBefore, stepsAfter, others, flags);
  let both = met;
  // Scans of most rows save too little to pay for the rest of this pass: scan them all.
  const most = () => 2 * (either - both.length) > either;
  for (const c of changed) {
    if (most()) return undefined;
    flagForwardChanges(
      stepsBefore.find((step) => step.criterion === c),
      stepsAfter.find((step) => step.criterion === c),
      others,
      both,
      flags,
    );
    flagReverseChanges(before, after, c, others, both, flags);
    both = unflagged(both, flags);
  }
  // Of the rows not flagged (S(profile→row) the same before and after), those one minScore accepts
  // and not the other, with a margin (the listing's test is S ≥ minScore − EPSILON).
  if (!sameMinScore)
    flagBetween(
      Math.min(...minScores) - 2 * EPSILON,
      Math.max(...minScores),
      stepsAfter,
      others,
      both,
      flags,
    );
  return flags;
}

/** The rows of `rows` not flagged, in order (compacted in place). */
function unflagged(rows: Int32Array, flags: Uint8Array): Int32Array {
  let kept = 0;
  for (const o of rows) if (flags[o] === 0) rows[kept++] = o;
  return rows.subarray(0, kept);
}

/** The rows that meet the profile's dealbreakers (the same before and after), as rowsMeetingBoth. */
function rowsMeeting(steps: readonly Step[], others: ProfileStore): { both: Int32Array; either: number } {
  const rows = new Int32Array(others.end);
  const count = rowsMeetingDealbreakers(steps, others, rows, 0, others.end);
  return { both: rows.subarray(0, count), either: count };
}

/**
 * The rows that meet the profile's dealbreakers both before and after (the rows whose terms are
 * compared), and how many meet them before or after; a row that meets them only one of the two
 * times is flagged.
 */
function rowsMeetingBoth(
  stepsBefore: readonly Step[],
  stepsAfter: readonly Step[],
  others: ProfileStore,
  flags: Uint8Array,
): { both: Int32Array; either: number } {
  const met = new Uint8Array(others.end);
  const rows = new Int32Array(others.end);
  let count = rowsMeetingDealbreakers(stepsBefore, others, rows, 0, others.end);
  for (let k = 0; k < count; k++) met[rows[k]!] = 1;
  count = rowsMeetingDealbreakers(stepsAfter, others, rows, 0, others.end);
  for (let k = 0; k < count; k++) met[rows[k]!]! |= 2;
  let both = 0;
  let either = 0;
  for (let o = 0; o < others.end; o++) {
    if (met[o] === 0) continue;
    either++;
    if (met[o] === 3) rows[both++] = o;
    else flags[o] = 1;
  }
  return { both: rows.subarray(0, both), either };
}

/** S(profile→row) on one criterion whose expectation changed: flags the rows whose term differs. */
function flagForwardChanges(
  stepBefore: Step | undefined,
  stepAfter: Step | undefined,
  others: ProfileStore,
  rows: Int32Array,
  flags: Uint8Array,
): void {
  if (!stepBefore && !stepAfter) return;
  if (!stepBefore || !stepAfter || stepBefore.level !== stepAfter.level) {
    // Another weight: every row with a value there adds another term (and as a dealbreaker, or no
    // longer one, the rows without a value may break it or not: flag them all).
    const criterion = (stepBefore ?? stepAfter)!.criterion;
    const everyRow = stepBefore?.dealbreaker === true || stepAfter?.dealbreaker === true;
    for (const o of rows) if (everyRow || hasValue(others, o, criterion)) flags[o] = 1;
    return;
  }
  const sums = forwardSums();
  for (let from = 0; from < rows.length; from += BLOCK) {
    const to = Math.min(rows.length, from + BLOCK);
    sums.weightedBefore.fill(0);
    sums.totalBefore.fill(0);
    sums.weightedAfter.fill(0);
    sums.totalAfter.fill(0);
    const block = rows.subarray(from, to);
    stepBefore.add(others, block, 0, block.length, sums.weightedBefore, sums.totalBefore);
    stepAfter.add(others, block, 0, block.length, sums.weightedAfter, sums.totalAfter);
    for (let k = 0; k < block.length; k++) {
      // NaN (a code table's broken dealbreaker) is never the same: such a row is flagged.
      if (sums.weightedBefore[k] !== sums.weightedAfter[k] || sums.totalBefore[k] !== sums.totalAfter[k])
        flags[block[k]!] = 1;
    }
  }
}

/** S(row→profile) on one criterion whose value changed: flags the rows whose term (or break) differs. */
function flagReverseChanges(
  before: ProfileVersion,
  after: ProfileVersion,
  c: number,
  others: ProfileStore,
  rows: Int32Array,
  flags: Uint8Array,
): void {
  const kind = kindOf(others.layout.kinds[c]!);
  const valueBefore = kind.reverseCriterion(before.store, before.slot, others, c);
  const valueAfter = kind.reverseCriterion(after.store, after.slot, others, c);
  if (valueBefore.missing && valueAfter.missing) return;
  if (valueBefore.missing || valueAfter.missing) {
    // A value given or taken back: every row that weighs the criterion scores it differently.
    const { levels } = others;
    const bytes = others.layout.record.bytes;
    for (const o of rows) if ((levels[o * bytes + c]! & LEVEL_BITS) !== 0) flags[o] = 1;
    return;
  }
  const { batch, weighted, remaining, broken } = reverseSums();
  for (let from = 0; from < rows.length; from += BLOCK) {
    const count = Math.min(rows.length, from + BLOCK) - from;
    batch.rows.set(rows.subarray(from, from + count));
    batch.weighted.fill(0);
    batch.remaining.fill(0);
    broken.fill(0);
    const brokeBefore = valueBefore.add(others, batch, count);
    for (let b = 0; b < brokeBefore; b++) broken[batch.brokenAt[b]!] = 1;
    weighted.set(batch.weighted);
    remaining.set(batch.remaining);
    batch.weighted.fill(0);
    batch.remaining.fill(0);
    const brokeAfter = valueAfter.add(others, batch, count);
    for (let b = 0; b < brokeAfter; b++) broken[batch.brokenAt[b]!]! ^= 1;
    for (let k = 0; k < count; k++) {
      if (broken[k] === 1 || weighted[k] !== batch.weighted[k] || remaining[k] !== batch.remaining[k])
        flags[batch.rows[k]!] = 1;
    }
  }
}

/** Rows hidden from the profile before or after, but not both (its employer changed). */
function flagHiddenByOne(
  before: ReadonlySet<number> | undefined,
  after: ReadonlySet<number> | undefined,
  flags: Uint8Array,
): void {
  for (const o of before ?? []) if (!after?.has(o) && o < flags.length) flags[o] = 1;
  for (const o of after ?? []) if (!before?.has(o) && o < flags.length) flags[o] = 1;
}

function sameLevel(a: ProfileVersion, b: ProfileVersion, c: number): boolean {
  const bytes = a.store.layout.record.bytes;
  return a.store.levels[a.slot * bytes + c] === b.store.levels[b.slot * bytes + c];
}

/** Criterion c's expectation cells (what the row accepts) are the same in both. */
function sameAccept(a: ProfileVersion, b: ProfileVersion, c: number): boolean {
  const layout: Layout = a.store.layout;
  const { accept } = kindOf(layout.kinds[c]!).cells(layout.criteria[c] as never);
  if (accept === 'none') return true;
  const at = layout.acceptAt[c]!;
  const { record } = layout;
  // Each kind of accept cell: its array in a store, a record's length in it, and cells per criterion.
  const [cellsOf, stride, count] = (
    {
      masks: [(s: ProfileStore) => s.acceptMasks, record.words, 1],
      steps: [(s: ProfileStore) => s.acceptSteps, record.bytes, 2],
      nums: [(s: ProfileStore) => s.acceptNums, record.doubles, 2],
    } as const
  )[accept];
  return sameCells(
    cellsOf(a.store),
    a.slot * stride + at,
    1,
    cellsOf(b.store),
    b.slot * stride + at,
    1,
    count,
  );
}

/** Criterion c's value cells (the row's own answer) are the same in both. */
function sameValue(a: ProfileVersion, b: ProfileVersion, c: number): boolean {
  const layout = a.store.layout;
  const cells = layout.valueCells[c]!;
  const columns = cells === 'ratings' ? layout.dims[c]! : 1;
  const first = layout.valueSlot[c]!;
  const { capacity: capA } = a.store;
  const { capacity: capB } = b.store;
  return sameCells(
    a.store[cells],
    first * capA + a.slot,
    capA,
    b.store[cells],
    first * capB + b.slot,
    capB,
    columns,
  );
}

type Cells = Uint8Array | Uint32Array | Float64Array;

/** `count` cells of `a` from `i` (`stepA` apart) and of `b` from `j` (`stepB` apart) hold the same bits (NaN equals NaN). */
function sameCells(
  a: Cells,
  i: number,
  stepA: number,
  b: Cells,
  j: number,
  stepB: number,
  count: number,
): boolean {
  for (let n = 0; n < count; n++) if (!Object.is(a[i + n * stepA], b[j + n * stepB])) return false;
  return true;
}

let forwardScratch: ReturnType<typeof makeForwardSums> | undefined;
const forwardSums = () => (forwardScratch ??= makeForwardSums());
const makeForwardSums = () => ({
  weightedBefore: new Float64Array(BLOCK),
  totalBefore: new Float64Array(BLOCK),
  weightedAfter: new Float64Array(BLOCK),
  totalAfter: new Float64Array(BLOCK),
});

let reverseScratch: ReturnType<typeof makeReverseSums> | undefined;
const reverseSums = () => (reverseScratch ??= makeReverseSums());
const makeReverseSums = () => ({
  batch: {
    rows: new Int32Array(BLOCK),
    weighted: new Float64Array(BLOCK),
    remaining: new Float64Array(BLOCK),
    brokenAt: new Int32Array(BLOCK),
  } satisfies RowBatch,
  weighted: new Float64Array(BLOCK),
  remaining: new Float64Array(BLOCK),
  broken: new Uint8Array(BLOCK),
});

/**
 * Narrows the scans of a write's changed profiles that have an alert of their own to the rows their
 * write may change (affectedRows), the same rows before and after: sets `affected` on both
 * stagings' groups. Only profiles in the same market before and after (a questionnaire change
 * moves a profile: every pair may change), only for a few changed profiles (a bulk batch's
 * existing profiles are scanned in full), and only against an other side of `fromRows` rows or more.
 */
export function narrowToAffected(
  index: MatchIndex,
  workspaceId: string,
  side: IndexSide,
  after: { states: readonly ProfileState[]; staging: Staging },
  before: { states: readonly ProfileState[]; staging: Staging },
  own: ReadonlyMap<string, number>,
  fromRows = NARROW_FROM_ROWS,
): void {
  if (after.states.length >= SCAN_CHANGED_FROM) return;
  const otherSide: IndexSide = side === 'job' ? 'candidate' : 'job';
  for (const group of after.staging) {
    const held = before.staging.find((g) => g.market === group.market);
    if (!held) continue;
    const affected = new Map<string, Uint8Array>();
    const others = group.market.store(otherSide);
    if (others.size < fromRows) continue;
    for (const state of after.states) {
      const earlier = before.states.find((s) => s.id === state.id);
      const slot = group.staged.slotOf(state.id);
      const heldSlot = held.staged.slotOf(state.id);
      if (!own.has(state.id) || !earlier || slot < 0 || heldSlot < 0) continue;
      const flags = affectedRows(
        {
          store: held.staged,
          slot: heldSlot,
          hidden: index.hiddenRowsOf(workspaceId, group.market, side, earlier),
        },
        { store: group.staged, slot, hidden: index.hiddenRowsOf(workspaceId, group.market, side, state) },
        others,
      );
      if (flags) affected.set(state.id, flags);
    }
    group.affected = affected;
    held.affected = affected;
  }
}
