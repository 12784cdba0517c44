import { EPSILON, mutualScore, round6 } from '../score.ts';
import { BrokenTally } from './broken-tally.ts';
import type { ProfileStore } from './columnar-store.ts';
import type { Step } from './forward-score.ts';
import type { countsLayout, InsightsRequest } from './insights-pass.ts';
import { DEALBREAKER_LEVEL, LEVEL_BITS } from './levels.ts';
import type { SubjectValue } from './reverse-score.ts';

/**
 * The per-criterion path of the insights pass (insights-pass.ts): for the rows its screen could
 * not decide from the totals alone, each of the subject's steps and each reverse criterion adds
 * w·sat and w into **its own** zeroed column of sums, so each row's per-criterion term is kept, and
 * "this criterion weighs nothing" is decided for every criterion from the same terms. The screen
 * has already counted these rows in `others`, `rejecting` and `rejectedBy`; this path counts the
 * rest (`acceptable`, `histogram`, `soleBarrier`, `acceptableIfIrrelevant`).
 */

/** Rows scored together: their per-criterion sums (criteria × BLOCK doubles, four of them) stay in cache. */
export const BLOCK = 256;
/**
 * Dropping one criterion's contribution by subtraction ((W − w·sat)/(T − w)) can differ from the
 * reference's in-order sum without it by float noise: at most ~256 terms × 2⁻⁵² × (T / (T − w) ≤ 251),
 * under 1e-11. Within this much of a threshold the in-order sum is taken instead, so the verdict
 * is the reference's. It stays below EPSILON so exact ties (at θ, i.e. EPSILON from the cut) do not
 * need the slow path.
 */
export const NOISE = 1e-10;

/** The 10 histogram bins of the mutual score. */
export const BINS = 10;

/** The bin of a mutual score: the reported (6-decimal) score r in [k/10, (k+1)/10), 1.0 in the last. */
function reportedBin(score: number): number {
  const r = round6(score);
  let bin = Math.min(BINS - 1, Math.floor(r * BINS));
  // r·10 is exact enough off the edges; at an edge the comparison decides.
  if (bin < BINS - 1 && r >= (bin + 1) / BINS) bin++;
  else if (bin > 0 && r < bin / BINS) bin--;
  return bin;
}

/**
 * BIN_FLOORS[k]: the least score in bin k or above (reportedBin is monotone), found once by
 * bisection over the doubles of [0, 1], whose bit patterns are in the same order as their values.
 */
const BIN_FLOORS = Float64Array.from({ length: BINS }, (_, k) => {
  if (k === 0) return 0;
  const bits = new BigInt64Array(1);
  const value = new Float64Array(bits.buffer);
  let [low, high] = [0n, 0x3ff0000000000000n]; // the bits of 0 and 1: reportedBin(0) < k ≤ reportedBin(1)
  while (high - low > 1n) {
    bits[0] = (low + high) / 2n;
    if (reportedBin(value[0]!) >= k) high = bits[0];
    else low = bits[0];
  }
  bits[0] = high;
  return value[0]!;
});

/** reportedBin(score) without a division per score: score·10 is within one bin, and the floors decide. */
export function histogramBin(score: number): number {
  let bin = Math.min(BINS - 1, Math.floor(score * BINS));
  if (bin < BINS - 1 && score >= BIN_FLOORS[bin + 1]!) bin++;
  else if (bin > 0 && score < BIN_FLOORS[bin]!) bin--;
  return bin;
}

/** What both paths of a pass share: the subject compiled against the other side, and the counts. */
export interface Compiled {
  readonly others: ProfileStore;
  readonly request: InsightsRequest;
  readonly steps: readonly Step[];
  readonly values: readonly SubjectValue[];
  /** criterion → its step's index, −1 when the subject weighs it 0 */
  readonly stepOf: Int32Array;
  /** the subject's steps by weight, heaviest first (stable) */
  readonly heaviestFirst: Int32Array;
  /** the subject's minScore − EPSILON */
  readonly subjectCut: number;
  readonly counts: Int32Array;
  readonly at: ReturnType<typeof countsLayout>;
}

/** Rows for Terms.stepsBlock with their S(subject→row) sums (no dealbreaker broken), as the screen added them. */
export interface OpenRows {
  readonly rows: Int32Array;
  readonly FW: Float64Array;
  readonly FT: Float64Array;
  readonly count: number;
}

export class Terms {
  private readonly counts: Int32Array;
  private readonly at: ReturnType<typeof countsLayout>;
  private readonly steps: readonly Step[];
  private readonly values: readonly SubjectValue[];
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
  private readonly broken = new BrokenTally(BLOCK);
  private readonly scratchRows = new Int32Array(BLOCK);
  private readonly brokenAt = new Int32Array(BLOCK);
  /** rows that stay acceptable whichever one criterion the subject ignores (counted for every step at the end) */
  everyStep = 0;
  /** by row of a stepsBlock: how many of heaviestFirst are too heavy to pass over */
  private readonly heavier = new Int32Array(BLOCK);
  /** one row's terms of one step */
  private readonly one = { rows: new Int32Array(1), w: new Float64Array(1), t: new Float64Array(1) };
  private readonly heaviestFirst: Int32Array;
  /** by position j in heaviestFirst: acceptable rows that every step from j on keeps acceptable (see finish) */
  private readonly keptFrom: Int32Array;
  /** sumForward's answer: one row's S(subject→row) sums and the largest weight it scored */
  private FW = 0;
  private FT = 0;
  private fMax = 0;

  private readonly others: ProfileStore;
  private readonly request: InsightsRequest;

  constructor(compiled: Compiled) {
    ({
      others: this.others,
      request: this.request,
      steps: this.steps,
      values: this.values,
      stepOf: this.stepOf,
      subjectCut: this.subjectCut,
      counts: this.counts,
      at: this.at,
    } = compiled);
    this.C = this.values.length;
    this.heaviestFirst = compiled.heaviestFirst;
    this.keptFrom = new Int32Array(this.heaviestFirst.length + 1);
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
    this.broken.reset(n);
    this.forward(rows, n);
    this.reverse(rows, n);
    for (let k = 0; k < n; k++) this.decide(rows[k]!, k);
  }

  /**
   * Rows with no dealbreaker broken either way whose only open counts are per step, as `decide`
   * counts them; the screen counted the rest. Acceptable rows (`lifts` false): which steps the
   * subject alone may ignore (only S(subject→row) changes). Rows failing S(subject→row) only, whose
   * S(row→subject) stays at its cut without any one criterion (`lifts`): a step whose removal lifts
   * S(subject→row) to the cut opens the pair both if the subject ignores it and if it counts on
   * neither side; a criterion without a step leaves it failing.
   */
  stepsBlock(open: OpenRows, lifts: boolean): void {
    const { rows, count: n } = open;
    const { counts, at, steps, subjectCut, heaviestFirst } = this;
    // Heaviest steps first: once a step is too light to move S(subject→row) across the cut
    // (lightEnough), so is every later one, and each of those leaves the verdict as it is. So
    // only the heavier steps' terms are needed: the heaviest `scored` of them, for every row.
    const heavier = this.heavier;
    let scored = 0;
    for (let k = 0; k < n; k++) {
      const FT = open.FT[k]!;
      const slack = open.FW[k]! - subjectCut * FT;
      let j = 0;
      while (
        j < heaviestFirst.length &&
        !lightEnough(steps[heaviestFirst[j]!]!.w, slack, subjectCut, GUARD * FT, lifts)
      )
        j++;
      heavier[k] = j;
      if (j > scored) scored = j;
    }
    this.forwardSteps(rows, n, heaviestFirst.subarray(0, scored));
    for (let k = 0; k < n; k++) {
      const FW = open.FW[k]!;
      const FT = open.FT[k]!;
      for (let j = 0; j < heavier[k]!; j++) {
        const i = heaviestFirst[j]!;
        if (!this.stepDropped(FW, FT, i, k, rows[k]!, !lifts)) continue;
        const c = steps[i]!.criterion;
        counts[at.acceptableIfIrrelevant + c]!++;
        if (lifts) counts[at.soleBarrier + c]!++;
      }
      if (!lifts) this.keptFrom[heavier[k]!]!++;
    }
  }

  /** Steps `which` of the subject, on zeroed sums: w·sat and w of each row. */
  private forwardSteps(rows: Int32Array, n: number, which: Int32Array): void {
    for (const i of which) {
      const { w, t } = this.fViews[i]!;
      w.fill(0, 0, n);
      t.fill(0, 0, n);
      this.steps[i]!.add(this.others, rows, 0, n, w, t);
    }
  }

  /**
   * forwardDropped for a row of stepsBlock, whose other steps' terms were not kept: when float
   * noise leaves it too close to the cut, the row is scored again without step i, in order.
   */
  private stepDropped(W: number, T: number, i: number, k: number, row: number, now: boolean): boolean {
    const t = this.fT[i * BLOCK + k]!;
    if (t === 0) return now;
    const verdict = dropped(W, T, this.fW[i * BLOCK + k]!, t, this.subjectCut);
    return verdict !== undefined ? verdict : this.rowWithout(i, row) >= this.subjectCut;
  }

  /** S(subject→row) of one row without step `skip`, its steps summed in order as the reference does. */
  private rowWithout(skip: number, row: number): number {
    const { one } = this;
    one.rows[0] = row;
    let W = 0;
    let T = 0;
    for (let i = 0; i < this.steps.length; i++) {
      if (i === skip) continue;
      one.w[0] = one.t[0] = 0;
      this.steps[i]!.add(this.others, one.rows, 0, 1, one.w, one.t);
      W += one.w[0]!;
      T += one.t[0]!;
    }
    return T === 0 ? 1 : W / T;
  }

  /**
   * Adds the rows whose lighter steps all kept them acceptable (`keptFrom`, by the first such
   * step in heaviestFirst) to those steps' acceptableIfIrrelevant. Call once, at the end.
   */
  finish(): void {
    const { counts, at, steps, heaviestFirst, keptFrom } = this;
    let rows = 0;
    for (let j = 0; j < heaviestFirst.length; j++) {
      rows += keptFrom[j]!;
      counts[at.acceptableIfIrrelevant + steps[heaviestFirst[j]!]!.criterion]! += rows;
    }
  }

  /** Every step of the subject, on zeroed sums: w·sat and w of each row; its dealbreakers' breakers (`breakers`). */
  private forward(rows: Int32Array, n: number, breakers = true): void {
    const { others } = this;
    this.steps.forEach((step, i) => {
      const { w, t } = this.fViews[i]!;
      w.fill(0, 0, n);
      t.fill(0, 0, n);
      step.add(others, rows, 0, n, w, t);
      if (!step.dealbreaker || !breakers) return;
      forEachBreaker(step, others, rows, n, w, this.scratchRows, (k) => this.broken.breakForward(k, i));
    });
  }

  /** Row k's S(subject→row) sums over every step in order (the reference's) into FW, FT, and the largest weight scored into fMax. */
  private sumForward(k: number): void {
    let FW = 0;
    let FT = 0;
    let fMax = 0;
    for (let i = 0; i < this.steps.length; i++) {
      const t = this.fT[i * BLOCK + k]!;
      FW += this.fW[i * BLOCK + k]!;
      FT += t;
      if (t > fMax) fMax = t;
    }
    this.FW = FW;
    this.FT = FT;
    this.fMax = fMax;
  }

  /** Every criterion the other way: each row's w·sat and w on the subject's value; its broken dealbreakers. */
  private reverse(rows: Int32Array, n: number): void {
    const { others } = this;
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
        // t starts at 0 as the batch's `remaining`: the row's weight is what it fell by.
        const { brokenAt } = this;
        const broke = value.add(others, { rows, weighted: w, remaining: t, brokenAt }, n);
        for (let k = 0; k < n; k++) t[k] = 0 - t[k]!;
        for (let b = 0; b < broke; b++) t[brokenAt[b]!] = Number.NaN;
      }
      for (let k = 0; k < n; k++) {
        if (Number.isNaN(t[k]!)) this.broken.breakReverse(k, c);
      }
    });
  }

  /** One row's verdicts: acceptable now, per criterion if it counted on neither side, if the subject ignored it. */
  private decide(row: number, k: number): void {
    const { counts, at, steps, C, subjectCut } = this;
    const fb = this.broken.forward[k]!;
    const rb = this.broken.reverse[k]!;
    const rowCut = this.others.minScoreOf(row) - EPSILON;
    // W, T in questionnaire order (the reference's sums), and the largest weight scored.
    if (fb === 0) this.sumForward(k);
    const FW = fb === 0 ? this.FW : 0;
    const FT = fb === 0 ? this.FT : 0;
    const fMax = fb === 0 ? this.fMax : 0;
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
        if (fb === 1 && this.broken.forwardAt[k] !== i) continue;
        if (fb === 1 ? this.forwardWithout(i, k) >= subjectCut : this.forwardDropped(FW, FT, i, k, forwardOk))
          counts[at.acceptableIfIrrelevant + steps[i]!.criterion]!++;
      }
    }

    // The criterion counts on neither side: both satisfactions lose it.
    if (acceptable) return;
    const sole = this.broken.sole(k, steps);
    if (sole === -2) return;
    if (sole >= 0) {
      const c = sole;
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
}

/**
 * Calls `broken(k)` for each of rows[0..n) that breaks dealbreaker step `step`, in order, given
 * `weighted`, what step.add wrote for them: NaN where a step that marks its breakers broke
 * (addMarksBreakers); otherwise keepFullyMet on a copy in `met` keeps the rows that met it, in order.
 */
export function forEachBreaker(
  step: Step,
  others: ProfileStore,
  rows: Int32Array,
  n: number,
  weighted: Float64Array,
  met: Int32Array,
  broken: (k: number) => void,
): void {
  if (step.addMarksBreakers) {
    for (let k = 0; k < n; k++) if (Number.isNaN(weighted[k]!)) broken(k);
    return;
  }
  met.set(rows.subarray(0, n));
  const kept = step.keepFullyMet(others, met, n);
  let j = 0;
  for (let k = 0; k < n; k++) {
    if (j < kept && met[j] === rows[k]) j++;
    else broken(k);
  }
}

/**
 * Bounds of (W − a)/(T − t) over a direction's criteria (0 ≤ a ≤ t ≤ tMax; t = 0: unchanged S;
 * T − t = 0: 1), without looking at each: with a ≤ t it is at least (W − t)/(T − t), which falls as
 * t grows (W ≤ T), so at least (W − tMax)/(T − tMax); with a ≥ 0 it is at most W/(T − tMax). The
 * callers compare them with NOISE to spare, so float noise cannot turn a verdict.
 */
export function lowestWithout(W: number, T: number, tMax: number, S: number): number {
  return T - tMax === 0 ? S : (W - tMax) / (T - tMax);
}

export function highestWithout(W: number, T: number, tMax: number): number {
  return T - tMax === 0 ? 1 : W / (T - tMax);
}

/**
 * How far beyond NOISE a bound must clear the cut, per unit of total weight T: the float error of
 * W − cut·T is some 2⁻⁵² of T, far below this.
 */
export const GUARD = 4 * NOISE;

/**
 * Whether dropping a step of weight `w` (any term 0 ≤ a ≤ w, or a weight the row did not score)
 * leaves S(subject→row) = W/T on the same side of `cut` beyond NOISE, from slack = W − cut·T:
 * (W − a)/(T − w) − cut = (slack − a + cut·w)/(T − w), so an acceptable row (slack ≥ 0) stays
 * acceptable when slack − w·(1 − cut) > guard (= GUARD·T), and a failing row (`lifts`: slack < 0)
 * stays failing when slack + cut·w < −guard. Both hold for every lighter weight too.
 */
export function lightEnough(w: number, slack: number, cut: number, guard: number, lifts: boolean): boolean {
  return lifts ? slack + cut * w < -guard : slack - w * (1 - cut) > guard;
}

/** (W − w)/(T − t) ≥ cut, or undefined when it is too close to the cut to tell from float noise. */
export function dropped(W: number, T: number, w: number, t: number, cut: number): boolean | undefined {
  const rest = T - t;
  const S = rest === 0 ? 1 : (W - w) / rest;
  if (Math.abs(S - cut) <= NOISE) return undefined;
  return S >= cut;
}
