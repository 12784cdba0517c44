import type { ProfileStore } from '../matching/engine/columnar-store.ts';
import { pairRow } from '../matching/engine/pair-check.ts';
import { listRowDealbreakers } from '../matching/engine/reverse-dealbreakers.ts';
import { type FloorScanRows, rankAboveFloor } from '../matching/engine/search.ts';
import type { IndexSide, Market, MatchIndex, ProfileState } from '../matching/index.ts';
import type { ScoreMethod } from '../matching/types.ts';
import { FoundPairs } from './found-pairs.ts';
import type { AlertingSide } from './registry.ts';
import { Turns } from './turns.ts';

/**
 * Profiles in stores of their own, per market (MatchIndex.stage, stageIndexed). `affected`, by a
 * profile's id: the only rows of the other side whose pairs with it its write may change
 * (affected-rows.ts); its scans, before the write and after it alike, look at those rows only.
 */
export type Staging = { market: Market; staged: ProfileStore; affected?: ReadonlyMap<string, Uint8Array> }[];

/** Alerting subjects' thresholds: the changed profiles' own by id, and the other side's. */
export interface Thresholds {
  own: ReadonlyMap<string, number>;
  others: AlertingSide;
}

/**
 * With at least one alerting row in this many, one scan of the other side per changed row
 * (restricted to the alerting rows) is cheaper than a pair check per alerting row: the scan costs
 * a fixed 1 ms (100k rows) to 3 ms (1M) plus about 0.5 µs per alerting row, a pair check about
 * 1.2 µs. Measured in process (bench/results/2026-12-04-vm-alerts-job-write-1m.json): the scan
 * wins from about 0.3 % alerting at 1M and 0.5–1 % at 100k.
 */
export const SCAN_EACH_SHARE = 128;

/**
 * From this many changed rows on (a bulk batch), each alerting row of the other side scans the
 * changed rows instead, at its own threshold: one scan per alerting row, where pair checks or a
 * scan per changed row would each visit every alerting row once per changed row.
 */
export const SCAN_CHANGED_FROM = 32;

/** Pair checks between pauses (see Turns). */
const PAIR_CHECKS = 256;

/**
 * Every pair of a changed profile (its `states` as staged: new ones before they are indexed, or
 * the index's rows copied before a write changes them, `staging`) that is
 * reciprocally acceptable with a rounded mutual score at or above an alerting subject's threshold:
 * its own alert's against the other side, and each alerting profile of the other side's against it.
 * The other side is read from the index; the scores are the listings' (same kernel, same rounding).
 *
 * Cost, per market: one scan of the other side for each changed profile with an alert of its own
 * (a listing without a limit, pruned by the threshold); for the other side's alerts, whichever is
 * cheaper of a pair check per (changed, alerting) pair or one scan per changed profile restricted
 * to the alerting rows (`only`: the other rows leave at the filter, before any scoring), each row
 * pruned at its own threshold (`floors`); for a batch of SCAN_CHANGED_FROM changed profiles or more, one scan of the batch
 * per alerting row instead, at that row's threshold (its listing of the batch). The alerting rows
 * come from the registry (src/alerts/registry.ts), resolved to slots once per move of the store's
 * slots, not per evaluation. Hidden pairs (a candidate's privacy) are never pairs.
 * It runs in turns (scans in pieces of `turns.scanRows` rows, pair checks in runs of PAIR_CHECKS), letting
 * the event loop run between them; slots are stable, and under the workspace's market lock the
 * other side changes between turns only by lagging refreshes of writes already committed.
 */
export async function pairsAbove(
  index: MatchIndex,
  workspaceId: string,
  side: IndexSide,
  states: ProfileState[],
  method: ScoreMethod,
  thresholds: Thresholds,
  turns = new Turns(),
  staging: Staging = index.stage(workspaceId, states),
  found = new FoundPairs(side),
): Promise<FoundPairs> {
  const otherSide: IndexSide = side === 'job' ? 'candidate' : 'job';
  const stateOf = new Map(states.map((state) => [state.id, state]));
  for (const { market, staged, affected } of staging) {
    const others = market.store(otherSide);
    // The other side's alerting rows: slots and thresholds, marks by slot (`only`, thresholdAt).
    const alerting = thresholds.others.rowsIn(others);
    const changed = slotsOf(staged);
    // The changed profiles' owner numbers in `found`, by slot.
    const owners: number[] = [];
    for (const s of changed) owners[s] = found.owner(staged.idAt(s));
    // Rows of the other side each changed profile is hidden from (or hides): never a pair.
    const hidden = changed.map((s) =>
      index.hiddenRowsOf(workspaceId, market, side, stateOf.get(found.ownerId(owners[s]!))!),
    );
    const pair = (alertOf: IndexSide, s: number, slot: number, score: number) =>
      found.add(alertOf, owners[s]!, others.ids, slot, score);
    const scanChanged = alerting.count > 0 && changed.length >= SCAN_CHANGED_FROM;
    const scanEach = !scanChanged && alerting.count > 0 && alerting.count * SCAN_EACH_SHARE >= others.size;
    const theirs = alerting.thresholdAt;
    const only = scanEach ? alerting.only : undefined;
    const floors = scanEach ? alerting.thresholdAt : undefined;
    const least = alerting.least;
    // A piece of a scan of the alerting rows spans as many rows as hold turns.scanRows alerting ones.
    const spread = Math.max(1, Math.floor(others.end / Math.max(1, alerting.count)));
    // Each piece's rows are visited before the pause: a scan can find hundreds of thousands.
    const scan = async (
      s: number,
      floor: number,
      rows: FloorScanRows,
      visit: (slot: number, score: number) => void,
    ) => {
      // A piece of a scan of flagged rows spans as many rows as hold turns.scanRows flagged ones.
      const piece = !rows.only
        ? turns.scanRows
        : turns.scanRows * (rows.only === only ? spread : spreadOf(rows.only));
      for (let from = 0; from < others.end; from += piece) {
        const to = Math.min(from + piece, others.end);
        const kept = rankAboveFloor(staged, s, others, method, floor, from, to, rows);
        for (let i = 0; i < kept.slots.length; i++) visit(kept.slots[i]!, kept.scores[i]!);
        await turns.pause();
      }
    };
    // By changed slot: the rows its write may change (undefined: all).
    const mayChange = changed.map((s) => affected?.get(staged.idAt(s)));
    for (const [k, s] of changed.entries()) {
      // A write that changes no row's pair (a job's title) has nothing to scan.
      if (mayChange[k]?.indexOf(1) === -1) continue;
      const own = thresholds.own.get(found.ownerId(owners[s]!));
      // One scan of every row serves both when the own threshold is the lower; otherwise the
      // alerting rows get a scan of their own, each row at its own threshold.
      const both = own !== undefined && scanEach && own <= least;
      if (own !== undefined) {
        await scan(s, own, { excluded: hidden[k], only: mayChange[k] }, (slot, score) => {
          if (score >= own) pair(side, s, slot, score);
          if (both && score >= theirs[slot]!) pair(otherSide, s, slot, score);
        });
      }
      if (!scanEach || both) continue;
      const rows = mayChange[k] ? bothFlagged(only!, mayChange[k]) : only;
      await scan(s, least, { excluded: hidden[k], only: rows, floors }, (slot, score) =>
        pair(otherSide, s, slot, score),
      );
    }
    if (scanEach) continue;
    if (scanChanged) {
      // Each alerting row's own listing of the changed rows, at its threshold.
      const excludedOf = hiddenByRow(changed, hidden, alerting.only);
      // Every scan looks at the same changed rows: their own dealbreakers are listed once.
      const rowDealbreakers = listRowDealbreakers(staged, staged.end);
      for (let a = 0; a < alerting.count; a++) {
        const slot = alerting.slots[a]!;
        if (!others.active[slot]) continue;
        const rows = { excluded: excludedOf.get(slot), rowDealbreakers };
        const kept = rankAboveFloor(
          others,
          slot,
          staged,
          method,
          alerting.thresholds[a]!,
          0,
          staged.end,
          rows,
        );
        for (let i = 0; i < kept.slots.length; i++) pair(otherSide, kept.slots[i]!, slot, kept.scores[i]!);
        await turns.pause();
      }
      continue;
    }
    let checks = 0;
    for (let a = 0; a < alerting.count; a++) {
      const slot = alerting.slots[a]!;
      const threshold = alerting.thresholds[a]!;
      for (const [k, s] of changed.entries()) {
        if (++checks % PAIR_CHECKS === 0) await turns.pause();
        if (!others.active[slot] || hidden[k]?.has(slot) || mayChange[k]?.[slot] === 0) continue;
        const row =
          side === 'job'
            ? pairRow(staged, s, others, slot, method)
            : pairRow(others, slot, staged, s, method);
        if (row && row.score >= threshold) pair(otherSide, s, slot, row.score);
      }
    }
  }
  return found;
}

/**
 * The pairs at `positions` of `pairs` (a write's removed pairs, found before it) with their rounded
 * score now as listings report it (NaN: no listing holds the pair), in order, in turns. The other
 * profiles are looked up by their ids' words: no id string per pair.
 */
export async function scoresNow(
  index: MatchIndex,
  workspaceId: string,
  side: IndexSide,
  states: ProfileState[],
  method: ScoreMethod,
  pairs: FoundPairs,
  positions: Int32Array,
): Promise<Float64Array> {
  const scores = new Float64Array(positions.length).fill(Number.NaN);
  if (positions.length === 0) return scores;
  const turns = new Turns();
  const stateOf = new Map(states.map((state) => [state.id, state]));
  const words = new Uint32Array(4);
  for (const { market, staged } of index.stage(workspaceId, states)) {
    const others = market.store(side === 'job' ? 'candidate' : 'job');
    // By owner number: the changed profile's slot in `staged`, and the rows hidden from it.
    const slots: number[] = [];
    const hidden: (ReadonlySet<number> | undefined)[] = [];
    for (let k = 0; k < positions.length; k++) {
      if (k % PAIR_CHECKS === 0) await turns.pause();
      const i = positions[k]!;
      const owner = pairs.ownerAt(i);
      if (slots[owner] === undefined) {
        const id = pairs.ownerId(owner);
        slots[owner] = staged.slotOf(id);
        if (slots[owner] >= 0)
          hidden[owner] = index.hiddenRowsOf(workspaceId, market, side, stateOf.get(id)!);
      }
      const s = slots[owner]!;
      const other = others.slotOfWords(pairs.otherWordsAt(i, words));
      if (s < 0 || hidden[owner]?.has(other)) continue;
      const row =
        side === 'job'
          ? pairRow(staged, s, others, other, method)
          : pairRow(others, other, staged, s, method);
      if (row) scores[k] = row.score;
    }
  }
  return scores;
}

/** How many rows hold one flagged row, on average (at least 1). */
function spreadOf(flags: Uint8Array): number {
  let flagged = 0;
  for (let o = 0; o < flags.length; o++) flagged += flags[o]!;
  return Math.max(1, Math.floor(flags.length / Math.max(1, flagged)));
}

/** The rows flagged in both. */
function bothFlagged(a: Uint8Array, b: Uint8Array): Uint8Array {
  const rows = new Uint8Array(a.length);
  for (let o = 0; o < rows.length; o++) rows[o] = a[o]! & (b[o] ?? 0);
  return rows;
}

/** The changed rows each alerting row of the other side is hidden from (or hides), by that row's slot. */
function hiddenByRow(
  changed: number[],
  hidden: (ReadonlySet<number> | undefined)[],
  alerting: Uint8Array,
): Map<number, Set<number>> {
  const byRow = new Map<number, Set<number>>();
  for (const [k, s] of changed.entries()) {
    for (const slot of hidden[k] ?? []) {
      if (alerting[slot] !== 1) continue;
      const rows = byRow.get(slot) ?? new Set<number>();
      byRow.set(slot, rows.add(s));
    }
  }
  return byRow;
}

export function slotsOf(store: ProfileStore): number[] {
  const slots: number[] = [];
  for (let s = 0; s < store.end; s++) if (store.active[s]) slots.push(s);
  return slots;
}
