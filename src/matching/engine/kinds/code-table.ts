import { EPSILON } from '../../score.ts';
import type { Layout, RowArrays } from '../layout.ts';
import { LEVEL_BITS, MISSING_CODE } from '../levels.ts';
import type { ForwardStep, LossBound, StepBase } from './kind.ts';
import { TableCache } from './table-cache.ts';

/**
 * The forward step of the kinds whose value is a small code (single: an option, scale: a step):
 * the subject's expectation becomes three tables indexed by the row's code — what the row adds to
 * the weighted sum (NaN: the code breaks a dealbreaker), to the total weight, and the weight it
 * loses — so every row costs a look-up, whatever the kind's sat. `satOf(code)` is the sat of a row
 * whose value is `code`, for codes 0..valueCount−1; besides the criterion (its kind's cells) and
 * the expectation's importance, the tables depend only on what `expectation` names (a whole number
 * below 2⁴⁹), so that subjects expecting the same share them.
 */
export function codeTableStep(
  base: StepBase,
  layout: Layout,
  valueCount: number,
  satOf: (code: number) => number,
  expectation: number,
): ForwardStep {
  const { w, dealbreaker } = base;
  const key = expectation * (LEVEL_BITS + 1) + base.level;
  const { gain, weightOf, loss } = cache.get(layout, base.criterion, key, () => {
    const tables = {
      gain: new Float64Array(256),
      weightOf: new Float64Array(256),
      loss: new Float64Array(256),
    };
    // A code that is no value (the missing code) adds and loses nothing, and breaks a dealbreaker.
    if (dealbreaker) tables.gain.fill(Number.NaN);
    for (let x = 0; x < Math.min(valueCount, MISSING_CODE); x++) {
      const sat = satOf(x);
      tables.gain[x] = dealbreaker && sat < 1 - EPSILON ? Number.NaN : w * sat;
      tables.weightOf[x] = w;
      tables.loss[x] = w * (1 - sat);
    }
    return tables;
  });
  return new CodeTableStep(base, gain, weightOf, loss);
}

/**
 * A loss bound by a row's code in a column of `codes`: `loss[code]` is what a row of that code
 * loses (a code table's w·(1 − sat), or a range code's least loss, range-codes.ts). The table may
 * be made at the first narrowing that needs it (`makeLoss`): many scans never narrow.
 */
export class CodeLoss implements LossBound {
  readonly column: number;
  readonly cost: number;
  private table: Float64Array | undefined;
  private readonly makeLoss: (() => Float64Array) | undefined;

  constructor(column: number, cost: number, loss: Float64Array | (() => Float64Array)) {
    this.column = column;
    this.cost = cost;
    if (loss instanceof Float64Array) this.table = loss;
    else this.makeLoss = loss;
  }

  get loss(): Float64Array {
    this.table ??= this.makeLoss!();
    return this.table;
  }

  addLoss(others: RowArrays, rows: Int32Array, count: number, lost: Float64Array, budget: number): number {
    const { loss, column } = this;
    const codes = others.codes;
    let kept = 0;
    for (let k = 0; k < count; k++) {
      const o = rows[k]!;
      const l = lost[k]! + loss[codes[column + o]!]!;
      rows[kept] = o;
      lost[kept] = l;
      kept += +(l <= budget);
    }
    return kept;
  }

  /** addLoss of this step, then `second`, in one pass: the rows within `budget` after both. */
  addLossOfTwo(
    second: CodeLoss,
    others: RowArrays,
    rows: Int32Array,
    count: number,
    lost: Float64Array,
    budget: number,
  ): number {
    const [loss, column, loss2, column2] = [this.loss, this.column, second.loss, second.column];
    const codes = others.codes;
    let kept = 0;
    for (let k = 0; k < count; k++) {
      const o = rows[k]!;
      const l = lost[k]! + loss[codes[column + o]!]! + loss2[codes[column2 + o]!]!;
      rows[kept] = o;
      lost[kept] = l;
      kept += +(l <= budget);
    }
    return kept;
  }

  /** addLoss of this step, then `second`, then `third`, in one pass: the rows within `budget` after all three. */
  addLossOfThree(
    second: CodeLoss,
    third: CodeLoss,
    others: RowArrays,
    rows: Int32Array,
    count: number,
    lost: Float64Array,
    budget: number,
  ): number {
    const [loss, column, loss2, column2] = [this.loss, this.column, second.loss, second.column];
    const [loss3, column3] = [third.loss, third.column];
    const codes = others.codes;
    let kept = 0;
    for (let k = 0; k < count; k++) {
      const o = rows[k]!;
      const l =
        lost[k]! + loss[codes[column + o]!]! + loss2[codes[column2 + o]!]! + loss3[codes[column3 + o]!]!;
      rows[kept] = o;
      lost[kept] = l;
      kept += +(l <= budget);
    }
    return kept;
  }
}

/** One allocation per step, its loops as methods (a scan compiles one per criterion; an alert's scan of a bulk batch is short). */
class CodeTableStep extends CodeLoss implements ForwardStep {
  readonly criterion: number;
  readonly level: number;
  readonly w: number;
  readonly dealbreaker: boolean;
  readonly addMarksBreakers = true;
  private readonly gain: Float64Array;
  private readonly weightOf: Float64Array;

  constructor(base: StepBase, gain: Float64Array, weightOf: Float64Array, loss: Float64Array) {
    super(base.column, 3, loss);
    this.criterion = base.criterion;
    this.level = base.level;
    this.w = base.w;
    this.dealbreaker = base.dealbreaker;
    this.gain = gain;
    this.weightOf = weightOf;
  }

  get bound(): LossBound {
    return this;
  }

  keepFullyMet(others: RowArrays, rows: Int32Array, count: number): number {
    const { gain, column } = this;
    const codes = others.codes;
    let kept = 0;
    for (let k = 0; k < count; k++) {
      const row = rows[k]!;
      rows[kept] = row;
      kept += +!Number.isNaN(gain[codes[column + row]!]!);
    }
    return kept;
  }

  add(
    others: RowArrays,
    rows: Int32Array,
    from: number,
    to: number,
    weighted: Float64Array,
    total: Float64Array,
  ): void {
    const { gain, weightOf, column } = this;
    const codes = others.codes;
    for (let k = from; k < to; k++) {
      const x = codes[column + rows[k]!]!;
      weighted[k] = weighted[k]! + gain[x]!;
      total[k] = total[k]! + weightOf[x]!;
    }
  }
}

/**
 * The loss bounds of a plan (max-score.ts), with each run of consecutive code steps narrowed
 * in passes of up to three steps: a row adds their losses in plan order, as one pass per step
 * would, and is kept when within the budget after the last. Losses only grow, so the rows kept
 * and their losses are those of one pass per step, for a third of the reads and writes of each
 * row's position and loss; the rows a pass per step would have dropped after the first step are
 * looked up by the next ones too. The other kinds' steps stay passes of their own.
 */
export function codeTablePasses(bounds: readonly LossBound[]): LossBound[] {
  const passes: LossBound[] = [];
  for (let i = 0; i < bounds.length; ) {
    const run: CodeLoss[] = [];
    while (run.length < 3 && bounds[i + run.length] instanceof CodeLoss)
      run.push(bounds[i + run.length] as CodeLoss);
    passes.push(passOf(run) ?? bounds[i]!);
    i += Math.max(1, run.length);
  }
  return passes;
}

function passOf(run: readonly CodeLoss[]): LossBound | undefined {
  const [first, second, third] = run;
  if (!first || !second) return undefined;
  const cost = run.reduce((sum, step) => sum + step.cost, 0);
  return third
    ? { cost, addLoss: (...args) => first.addLossOfThree(second, third, ...args) }
    : { cost, addLoss: (...args) => first.addLossOfTwo(second, ...args) };
}

type CodeTables = { gain: Float64Array; weightOf: Float64Array; loss: Float64Array };

/**
 * Sets of tables kept (6 kB each). A scan compiles one set per criterion it scores; made anew each
 * time (three 2 kB arrays outside the heap per criterion) they cost a fifth of a bulk batch's alert
 * scoring at 1M, which scans the batch once per alerting job. Past this many the cache starts over.
 */
const MAX_CACHED = 1024;
const cache = new TableCache<CodeTables>(MAX_CACHED, () => 1);
