import type { ProfileStore } from './columnar-store.ts';
import type { KeptRow, RankRequest } from './search.ts';
import { compareIds } from './uuid-words.ts';

/**
 * The best `limit + 1` of the rows kept by the rankings of disjoint slices of the rows (each the
 * slice's best `limit + 1`, best first), best first: the list one ranking of all rows would keep.
 */
export function mergeSlices(
  lists: readonly KeptRow[][],
  others: ProfileStore,
  request: RankRequest,
): KeptRow[] {
  return lists
    .flat()
    .sort((a, b) =>
      a.score !== b.score ? b.score - a.score : compareIds(others.ids, a.slot, others.ids, b.slot),
    )
    .slice(0, request.limit + 1);
}
