import type { Step } from './forward-score.ts';

/**
 * Per row of a block of the insights pass (insights-pass.ts, insights-terms.ts): how many
 * dealbreakers broke each way — the subject's steps (forward) and the row's criteria (reverse) —
 * and the last one's step or criterion. A row with one broken dealbreaker is the one case where a
 * single criterion's removal can still make it acceptable.
 */
export class BrokenTally {
  readonly forward: Int32Array;
  readonly forwardAt: Int32Array;
  readonly reverse: Int32Array;
  readonly reverseAt: Int32Array;

  constructor(size: number) {
    this.forward = new Int32Array(size);
    this.forwardAt = new Int32Array(size);
    this.reverse = new Int32Array(size);
    this.reverseAt = new Int32Array(size);
  }

  /** Clears rows 0..n of the next block. */
  reset(n: number): void {
    this.forward.fill(0, 0, n);
    this.reverse.fill(0, 0, n);
  }

  /** Row k breaks the subject's step `step`. */
  breakForward(k: number, step: number): void {
    this.forward[k]!++;
    this.forwardAt[k] = step;
  }

  /** Row k breaks its own dealbreaker on criterion `c`. */
  breakReverse(k: number, c: number): void {
    this.reverse[k]!++;
    this.reverseAt[k] = c;
  }

  /**
   * The criterion of row k's one broken dealbreaker (the same one may break both ways); −1 when
   * none broke, −2 when two criteria did (ignoring one leaves the other broken).
   */
  sole(k: number, steps: readonly Step[]): number {
    const fb = this.forward[k]!;
    const rb = this.reverse[k]!;
    if (fb + rb === 0) return -1;
    if (fb > 1 || rb > 1) return -2;
    const c = fb === 1 ? steps[this.forwardAt[k]!]!.criterion : this.reverseAt[k]!;
    return rb === 1 && this.reverseAt[k] !== c ? -2 : c;
  }
}
