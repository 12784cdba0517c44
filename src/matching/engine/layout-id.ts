import type { Layout } from './layout.ts';

const ids = new WeakMap<Layout, number>();
let nextId = 1;

/**
 * A number naming a layout in messages to worker threads (slice-pool.ts, insights-pool.ts): a
 * thread is sent a layout's data once and afterwards only this id.
 */
export function layoutIdOf(layout: Layout): number {
  let id = ids.get(layout);
  if (id === undefined) {
    id = nextId++;
    ids.set(layout, id);
  }
  return id;
}
