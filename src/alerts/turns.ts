import { setImmediate } from 'node:timers/promises';

/** How long an alert evaluation may hold the event loop before it lets other work run. */
export const TURN_MS = 10;

/** Rows of the other side one piece of a scan covers (one unit of work between pauses). */
export const SCAN_ROWS = 8_192;

/**
 * Splits a long synchronous evaluation into turns of about TURN_MS, between which the event loop
 * runs (requests of other workspaces, timers, I/O). Call `pause()` between units of work that each
 * take well under a turn.
 */
export class Turns {
  private started = performance.now();
  private readonly budgetMs: number;
  readonly scanRows: number;
  /** The longest turn that ended in a pause, in ms (bench/alerts-micro.ts reports it). */
  longest = 0;

  /** Tests pass a budget of 0 (a pause at every unit) and small scan pieces. */
  constructor(budgetMs = TURN_MS, scanRows = SCAN_ROWS) {
    this.budgetMs = budgetMs;
    this.scanRows = scanRows;
  }

  async pause(): Promise<void> {
    const held = performance.now() - this.started;
    if (held < this.budgetMs) return;
    this.longest = Math.max(this.longest, held);
    await setImmediate();
    this.started = performance.now();
  }
}
