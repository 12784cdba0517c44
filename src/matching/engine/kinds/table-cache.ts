import type { Layout } from '../layout.ts';

/**
 * Tables compiled from a subject's expectation or value, kept for the scans that follow: by the
 * layout and criterion they were made for (which fix the kind's parameters) and a number naming
 * the rest (the subject's expectation or value, and its importance). Looked up by number: a key
 * string per criterion per scan (built, then hashed) cost more than the look-up saved when a scan
 * is short (an alert scanning a bulk batch of 1,000 rows). Past `capacity` (in units of `sizeOf`)
 * the cache starts over; tables already handed out stay valid (they are read only).
 */
export class TableCache<T> {
  private byLayout = new WeakMap<Layout, Map<number, T>[]>();
  private held = 0;
  private readonly capacity: number;
  private readonly sizeOf: (table: T) => number;

  constructor(capacity: number, sizeOf: (table: T) => number) {
    this.capacity = capacity;
    this.sizeOf = sizeOf;
  }

  /** The table of (layout, criterion, key), built by `build` the first time. */
  get(layout: Layout, criterion: number, key: number, build: () => T): T {
    const found = this.byLayout.get(layout)?.[criterion]?.get(key);
    if (found !== undefined) return found;
    const table = build();
    const size = this.sizeOf(table);
    if (this.held + size > this.capacity) {
      this.byLayout = new WeakMap();
      this.held = 0;
    }
    let criteria = this.byLayout.get(layout);
    if (!criteria) {
      criteria = [];
      this.byLayout.set(layout, criteria);
    }
    criteria[criterion] ??= new Map();
    criteria[criterion].set(key, table);
    this.held += size;
    return table;
  }
}
