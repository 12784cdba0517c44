import type { Layout } from '../layout.ts';
import { LEVEL_BITS, LEVEL_WEIGHTS } from '../levels.ts';
import { addToBatch } from '../row-sums.ts';
import { TableCache } from './table-cache.ts';

/**
 * The reverse loop of the kinds whose row expectation meets the subject's one value in few ways
 * (scale: the row's [min, max] of steps, single: whether the row's set holds the subject's option):
 * per subject, the outcome of every (level, cell) pair is worked out once, by addToBatch itself,
 * into a table of one double per pair — what the row adds to `weighted`, NaN when it breaks — so
 * each row costs a look-up and no branch on its level; what it takes off `remaining` is its
 * level's weight. Level 0 (and the level bits no importance uses) adds zeros, which leave the sums
 * as they are: they never hold −0. A table depends only on the criterion (its kind's cells) and
 * what `key` names (the subject's value), so it is built once per key and shared by the listings
 * (read only, table-cache.ts): building one per listing cost a large share of a small listing.
 */
export function levelTable(
  layout: Layout,
  criterion: number,
  key: number,
  cells: number,
  satOf: (cell: number) => number,
): Float64Array {
  return tables.get(layout, criterion, key, () => buildTable(cells, satOf));
}

/**
 * Doubles of tables kept (16 MB): a questionnaire's criteria and their subjects' values need far
 * fewer, but a scale of 32 steps takes 64 kB a value, so the cache starts over past this.
 */
const MAX_CACHED = 2 * 1024 * 1024;
const tables = new TableCache<Float64Array>(MAX_CACHED, (table) => table.length);

function buildTable(cells: number, satOf: (cell: number) => number): Float64Array {
  const table = new Float64Array((LEVEL_BITS + 1) * cells);
  const [weighted, remaining] = [new Float64Array(1), new Float64Array(1)];
  for (let cell = 0; cell < cells; cell++) {
    const sat = satOf(cell);
    for (let level = 1; level < LEVEL_WEIGHTS.length; level++) {
      weighted[0] = remaining[0] = 0;
      const broke = addToBatch(0, level, sat, weighted, remaining);
      table[level * cells + cell] = broke ? Number.NaN : weighted[0];
    }
  }
  return table;
}

/** Each level's weight, 0 for the level bits no importance uses. */
const WEIGHTS = Float64Array.from({ length: LEVEL_BITS + 1 }, (_, level) => LEVEL_WEIGHTS[level] ?? 0);

/**
 * Adds the table's entry at `cell` (level × cells + the kind's cell) to position k of a batch's
 * sums, the row's `level` weight off its `remaining`; returns 1, the sums left as they were, when
 * the row broke.
 */
export function addEntry(
  table: Float64Array,
  cell: number,
  level: number,
  k: number,
  weighted: Float64Array,
  remaining: Float64Array,
): number {
  const gain = table[cell]!;
  if (Number.isNaN(gain)) return 1;
  weighted[k] = weighted[k]! + gain;
  remaining[k] = remaining[k]! - WEIGHTS[level]!;
  return 0;
}
