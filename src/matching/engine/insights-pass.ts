import { EPSILON, mutualScore } from '../score.ts';
import type { ScoreMethod } from '../types.ts';
import { BrokenTally } from './broken-tally.ts';
import type { ProfileStore } from './columnar-store.ts';
import { compileSteps } from './forward-score.ts';
import {
  BINS,
  BLOCK,
  type Compiled,
  dropped,
  forEachBreaker,
  GUARD,
  highestWithout,
  histogramBin,
  lightEnough,
  lowestWithout,
  NOISE,
  type OpenRows,
  Terms,
} from './insights-terms.ts';
import { DEALBREAKER_LEVEL, LEVEL_BITS, LEVEL_WEIGHTS } from './levels.ts';
import { forEachBrokenDealbreaker } from './reverse-dealbreakers.ts';
import { compileSubjectValues } from './reverse-score.ts';
import { addToBatch, type RowBatch } from './row-sums.ts';

export { BINS, histogramBin } from './insights-terms.ts';

/**
 * The insights pass (docs/matching.md#insights-and-what-if): one pass over rows from..to of the
 * other side that accumulates every criterion's counts. Every row counts, so nothing is pruned;
 * what is saved is the per-criterion work. Per block of rows, a **screen** scores each row both
 * ways into running totals, the subject's steps and the row's criteria in questionnaire order (the
 * reference's sums, to the bit), noting which dealbreakers break each way. A broken dealbreaker
 * adds nothing, so with one broken the totals are already the reference's sums without that
 * criterion. From the totals, bounds on what dropping any one criterion can do decide most rows
 * (`decide`); a row they cannot decide within NOISE of a cut goes to the per-criterion path
 * (insights-terms.ts), which keeps every criterion's term and decides each criterion exactly.
 *
 * The counts are one Int32Array (see `countsLayout`), added up across slices.
 */

export type InsightsSide = 'job' | 'candidate';

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

/**
 * Rows of the other side a thread claims at a time (insights-pool.ts): small enough that the
 * threads of a pass end within a few milliseconds of each other, large enough that claiming costs
 * nothing.
 */
export const CHUNK_ROWS = 8192;

/** The insights of subject row `s` over rows from..to of `others`. */
export function insightsOfRange(
  subject: ProfileStore,
  s: number,
  others: ProfileStore,
  request: InsightsRequest,
  from: number,
  to: number,
): Int32Array {
  const pass = new Screen(subject, s, others, request);
  pass.rows(from, to);
  return pass.finish();
}

/**
 * The insights of subject row `s` over the chunks of `others` (CHUNK_ROWS rows each, or
 * `chunkRows`) that `owner` holds: every unclaimed chunk it can claim (claims[c] from 0 to `owner`,
 * atomically, so each chunk has one owner), and those it claimed before. Threads sharing `claims`
 * split the rows between them as fast as each one goes; a thread's claims can be taken over by
 * the calling thread when the thread fails (insights-pool.ts).
 */
export function insightsOfClaims(
  subject: ProfileStore,
  s: number,
  others: ProfileStore,
  request: InsightsRequest,
  claims: Int32Array,
  owner: number,
  chunkRows = CHUNK_ROWS,
): Int32Array {
  const pass = new Screen(subject, s, others, request);
  for (let c = 0; c < claims.length; c++) {
    const held = Atomics.compareExchange(claims, c, 0, owner);
    if (held !== 0 && held !== owner) continue;
    pass.rows(c * chunkRows, Math.min(others.end, (c + 1) * chunkRows));
  }
  return pass.finish();
}

/** How many chunks of `chunkRows` cover `end` rows. */
export function chunksOf(end: number, chunkRows = CHUNK_ROWS): number {
  return Math.ceil(end / chunkRows);
}

/**
 * Whether row `row` is one of the subject's others: active (open jobs only are in the index) and
 * not excluded. The one place a row is left out: privacy rules (paused, hidden) plug in here.
 */
function isOther(others: ProfileStore, row: number, excluded: Uint8Array | undefined): boolean {
  return others.active[row] === 1 && (excluded === undefined || excluded[row] !== 1);
}

class Screen {
  private readonly compiled: Compiled;
  private readonly terms: Terms;
  private readonly subject: ProfileStore;
  private readonly s: number;
  private readonly C: number;
  /** the largest weight among the subject's steps: no step's t exceeds it */
  private readonly wMax: number;
  // Per row of the block (k): the totals both ways (reverse: without broken criteria), whether the
  // reverse was scored, broken dealbreakers forward (the subject's) and reverse (the row's), and the
  // last one's step or criterion.
  private readonly FW = new Float64Array(BLOCK);
  private readonly FT = new Float64Array(BLOCK);
  private readonly RW = new Float64Array(BLOCK);
  private readonly RT = new Float64Array(BLOCK);
  private readonly scored = new Uint8Array(BLOCK);
  private readonly broken = new BrokenTally(BLOCK);
  /** each dealbreaker step's own terms by k, and the rows meeting it */
  private readonly dealbreakerTerms: { w: Float64Array; t: Float64Array }[];
  private readonly met = new Int32Array(BLOCK);
  /** the rows scored forward (at most one step broken) and their k; their running sums */
  private readonly live = new Int32Array(BLOCK);
  private readonly liveAt = new Int32Array(BLOCK);
  private readonly liveW = new Float64Array(BLOCK);
  private readonly liveT = new Float64Array(BLOCK);
  /** the rows scored reverse and their k */
  private readonly batch: RowBatch;
  private readonly batchAt = new Int32Array(BLOCK);
  /** rows left to the per-criterion path, counted there once BLOCK of them gather */
  private readonly undecided = new Int32Array(BLOCK);
  private undecidedCount = 0;
  /**
   * Rows whose only open counts are per step of the subject's (Terms.stepsBlock): acceptable ones
   * (which steps the subject may ignore), and ones failing only S(subject→row) that no criterion's
   * removal takes S(row→subject) under its cut (`lifts`: which steps' removal lifts them).
   */
  private readonly stepsOpen = { acceptable: new StepsOpen(), lifts: new StepsOpen() };
  /** one row's sums, to score a single criterion of it */
  private readonly one = {
    rows: new Int32Array(1),
    weighted: new Float64Array(1),
    remaining: new Float64Array(1),
    brokenAt: new Int32Array(1),
    w: new Float64Array(1),
    t: new Float64Array(1),
  };
  /** rows that stay acceptable whichever one criterion the subject ignores (counted for every step at the end) */
  private everyStep = 0;
  /** counts a row that breaks its own dealbreaker on criterion c */
  private readonly rejectedBy: (c: number) => void;
  /**
   * By criterion: each row's (by k) sat from the subject's step, where the kind's sat is the same
   * both ways (kinds/kind.ts addKeepingSats), so S(row→subject) reuses it; undefined elsewhere.
   */
  private readonly keptSats: (Float64Array | undefined)[];
  private readonly liveSats = new Float64Array(BLOCK);
  /** the block of rows being counted */
  private readonly rowsOf = new Int32Array(BLOCK);
  /** oneAtATime's counts until the row is decided: the criteria for soleBarrier and for acceptableIfIrrelevant */
  private readonly soleAt: Int32Array;
  private readonly irrelevantAt: Int32Array;

  constructor(subject: ProfileStore, s: number, others: ProfileStore, request: InsightsRequest) {
    const C = subject.layout.count;
    const steps = compileSteps(subject, s, others);
    const stepOf = new Int32Array(C).fill(-1);
    steps.forEach((step, i) => {
      stepOf[step.criterion] = i;
    });
    const at = countsLayout(C);
    this.compiled = {
      others,
      request,
      steps,
      values: compileSubjectValues(subject, s, others),
      stepOf,
      heaviestFirst: Int32Array.from(
        steps.map((_, i) => i).sort((a, b) => steps[b]!.w - steps[a]!.w || a - b),
      ),
      subjectCut: subject.minScoreOf(s) - EPSILON,
      counts: new Int32Array(at.length),
      at,
    };
    this.subject = subject;
    this.s = s;
    this.C = C;
    this.wMax = steps.reduce((max, step) => Math.max(max, step.w), 0);
    this.soleAt = new Int32Array(C);
    this.irrelevantAt = new Int32Array(C);
    this.terms = new Terms(this.compiled);
    const counts = this.compiled.counts;
    this.rejectedBy = (c) => {
      counts[at.rejectedBy + c]!++;
    };
    const doubles = () => new Float64Array(BLOCK);
    this.dealbreakerTerms = steps
      .filter((step) => step.dealbreaker)
      .map(() => ({ w: doubles(), t: doubles() }));
    this.keptSats = Array.from({ length: C }, (_, c) =>
      stepOf[c]! >= 0 && steps[stepOf[c]!]!.addKeepingSats ? doubles() : undefined,
    );
    this.batch = {
      rows: new Int32Array(BLOCK),
      weighted: doubles(),
      remaining: doubles(),
      brokenAt: new Int32Array(BLOCK),
    };
  }

  /** Counts rows from..to that are the subject's others. */
  rows(from: number, to: number): void {
    const { others, request } = this.compiled;
    const rows = this.rowsOf;
    let n = 0;
    for (let row = from; row < to; row++) {
      if (!isOther(others, row, request.excluded)) continue;
      rows[n++] = row;
      if (n === BLOCK) {
        this.block(rows, n);
        n = 0;
      }
    }
    if (n > 0) this.block(rows, n);
  }

  private block(rows: Int32Array, n: number): void {
    const { counts, at } = this.compiled;
    counts[at.others]! += n;
    this.broken.reset(n);
    this.scored.fill(0, 0, n);
    this.dealbreakers(rows, n);
    let live = 0;
    for (let k = 0; k < n; k++) {
      if (this.broken.forward[k]! > 1) continue;
      this.live[live] = rows[k]!;
      this.liveAt[live++] = k;
    }
    this.forward(live);
    let scored = 0;
    for (let j = 0; j < live; j++) {
      const k = this.liveAt[j]!;
      if (!this.reverseCounts(k)) continue;
      this.batch.rows[scored] = rows[k]!;
      this.batchAt[scored++] = k;
    }
    this.reverse(scored);
    for (let k = 0; k < n; k++) {
      if (this.scored[k] === 0) this.rowDealbreakers(rows[k]!);
      else if (!this.decide(rows[k]!, k)) {
        this.undecided[this.undecidedCount++] = rows[k]!;
        if (this.undecidedCount === BLOCK) this.flush();
      }
    }
  }

  /** The subject's dealbreaker steps over every row: their terms, and their breakers (counted). */
  private dealbreakers(rows: Int32Array, n: number): void {
    const { others, steps, counts, at } = this.compiled;
    let d = 0;
    steps.forEach((step, i) => {
      if (!step.dealbreaker) return;
      const { w, t } = this.dealbreakerTerms[d++]!;
      w.fill(0, 0, n);
      t.fill(0, 0, n);
      const sats = this.keptSats[step.criterion];
      if (sats) step.addKeepingSats!(others, rows, 0, n, w, t, sats);
      else step.add(others, rows, 0, n, w, t);
      forEachBreaker(step, others, rows, n, w, this.met, (k) => {
        this.broken.breakForward(k, i);
        counts[at.rejecting + step.criterion]!++;
      });
    });
  }

  /**
   * S(subject→row) of the live rows into FW, FT: each step adds its w·sat and w in questionnaire
   * order; a dealbreaker step's own terms (x + (0 + y) is x + y to the bit) are added by the rows
   * that meet it, so a broken step adds nothing and the totals are the sums without it.
   */
  private forward(live: number): void {
    const { others, steps } = this.compiled;
    const { liveW, liveT, liveAt } = this;
    liveW.fill(0, 0, live);
    liveT.fill(0, 0, live);
    let d = 0;
    steps.forEach((step, i) => {
      if (!step.dealbreaker) {
        const sats = this.keptSats[step.criterion];
        if (!sats) {
          step.add(others, this.live, 0, live, liveW, liveT);
          return;
        }
        step.addKeepingSats!(others, this.live, 0, live, liveW, liveT, this.liveSats);
        for (let j = 0; j < live; j++) sats[liveAt[j]!] = this.liveSats[j]!;
        return;
      }
      const { w, t } = this.dealbreakerTerms[d++]!;
      for (let j = 0; j < live; j++) {
        const k = liveAt[j]!;
        if (this.broken.forward[k] === 1 && this.broken.forwardAt[k] === i) continue;
        liveW[j] = liveW[j]! + w[k]!;
        liveT[j] = liveT[j]! + t[k]!;
      }
    });
    for (let j = 0; j < live; j++) {
      this.FW[liveAt[j]!] = liveW[j]!;
      this.FT[liveAt[j]!] = liveT[j]!;
    }
  }

  /**
   * Whether the row's side can matter to any count: only when S(subject→row) reaches the cut
   * (without the broken step, if one broke) or some one step's removal may lift it there.
   */
  private reverseCounts(k: number): boolean {
    const FW = this.FW[k]!;
    const FT = this.FT[k]!;
    const cut = this.compiled.subjectCut;
    if ((FT === 0 ? 1 : FW / FT) >= cut) return true;
    if (this.broken.forward[k] === 1) return false;
    return FT - this.wMax <= 0 || highestWithout(FW, FT, this.wMax) >= cut - NOISE;
  }

  /**
   * S(row→subject) of the batch's rows, criterion by criterion in questionnaire order. A broken
   * row dealbreaker adds nothing to `weighted` and leaves `remaining` as it was (row-sums.ts
   * addToBatch), while every scored criterion takes its weight off `remaining`: so with
   * `remaining` starting at 0, −remaining is the total weight scored without the broken criteria
   * (whole numbers: exact); the rows that break each criterion come back in `brokenAt`, and are
   * counted.
   */
  private reverse(count: number): void {
    const { others, values, counts, at } = this.compiled;
    const { batch, batchAt } = this;
    const { levels } = others;
    const { bytes } = others.layout.record;
    const { rows, weighted, remaining } = batch;
    weighted.fill(0, 0, count);
    remaining.fill(0, 0, count);
    values.forEach((value, c) => {
      if (value.missing) {
        // The subject gave no value: every row that made it a dealbreaker breaks, the others skip it.
        for (let x = 0; x < count; x++) {
          if ((levels[rows[x]! * bytes + c]! & LEVEL_BITS) !== DEALBREAKER_LEVEL) continue;
          this.broken.breakReverse(batchAt[x]!, c);
          counts[at.rejectedBy + c]!++;
        }
        return;
      }
      const sats = this.keptSats[c];
      const broke = sats ? this.addKeptSats(c, sats, count) : value.add(others, batch, count);
      for (let b = 0; b < broke; b++) {
        this.broken.breakReverse(batchAt[batch.brokenAt[b]!]!, c);
        counts[at.rejectedBy + c]!++;
      }
    });
    for (let x = 0; x < count; x++) {
      const k = batchAt[x]!;
      this.RW[k] = weighted[x]!;
      this.RT[k] = -remaining[x]!;
      this.scored[k] = 1;
    }
  }

  /**
   * Criterion c of S(row→subject) from the sats the subject's step kept, as the kind's own reverse
   * loop adds them (row-sums.ts addToBatch): every batch row with an importance there has a value,
   * so it was scored forward. Returns how many rows broke.
   */
  private addKeptSats(c: number, sats: Float64Array, count: number): number {
    const { rows, weighted, remaining, brokenAt } = this.batch;
    const { levels } = this.compiled.others;
    const { bytes } = this.compiled.others.layout.record;
    let broken = 0;
    for (let x = 0; x < count; x++) {
      const level = levels[rows[x]! * bytes + c]! & LEVEL_BITS;
      if (level === 0) continue;
      brokenAt[broken] = x;
      broken += addToBatch(x, level, sats[this.batchAt[x]!]!, weighted, remaining);
    }
    return broken;
  }

  /** A row whose side cannot matter: only its broken dealbreakers count. */
  private rowDealbreakers(row: number): void {
    forEachBrokenDealbreaker(this.compiled.others, row, this.subject, this.s, this.rejectedBy);
  }

  /**
   * One row's verdicts from its totals, counted when every one is certain; false (nothing counted
   * beyond its dealbreakers) when a verdict is too close to a cut for the bounds, and the
   * per-criterion path must decide it.
   */
  private decide(row: number, k: number): boolean {
    const fb = this.broken.forward[k]!;
    const rb = this.broken.reverse[k]!;
    const { counts, at, subjectCut, steps, stepOf, values, others } = this.compiled;
    const c = this.broken.sole(k, steps);
    // Two criteria broken: no one criterion can lift both, and ignoring one leaves the other broken.
    if (c === -2) return true;
    const rowCut = others.minScoreOf(row) - EPSILON;
    // Totals without the broken criterion, if any: the reference's in-order sums without it.
    const FW = this.FW[k]!;
    const FT = this.FT[k]!;
    const RW = this.RW[k]!;
    const RT = this.RT[k]!;
    const SF = FT === 0 ? 1 : FW / FT;
    const SR = RT === 0 ? 1 : RW / RT;

    if (c >= 0) {
      // One criterion c broken (or the same one both ways): only c's own counts can move.
      let forward: boolean | undefined = SF >= subjectCut;
      if (fb === 0) {
        const i = stepOf[c]!;
        if (i >= 0)
          forward = withoutOne(FW, FT, steps[i]!.w, subjectCut) ?? this.forwardWithout(i, row, FW, FT);
      }
      // The subject's broken step made irrelevant by the subject alone: the row's side is as it is.
      const alone = fb === 1 && rb === 0 && forward && SR >= rowCut;
      let reverse: boolean | undefined = SR >= rowCut;
      if (rb === 0 && forward) {
        const level = values[c]!.missing
          ? 0
          : others.levels[row * others.layout.record.bytes + c]! & LEVEL_BITS;
        if (level !== 0)
          reverse =
            withoutOne(RW, RT, LEVEL_WEIGHTS[level]!, rowCut) ?? this.reverseWithout(c, row, RW, RT, rowCut);
      }
      if (forward === undefined || reverse === undefined) return false;
      if (alone) counts[at.acceptableIfIrrelevant + c]!++;
      if (forward && reverse) counts[at.soleBarrier + c]!++;
      return true;
    }

    const forwardOk = SF >= subjectCut;
    const reverseOk = SR >= rowCut;
    const acceptable = forwardOk && reverseOk;
    // Ignoring one of the subject's steps moves S(subject→row) within [lowest, highest] (wMax ≥ any t).
    const reduced = FT - this.wMax;
    let everyStep = false;
    let open: StepsOpen | undefined;
    if (reverseOk && steps.length > 0) {
      if (FT === 0) everyStep = true;
      else if (reduced <= 0) return false;
      else if (lowestWithout(FW, FT, this.wMax, SF) >= subjectCut + NOISE) everyStep = true;
      // Acceptable, and only which steps it may ignore is open: the steps' terms alone decide it.
      else if (forwardOk) open = this.stepsOpen.acceptable;
      else if (highestWithout(FW, FT, this.wMax) < subjectCut - NOISE) {
        // no step's removal lifts S(subject→row): nothing open
      } else if (this.reverseHolds(row, RW, RT, SR, rowCut)) open = this.stepsOpen.lifts;
      else return this.oneAtATime(row, FW, FT, RW, RT, forwardOk, reverseOk, rowCut);
    }
    if (!acceptable && !open) return this.oneAtATime(row, FW, FT, RW, RT, forwardOk, reverseOk, rowCut);

    if (acceptable) {
      counts[at.acceptable]!++;
      // mutualScore takes (S(job→candidate), S(candidate→job)) in that order, as the reference does.
      const { side, method } = this.compiled.request;
      const score = side === 'job' ? mutualScore(SF, SR, method) : mutualScore(SR, SF, method);
      counts[at.histogram + histogramBin(score)]!++;
    }
    if (everyStep) this.everyStep++;
    if (open?.add(row, FW, FT)) this.flushStepsOpen(open);
    return true;
  }

  /**
   * Whether S(subject→row) reaches the subject's cut without step i, from that step's own term of
   * the row (one row scored); undefined when float noise leaves it too close to the cut to tell.
   */
  private forwardWithout(i: number, row: number, FW: number, FT: number): boolean | undefined {
    const { w, t } = this.one;
    w[0] = t[0] = 0;
    this.one.rows[0] = row;
    this.compiled.steps[i]!.add(this.compiled.others, this.one.rows, 0, 1, w, t);
    return dropped(FW, FT, w[0]!, t[0]!, this.compiled.subjectCut);
  }

  /** The same for S(row→subject) without criterion c, against the row's cut. */
  private reverseWithout(
    c: number,
    row: number,
    RW: number,
    RT: number,
    rowCut: number,
  ): boolean | undefined {
    const { one } = this;
    one.weighted[0] = one.remaining[0] = 0;
    one.rows[0] = row;
    this.compiled.values[c]!.add(this.compiled.others, one, 1);
    return dropped(RW, RT, one.weighted[0]!, 0 - one.remaining[0]!, rowCut);
  }

  /**
   * The counts of a row not acceptable, with no dealbreaker broken, criterion by criterion: only
   * a criterion heavy enough to move a side across its cut (lightEnough: by the subject's step
   * weight forward, by the row's own weight reverse) gets its term of the row scored, one row at a
   * time; every lighter one leaves that side's verdict as it is. soleBarrier counts the criteria
   * whose removal leaves both sides at their cuts; acceptableIfIrrelevant (the row's side as it
   * is) the steps whose removal lifts S(subject→row) when S(row→subject) holds. False, with nothing
   * counted, when a verdict is within float noise of a cut: the per-criterion path decides the row.
   */
  private oneAtATime(
    row: number,
    FW: number,
    FT: number,
    RW: number,
    RT: number,
    forwardOk: boolean,
    reverseOk: boolean,
    rowCut: number,
  ): boolean {
    const { subjectCut, steps, stepOf, values, others, counts, at, heaviestFirst } = this.compiled;
    const base = row * others.layout.record.bytes;
    const forwardSlack = FW - subjectCut * FT;
    const reverseSlack = RW - rowCut * RT;
    const { soleAt, irrelevantAt } = this;
    let sole = 0;
    let irrelevant = 0;
    if (!forwardOk) {
      // Only a step whose removal lifts S(subject→row) can count: the heaviest ones, up to the first too light.
      for (const i of heaviestFirst) {
        if (lightEnough(steps[i]!.w, forwardSlack, subjectCut, GUARD * FT, true)) break;
        const forward = this.forwardWithout(i, row, FW, FT);
        if (forward === undefined) return false;
        if (!forward) continue;
        const c = steps[i]!.criterion;
        if (reverseOk) irrelevantAt[irrelevant++] = c;
        const t = values[c]!.missing ? 0 : LEVEL_WEIGHTS[others.levels[base + c]! & LEVEL_BITS]!;
        let reverse: boolean | undefined = reverseOk;
        if (t > 0 && !lightEnough(t, reverseSlack, rowCut, GUARD * RT, !reverseOk))
          reverse = this.reverseWithout(c, row, RW, RT, rowCut);
        if (reverse === undefined) return false;
        if (reverse) soleAt[sole++] = c;
      }
    } else {
      // S(subject→row) holds, so S(row→subject) fails: only a criterion whose removal lifts it counts.
      for (let c = 0; c < this.C; c++) {
        const t = values[c]!.missing ? 0 : LEVEL_WEIGHTS[others.levels[base + c]! & LEVEL_BITS]!;
        if (t === 0 || lightEnough(t, reverseSlack, rowCut, GUARD * RT, true)) continue;
        const reverse = this.reverseWithout(c, row, RW, RT, rowCut);
        if (reverse === undefined) return false;
        if (!reverse) continue;
        const i = stepOf[c]!;
        const forward =
          i < 0 || lightEnough(steps[i]!.w, forwardSlack, subjectCut, GUARD * FT, false)
            ? true
            : this.forwardWithout(i, row, FW, FT);
        if (forward === undefined) return false;
        if (forward) soleAt[sole++] = c;
      }
    }
    for (let j = 0; j < sole; j++) counts[at.soleBarrier + soleAt[j]!]!++;
    for (let j = 0; j < irrelevant; j++) counts[at.acceptableIfIrrelevant + irrelevantAt[j]!]!++;
    return true;
  }

  /** The largest weight of the row's scored criteria (the subject gave a value there). */
  private rowMaxWeight(row: number): number {
    const { others, values } = this.compiled;
    const base = row * others.layout.record.bytes;
    let max = 0;
    for (let c = 0; c < this.C; c++) {
      if (values[c]!.missing) continue;
      const w = LEVEL_WEIGHTS[others.levels[base + c]! & LEVEL_BITS]!;
      if (w > max) max = w;
    }
    return max;
  }

  private flush(): void {
    this.terms.block(this.undecided, this.undecidedCount);
    this.undecidedCount = 0;
  }

  /**
   * Whether S(row→subject) stays at its cut whichever one criterion counts no more (bounds of
   * insights-terms.ts with NOISE to spare), for a row scored with no dealbreaker broken.
   */
  private reverseHolds(row: number, RW: number, RT: number, SR: number, rowCut: number): boolean {
    if (RT === 0) return true;
    const rMax = this.rowMaxWeight(row);
    return RT - rMax >= 0 && lowestWithout(RW, RT, rMax, SR) >= rowCut + NOISE;
  }

  private flushStepsOpen(open: StepsOpen): void {
    this.terms.stepsBlock(open, open === this.stepsOpen.lifts);
    open.count = 0;
  }

  finish(): Int32Array {
    if (this.undecidedCount > 0) this.flush();
    for (const open of [this.stepsOpen.acceptable, this.stepsOpen.lifts])
      if (open.count > 0) this.flushStepsOpen(open);
    this.terms.finish();
    const { counts, at, stepOf } = this.compiled;
    const everyStep = this.everyStep + this.terms.everyStep;
    // A criterion the subject weighs 0 already: ignoring it changes nothing.
    for (let c = 0; c < this.C; c++) {
      if (stepOf[c]! < 0) counts[at.acceptableIfIrrelevant + c] = counts[at.acceptable]!;
      else counts[at.acceptableIfIrrelevant + c]! += everyStep;
    }
    return counts;
  }
}

/** Rows gathered for Terms.stepsBlock, BLOCK at a time, with their S(subject→row) sums. */
class StepsOpen implements OpenRows {
  readonly rows = new Int32Array(BLOCK);
  readonly FW = new Float64Array(BLOCK);
  readonly FT = new Float64Array(BLOCK);
  count = 0;

  /** Adds a row; true when the block is full. */
  add(row: number, FW: number, FT: number): boolean {
    this.FW[this.count] = FW;
    this.FT[this.count] = FT;
    this.rows[this.count++] = row;
    return this.count === BLOCK;
  }
}

/**
 * Whether (W − a)/(T − t) ≥ cut for every 0 ≤ a ≤ t, t ∈ {0, `t`}: the satisfaction without one
 * criterion of weight at most `t` whose own term is unknown; undefined when the bounds
 * (lowestWithout, highestWithout; W/T itself lies between them) straddle the cut within NOISE.
 */
function withoutOne(W: number, T: number, t: number, cut: number): boolean | undefined {
  if (T === 0) return true; // nothing scored, nor without it: S = 1
  if (T - t <= 0) return undefined;
  if (lowestWithout(W, T, t, 0) >= cut + NOISE) return true;
  if (highestWithout(W, T, t) < cut - NOISE) return false;
  return undefined;
}
