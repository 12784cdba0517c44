import { LEVEL_BITS, LEVEL_WEIGHTS } from '../levels.ts';
import { addToBatch } from '../row-sums.ts';

/**
 * The reverse loop of the kinds whose row expectation meets the subject's one value in few ways
 * (scale: the row's [min, max] of steps, single: whether the row's set holds the subject's option):
 * per subject, the outcome of every (level, cell) pair is worked out once, by addToBatch itself,
 * into a table of ENTRY doubles per pair — what the row adds to `weighted`, what it takes off
 * `remaining`, and 1 when it breaks (then both are 0) — so each row costs a
 * look-up and no branch on its level. Level 0 (and the level bits no importance uses) adds zeros,
 * which leave the sums as they are: they never hold −0. A table depends only on what `key` names
 * (the kind's cells and the subject's value), so it is built once per key and shared by the listings
 * (read only): building one per listing cost a large share of a small listing.
 */
export function levelTable(key: string, cells: number, satOf: (cell: number) => number): Float64Array {
  let table = tables.get(key);
  if (!table) {
    table = buildTable(cells, satOf);
    if (cached + table.length > MAX_CACHED) {
      tables.clear();
      cached = 0;
    }
    tables.set(key, table);
    cached += table.length;
  }
  return table;
}

/**
 * Doubles of tables kept (16 MB): a questionnaire's criteria and their subjects' values need far
 * fewer, but a scale of 32 steps takes 256 kB a value, so the cache starts over past this.
 */
const MAX_CACHED = 2 * 1024 * 1024;
const tables = new Map<string, Float64Array>();
let cached = 0;

function buildTable(cells: number, satOf: (cell: number) => number): Float64Array {
  const table = new Float64Array((LEVEL_BITS + 1) * cells * ENTRY);
  const [weighted, remaining] = [new Float64Array(1), new Float64Array(1)];
  for (let cell = 0; cell < cells; cell++) {
    const sat = satOf(cell);
    for (let level = 1; level < LEVEL_WEIGHTS.length; level++) {
      const at = (level * cells + cell) * ENTRY;
      weighted[0] = remaining[0] = 0;
      table[at + 2] = addToBatch(0, level, sat, weighted, remaining);
      table[at] = weighted[0];
      table[at + 1] = 0 - remaining[0];
    }
  }
  return table;
}

/** Doubles per (level, cell) entry of a table. */
export const ENTRY = 3;

/** Adds the table's entry `at` (an index × ENTRY) to position k of a batch's sums; returns 1 when the row broke. */
export function addEntry(
  table: Float64Array,
  at: number,
  k: number,
  weighted: Float64Array,
  remaining: Float64Array,
): number {
  weighted[k] = weighted[k]! + table[at]!;
  remaining[k] = remaining[k]! - table[at + 1]!;
  return table[at + 2]!;
}
