/**
 * Candidate-proposing deferred acceptance with capacities (Gale–Shapley, hospitals/residents):
 * the candidate-optimal stable allocation. A pair is possible only when each side lists the other.
 *
 * Ids are mapped to dense integers once and every list then lives in flat Int32Arrays (CSR). Each
 * job answers "what rank do I give candidate c?" from a small hash table built from its list, and
 * holds its tentative candidates in a bounded max-heap of ranks, worst on top, so a better proposer
 * displaces the worst in O(log capacity). Free candidates wait on an Int32Array stack. Memory is
 * linear in the number of preference entries; time is E map look-ups plus O(P log capacity) for
 * P ≤ E proposals. The result does not depend on the order of proposals (nor of the input).
 */
import type { AllocationInput, AllocationResult, Assignment } from './types.ts';

/** Flat lists: the entries of owner `i` are `items[offsets[i]]` to `items[offsets[i + 1] - 1]`. */
interface Lists {
  offsets: Int32Array;
  items: Int32Array;
}

function indexIds(owners: readonly { id: string }[]): Map<string, number> {
  const index = new Map<string, number>();
  for (let i = 0; i < owners.length; i++) index.set(owners[i]!.id, i);
  return index;
}

function toLists(owners: readonly { preferences: string[] }[], targets: ReadonlyMap<string, number>): Lists {
  const offsets = new Int32Array(owners.length + 1);
  let total = 0;
  for (let i = 0; i < owners.length; i++) {
    offsets[i] = total;
    total += owners[i]!.preferences.length;
  }
  offsets[owners.length] = total;
  const items = new Int32Array(total);
  for (let i = 0; i < owners.length; i++) {
    const list = owners[i]!.preferences;
    const base = offsets[i]!;
    for (let k = 0; k < list.length; k++) {
      const target = targets.get(list[k]!);
      if (target === undefined) {
        throw new RangeError(`allocate: unknown id in a preference list; run validateAllocationInput first`);
      }
      items[base + k] = target;
    }
  }
  return { offsets, items };
}

/**
 * Per-job open-addressing hash tables, candidate → the rank the job gives it (0 = its favourite),
 * stored as interleaved (candidate, rank) slots in one array. Each job's table is built from its
 * own list and stays small, so building and probing it touches little memory.
 */
interface RankTables {
  /** Job j's slots are `slots[2 * start[j]]` up to `slots[2 * start[j + 1]]`; empty ones hold -1. */
  start: Int32Array;
  slots: Int32Array;
  /** Right shift that turns a 32-bit multiplicative hash into a slot number, per job. */
  shift: Uint8Array;
}

const GOLDEN = 0x9e3779b1;

function rankTables(jobLists: Lists, jobCount: number): RankTables {
  const { offsets, items } = jobLists;
  const start = new Int32Array(jobCount + 1);
  const shift = new Uint8Array(jobCount);
  for (let j = 0; j < jobCount; j++) {
    const listed = offsets[j + 1]! - offsets[j]!;
    // A power of two of at least 2 slots, at most 3/4 full.
    let size = 2;
    while (size * 3 < listed * 4) size *= 2;
    shift[j] = Math.clz32(size) + 1;
    start[j + 1] = start[j]! + (listed === 0 ? 0 : size);
  }
  const slots = new Int32Array(2 * start[jobCount]!).fill(-1);
  for (let j = 0; j < jobCount; j++) {
    const base = offsets[j]!;
    const first = start[j]!;
    const mask = start[j + 1]! - first - 1;
    for (let e = base; e < offsets[j + 1]!; e++) {
      const c = items[e]!;
      let slot = Math.imul(c, GOLDEN) >>> shift[j]!;
      while (slots[2 * (first + slot)] !== -1 && slots[2 * (first + slot)] !== c) slot = (slot + 1) & mask;
      slots[2 * (first + slot)] = c;
      slots[2 * (first + slot) + 1] = e - base;
    }
  }
  return { start, slots, shift };
}

/** The rank job j gives candidate c, or -1 when j does not list c. */
function rankOf(tables: RankTables, j: number, c: number): number {
  const { start, slots } = tables;
  const first = start[j]!;
  const mask = start[j + 1]! - first - 1;
  if (mask < 0) return -1;
  let slot = Math.imul(c, GOLDEN) >>> tables.shift[j]!;
  for (;;) {
    const key = slots[2 * (first + slot)]!;
    if (key === c) return slots[2 * (first + slot) + 1]!;
    if (key === -1) return -1;
    slot = (slot + 1) & mask;
  }
}

function siftDown(heap: Int32Array, base: number, size: number): void {
  let i = 0;
  const value = heap[base]!;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= size) break;
    const right = left + 1;
    const child = right < size && heap[base + right]! > heap[base + left]! ? right : left;
    if (heap[base + child]! <= value) break;
    heap[base + i] = heap[base + child]!;
    i = child;
  }
  heap[base + i] = value;
}

function siftUp(heap: Int32Array, base: number, at: number): void {
  let i = at;
  const value = heap[base + i]!;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[base + parent]! >= value) break;
    heap[base + i] = heap[base + parent]!;
    i = parent;
  }
  heap[base + i] = value;
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The candidate-optimal stable allocation of a valid input (see `validateAllocationInput`):
 * assignments sorted by jobId then candidateId, unassigned candidates sorted (code-unit order).
 */
export function allocate(input: AllocationInput): AllocationResult {
  const { candidates, jobs } = input;
  const n = candidates.length;
  const m = jobs.length;
  const candidateLists = toLists(candidates, indexIds(jobs));
  const jobLists = toLists(jobs, indexIds(candidates));
  const tables = rankTables(jobLists, m);
  const { offsets: listStart, items: listJob } = candidateLists;
  const { offsets: jobStart, items: jobCandidate } = jobLists;

  // One heap of held ranks per job, sized to what it can ever hold.
  const heapStart = new Int32Array(m + 1);
  for (let j = 0; j < m; j++) {
    const listed = jobStart[j + 1]! - jobStart[j]!;
    const capacity = jobs[j]!.capacity;
    heapStart[j + 1] = heapStart[j]! + (capacity >= 1 ? Math.min(Math.floor(capacity), listed) : 0);
  }
  const heap = new Int32Array(heapStart[m]!);
  const held = new Int32Array(m);

  // Free candidates on a stack; `next[c]` is the list entry c proposes to next.
  const next = listStart.slice(0, n);
  const free = new Int32Array(n);
  let top = 0;
  for (let c = n - 1; c >= 0; c--) free[top++] = c;
  while (top > 0) {
    const c = free[--top]!;
    const end = listStart[c + 1]!;
    let k = next[c]!;
    for (; k < end; k++) {
      const j = listJob[k]!;
      const rank = rankOf(tables, j, c);
      if (rank < 0) continue; // the job does not list c
      const base = heapStart[j]!;
      const seats = heapStart[j + 1]! - base;
      const size = held[j]!;
      if (size < seats) {
        heap[base + size] = rank;
        held[j] = size + 1;
        siftUp(heap, base, size);
        break;
      }
      if (seats > 0 && rank < heap[base]!) {
        free[top++] = jobCandidate[jobStart[j]! + heap[base]!]!;
        heap[base] = rank;
        siftDown(heap, base, size);
        break;
      }
    }
    next[c] = k < end ? k + 1 : end;
  }

  const assigned = new Uint8Array(n);
  const jobOrder = Array.from({ length: m }, (_, j) => j).sort((a, b) =>
    byCodeUnits(jobs[a]!.id, jobs[b]!.id),
  );
  const assignments: Assignment[] = [];
  for (const j of jobOrder) {
    const jobId = jobs[j]!.id;
    const base = heapStart[j]!;
    const ids: string[] = [];
    for (let h = 0; h < held[j]!; h++) {
      const c = jobCandidate[jobStart[j]! + heap[base + h]!]!;
      assigned[c] = 1;
      ids.push(candidates[c]!.id);
    }
    ids.sort(byCodeUnits);
    for (const candidateId of ids) assignments.push({ jobId, candidateId });
  }
  const unassigned: string[] = [];
  for (let c = 0; c < n; c++) if (assigned[c] === 0) unassigned.push(candidates[c]!.id);
  unassigned.sort(byCodeUnits);
  return { assignments, unassigned };
}
