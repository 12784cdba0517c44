import { EPSILON, mutualScore, round6 } from '../score.ts';
import type { ScoreMethod } from '../types.ts';
import type { ProfileStore } from './columnar-store.ts';
import { compileSteps, type Step } from './forward-score.ts';
import { DEALBREAKER_LEVEL, LEVEL_BITS } from './levels.ts';
import { compileSubjectValues, type SubjectValue } from './reverse-score.ts';

/**
 * The insights pass (docs/matching.md#insights-and-what-if): one pass over rows from..to of the
 * other side that scores each row against the subject both ways, one criterion at a time, and
 * keeps every criterion's contribution so that "this criterion weighs nothing" can be decided for
 * every criterion from the same sums. O(rows × criteria); no top-k, no pruning: every row counts.
 *
 * The counts are one Int32Array (see `countsLayout`), added up across slices.
 */

export type InsightsSide = 'job' | 'candidate';

/** Rows scored together: their per-criterion sums (criteria × BLOCK doubles, four of them) stay in cache. */
const BLOCK = 256;
/** The 10 histogram bins of the mutual score. */
export const BINS = 10;
/**
 * Dropping one criterion's contribution by subtraction ((W − w·sat)/(T − w)) can differ from the
 * reference's in-order sum without it by float noise: at most ~256 terms × 2⁻⁵² × (T / (T − w) ≤ 251),
 * under 1e-11. Within this much of a threshold the in-order sum is taken instead, so the verdict
 * is the reference's. It stays below EPSILON so exact ties (at θ, i.e. EPSILON from the cut) do not
 * need the slow path.
 */
const NOISE = 1e-10;

/** Where each count sits in the counts array. */
export function countsLayout(criteria: number) {
  const histogram = 2;
  const rejectedBy = histogram + BINS;
  const rejecting = rejectedBy + criteria;
  const soleBarrier = rejecting + criteria;
  const acceptableIfIrrelevant = soleBarrier + criteria;
  return {
    others: 0,
    acceptable: 1,
    histogram,
    rejectedBy,
    rejecting,
    soleBarrier,
    acceptableIfIrrelevant,
    length: acceptableIfIrrelevant + criteria,
  };
}

/** Adds a slice's counts into `into` (counts add up across slices). */
export function addCounts(into: Int32Array, counts: Int32Array): Int32Array {
  for (let i = 0; i < into.length; i++) into[i]! += counts[i]!;
  return into;
}

export interface InsightsRequest {
  side: InsightsSide;
  method: ScoreMethod;
  /** rows of the other side to leave out (1 at a row's slot), e.g. profiles hidden from the subject */
  excluded?: Uint8Array | undefined;
}

/** The bin of a mutual score: the reported (6-decimal) score r in [k/10, (k+1)/10), 1.0 in the last. */
export function histogramBin(score: number): number {
  const r = round6(score);
  let bin = Math.min(BINS - 1, Math.floor(r * BINS));
  // r·10 is exact enough off the edges; at an edge the comparison decides.
  if (bin < BINS - 1 && r >= (bin + 1) / BINS) bin++;
  else if (bin > 0 && r < bin / BINS) bin--;
  return bin;
}

/** The insights of subject row `s` over rows from..to of `others`. */
export function insightsOfRange(
  subject: ProfileStore,
  s: number,
  others: ProfileStore,
  request: InsightsRequest,
  from: number,
  to: number,
): Int32Array {
  const pass = new Pass(subject, s, others, request);
  const rows = new Int32Array(BLOCK);
  let n = 0;
  for (let row = from; row < to; row++) {
    if (!isOther(others, row, request.excluded)) continue;
    rows[n++] = row;
    if (n === BLOCK) {
      pass.block(rows, n);
      n = 0;
    }
  }
  if (n > 0) pass.block(rows, n);
  return pass.finish();
}

/**
 * Whether row `row` is one of the subject's others: active (open jobs only are in the index) and
 * not excluded. The one place a row is left out: privacy rules (paused, hidden) plug in here.
 */
function isOther(others: ProfileStore, row: number, excluded: Uint8Array | undefined): boolean {
  return others.active[row] === 1 && (excluded === undefined || excluded[row] !== 1);
}

class Pass {
  private readonly counts: Int32Array;
  private readonly at: ReturnType<typeof countsLayout>;
  private readonly steps: Step[];
  private readonly values: SubjectValue[];
  /** criterion → its step's index, −1 when the subject weighs it 0 */
  private readonly stepOf: Int32Array;
  private readonly C: number;
  private readonly subjectCut: number;
  // Per criterion (or step) × BLOCK: w·sat and w of each row, forward (steps) and reverse (criteria).
  private readonly fW: Float64Array;
  private readonly fT: Float64Array;
  private readonly rW: Float64Array;
  private readonly rT: Float64Array;
  private readonly fViews: { w: Float64Array; t: Float64Array }[];
  private readonly rViews: { w: Float64Array; t: Float64Array }[];
  // Per row of the block: broken dealbreakers forward (the subject's) and reverse (the row's), and the last one's index.
  private readonly fBroken = new Int32Array(BLOCK);
  private readonly fBrokenAt = new Int32Array(BLOCK);
  private readonly rBroken = new Int32Array(BLOCK);
  private readonly rBrokenAt = new Int32Array(BLOCK);
  private readonly scratchRows = new Int32Array(BLOCK);
  private readonly least = new Float64Array(BLOCK);
  private readonly remaining = new Float64Array(BLOCK);
  /** rows that stay acceptable whichever one criterion the subject ignores (counted for every step at the end) */
  private everyStep = 0;

  private readonly others: ProfileStore;
  private readonly request: InsightsRequest;

  constructor(subject: ProfileStore, s: number, others: ProfileStore, request: InsightsRequest) {
    this.others = others;
    this.request = request;
    this.C = subject.layout.count;
    this.at = countsLayout(this.C);
    this.counts = new Int32Array(this.at.length);
    this.steps = compileSteps(subject, s, others);
    this.values = compileSubjectValues(subject, s, others);
    this.stepOf = new Int32Array(this.C).fill(-1);
    this.steps.forEach((step, i) => {
      this.stepOf[step.criterion] = i;
    });
    this.subjectCut = subject.minScoreOf(s) - EPSILON;
    this.fW = new Float64Array(this.steps.length * BLOCK);
    this.fT = new Float64Array(this.steps.length * BLOCK);
    this.rW = new Float64Array(this.C * BLOCK);
    this.rT = new Float64Array(this.C * BLOCK);
    const views = (w: Float64Array, t: Float64Array, count: number) =>
      Array.from({ length: count }, (_, i) => ({
        w: w.subarray(i * BLOCK, (i + 1) * BLOCK),
        t: t.subarray(i * BLOCK, (i + 1) * BLOCK),
      }));
    this.fViews = views(this.fW, this.fT, this.steps.length);
    this.rViews = views(this.rW, this.rT, this.C);
  }

  block(rows: Int32Array, n: number): void {
    this.fBroken.fill(0, 0, n);
    this.rBroken.fill(0, 0, n);
    this.forward(rows, n);
    this.reverse(rows, n);
    for (let k = 0; k < n; k++) this.decide(rows[k]!, k);
    this.counts[this.at.others]! += n;
  }

  /** Every step of the subject, on zeroed sums: w·sat and w of each row; its dealbreakers' breakers. */
  private forward(rows: Int32Array, n: number): void {
    const { others, counts, at } = this;
    this.steps.forEach((step, i) => {
      const { w, t } = this.fViews[i]!;
      w.fill(0, 0, n);
      t.fill(0, 0, n);
      step.add(others, rows, 0, n, w, t);
      if (!step.dealbreaker) return;
      const met = this.scratchRows;
      met.set(rows.subarray(0, n));
      const kept = step.keepFullyMet(others, met, n);
      // keepFullyMet keeps rows in order: the rows it skipped broke the dealbreaker.
      let j = 0;
      for (let k = 0; k < n; k++) {
        if (j < kept && met[j] === rows[k]) j++;
        else {
          this.fBroken[k]!++;
          this.fBrokenAt[k] = i;
          counts[at.rejecting + step.criterion]!++;
        }
      }
    });
  }

  /** Every criterion the other way: each row's w·sat and w on the subject's value; its broken dealbreakers. */
  private reverse(rows: Int32Array, n: number): void {
    const { others, counts, at } = this;
    const { bytes } = others.layout.record;
    this.values.forEach((value, c) => {
      const { w, t } = this.rViews[c]!;
      w.fill(0, 0, n);
      t.fill(0, 0, n);
      if (value.missing) {
        // The subject gave no value: the rows that made it a dealbreaker break, the others skip it.
        for (let k = 0; k < n; k++) {
          if ((others.levels[rows[k]! * bytes + c]! & LEVEL_BITS) === DEALBREAKER_LEVEL) t[k] = Number.NaN;
        }
      } else {
        value.add(others, { rows, least: this.least, weighted: w, total: t, remaining: this.remaining }, n);
      }
      for (let k = 0; k < n; k++) {
        if (!Number.isNaN(t[k]!)) continue;
        this.rBroken[k]!++;
        this.rBrokenAt[k] = c;
        counts[at.rejectedBy + c]!++;
      }
    });
  }

  /** One row's verdicts: acceptable now, per criterion if it counted on neither side, if the subject ignored it. */
  private decide(row: number, k: number): void {
    const { counts, at, steps, C, subjectCut } = this;
    const fb = this.fBroken[k]!;
    const rb = this.rBroken[k]!;
    const rowCut = this.others.minScoreOf(row) - EPSILON;
    // W, T in questionnaire order (the reference's sums), and the largest weight scored.
    let FW = 0;
    let FT = 0;
    let fMax = 0;
    if (fb === 0) {
      for (let i = 0; i < steps.length; i++) {
        const t = this.fT[i * BLOCK + k]!;
        FW += this.fW[i * BLOCK + k]!;
        FT += t;
        if (t > fMax) fMax = t;
      }
    }
    let RW = 0;
    let RT = 0;
    let rMax = 0;
    if (rb === 0) {
      for (let c = 0; c < C; c++) {
        const t = this.rT[c * BLOCK + k]!;
        RW += this.rW[c * BLOCK + k]!;
        RT += t;
        if (t > rMax) rMax = t;
      }
    }
    const SF = FT === 0 ? 1 : FW / FT;
    const SR = RT === 0 ? 1 : RW / RT;
    const forwardOk = fb === 0 && SF >= subjectCut;
    const reverseOk = rb === 0 && SR >= rowCut;
    const acceptable = forwardOk && reverseOk;
    if (acceptable) {
      counts[at.acceptable]!++;
      // mutualScore takes (S(job→candidate), S(candidate→job)) in that order, as the reference does.
      const score =
        this.request.side === 'job'
          ? mutualScore(SF, SR, this.request.method)
          : mutualScore(SR, SF, this.request.method);
      counts[at.histogram + histogramBin(score)]!++;
    }

    // The subject alone sets a criterion it weighs to irrelevant: only S(subject→row) changes.
    if (reverseOk && fb === 0 && lowestWithout(FW, FT, fMax, SF) >= subjectCut + NOISE) {
      this.everyStep++; // no criterion's removal can bring S(subject→row) to the cut
    } else if (reverseOk && fb <= 1) {
      for (let i = 0; i < steps.length; i++) {
        if (fb === 1 && this.fBrokenAt[k] !== i) continue;
        if (fb === 1 ? this.forwardWithout(i, k) >= subjectCut : this.forwardDropped(FW, FT, i, k, forwardOk))
          counts[at.acceptableIfIrrelevant + steps[i]!.criterion]!++;
      }
    }

    // The criterion counts on neither side: both satisfactions lose it.
    if (acceptable || fb > 1 || rb > 1) return;
    if (fb === 1 || rb === 1) {
      const c = fb === 1 ? steps[this.fBrokenAt[k]!]!.criterion : this.rBrokenAt[k]!;
      if (rb === 1 && this.rBrokenAt[k] !== c) return;
      const i = this.stepOf[c]!;
      const forward = i < 0 ? SF : this.forwardWithout(i, k);
      if (forward >= subjectCut && this.reverseWithout(c, k) >= rowCut) counts[at.soleBarrier + c]!++;
      return;
    }
    // No criterion's removal can lift a failing side to its cut: nothing to count.
    if (!forwardOk && highestWithout(FW, FT, fMax) < subjectCut - NOISE) return;
    if (!reverseOk && highestWithout(RW, RT, rMax) < rowCut - NOISE) return;
    for (let c = 0; c < C; c++) {
      const i = this.stepOf[c]!;
      const forwardScored = i >= 0 && this.fT[i * BLOCK + k]! > 0;
      const reverseScored = this.rT[c * BLOCK + k]! > 0;
      if (!forwardScored && !reverseScored) continue;
      const forward = forwardScored ? this.forwardDropped(FW, FT, i, k, forwardOk) : forwardOk;
      if (!forward) continue;
      const reverse = reverseScored ? this.reverseDropped(RW, RT, c, k, rowCut, reverseOk) : reverseOk;
      if (reverse) counts[at.soleBarrier + c]!++;
    }
  }

  /** S(subject→row) ≥ the subject's cut without step i (no broken dealbreaker); `now`: the verdict with it. */
  private forwardDropped(W: number, T: number, i: number, k: number, now: boolean): boolean {
    const t = this.fT[i * BLOCK + k]!;
    if (t === 0) return now;
    const verdict = dropped(W, T, this.fW[i * BLOCK + k]!, t, this.subjectCut);
    return verdict !== undefined ? verdict : this.forwardWithout(i, k) >= this.subjectCut;
  }

  /** S(row→subject) ≥ the row's `cut` without criterion c (no broken dealbreaker); `now`: the verdict with it. */
  private reverseDropped(W: number, T: number, c: number, k: number, cut: number, now: boolean): boolean {
    const t = this.rT[c * BLOCK + k]!;
    if (t === 0) return now;
    const verdict = dropped(W, T, this.rW[c * BLOCK + k]!, t, cut);
    return verdict !== undefined ? verdict : this.reverseWithout(c, k) >= cut;
  }

  /** S(subject→row) without step `skip`, summed in questionnaire order as the reference sums it. */
  private forwardWithout(skip: number, k: number): number {
    let W = 0;
    let T = 0;
    for (let i = 0; i < this.steps.length; i++) {
      if (i === skip) continue;
      W += this.fW[i * BLOCK + k]!;
      T += this.fT[i * BLOCK + k]!;
    }
    return T === 0 ? 1 : W / T;
  }

  /** S(row→subject) without criterion `skip`, in questionnaire order. */
  private reverseWithout(skip: number, k: number): number {
    let W = 0;
    let T = 0;
    for (let c = 0; c < this.C; c++) {
      if (c === skip) continue;
      W += this.rW[c * BLOCK + k]!;
      T += this.rT[c * BLOCK + k]!;
    }
    return T === 0 ? 1 : W / T;
  }

  finish(): Int32Array {
    const { counts, at } = this;
    // A criterion the subject weighs 0 already: ignoring it changes nothing.
    for (let c = 0; c < this.C; c++) {
      if (this.stepOf[c]! < 0) counts[at.acceptableIfIrrelevant + c] = counts[at.acceptable]!;
      else counts[at.acceptableIfIrrelevant + c]! += this.everyStep;
    }
    return counts;
  }
}

/**
 * Bounds of (W − a)/(T − t) over a direction's criteria (0 ≤ a ≤ t ≤ tMax; t = 0: unchanged S;
 * T − t = 0: 1), without looking at each: with a ≤ t it is at least (W − t)/(T − t), which falls as
 * t grows (W ≤ T), so at least (W − tMax)/(T − tMax); with a ≥ 0 it is at most W/(T − tMax). The
 * callers compare them with NOISE to spare, so float noise cannot turn a verdict.
 */
function lowestWithout(W: number, T: number, tMax: number, S: number): number {
  return T - tMax === 0 ? S : (W - tMax) / (T - tMax);
}

function highestWithout(W: number, T: number, tMax: number): number {
  return T - tMax === 0 ? 1 : W / (T - tMax);
}

/** (W − w)/(T − t) ≥ cut, or undefined when it is too close to the cut to tell from float noise. */
function dropped(W: number, T: number, w: number, t: number, cut: number): boolean | undefined {
  const rest = T - t;
  const S = rest === 0 ? 1 : (W - w) / rest;
  if (Math.abs(S - cut) <= NOISE) return undefined;
  return S >= cut;
}
