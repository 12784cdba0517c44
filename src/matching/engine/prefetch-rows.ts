import type { RowArrays } from './layout.ts';

/**
 * Reading ahead, in loops that only load, what scoring a batch of rows will read. A batch's rows are
 * scattered over the store (tens of MB at 100k profiles), so the first read of each of a row's cache
 * lines misses the CPU caches and, with 4 kB pages, often the TLB too. In the scoring loops every
 * miss stalls a long loop body and few misses overlap; a loop that does nothing but load keeps many
 * in flight, and the scoring loops after it find the lines in the cache (bench/README.md,
 * 2026-12-06: the ranking's CPU at 100k fell by about a tenth). The loaded values are folded into
 * `sink`, which the compiler cannot prove unused, so the loads stay.
 */

/** A cache line's bytes: reading one byte of each line brings in the line. */
const LINE = 64;

const sink = { folded: 0 };

/** Loads every cache line of the expectation records of `rows[0..count)` (what S(row→subject) reads). */
export function prefetchRecords(store: RowArrays, rows: Int32Array, count: number): void {
  const { levels } = store;
  const bytes = store.layout.record.bytes;
  let folded = 0;
  for (let k = 0; k < count; k++) {
    const at = rows[k]! * bytes;
    for (let offset = 0; offset < bytes; offset += LINE) folded ^= levels[at + offset]!;
    folded ^= levels[at + bytes - 1]!;
  }
  sink.folded ^= folded;
}

/** Loads every value cell of `rows[0..count)`, one per column (what S(subject→row) reads). */
export function prefetchValues(store: RowArrays, rows: Int32Array, count: number): void {
  const { codes, masks, nums, ratings, capacity } = store;
  const strides = store.layout.strides;
  let folded = 0;
  let numbers = 0;
  for (let k = 0; k < count; k++) {
    const o = rows[k]!;
    for (let c = 0; c < strides.codes; c++) folded ^= codes[c * capacity + o]!;
    for (let c = 0; c < strides.masks; c++) folded ^= masks[c * capacity + o]!;
    for (let c = 0; c < strides.nums; c++) numbers += nums[c * capacity + o]!;
    for (let c = 0; c < strides.ratings; c++) folded ^= ratings[c * capacity + o]!;
  }
  sink.folded ^= folded ^ +(numbers > 0);
}
