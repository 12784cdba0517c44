/**
 * Allocation inputs and results as a few typed arrays and one array of distinct ids: what the
 * allocation thread (see off-thread.ts) is handed. Typed arrays are transferred, not copied, so
 * the request's thread spends one map look-up per preference entry, not a deep copy of the input.
 */

import { IdNumbering } from '../id-numbering.ts';
import type { AllocationInput, AllocationResult } from './types.ts';

/** Flat lists: the entries of owner `i` are `items[offsets[i]]` to `items[offsets[i + 1] - 1]`. */
export interface FlatLists {
  offsets: Int32Array;
  items: Int32Array;
}

export interface EncodedInput {
  /** every distinct id met in the input; the arrays hold indexes into it */
  ids: string[];
  candidates: Int32Array;
  candidatePreferences: FlatLists;
  jobs: Int32Array;
  capacities: Float64Array;
  jobPreferences: FlatLists;
}

/** Candidates' preferences still to be built: each offer is (candidate, job, the candidate's satisfaction). */
export interface Offers {
  candidate: Int32Array;
  job: Int32Array;
  satisfaction: Float64Array;
}

export interface EncodedResult {
  /** (job, candidate) index pairs */
  assignments: Int32Array;
  unassigned: Int32Array;
  blockingPairs: number;
}

/** Each owner's ids as numbers, in one flat array. */
function flatRefs(owners: readonly { preferences: readonly string[] }[], numbering: IdNumbering): FlatLists {
  const offsets = new Int32Array(owners.length + 1);
  for (let i = 0; i < owners.length; i++) offsets[i + 1] = offsets[i]! + owners[i]!.preferences.length;
  const items = new Int32Array(offsets[owners.length]!);
  let at = 0;
  for (const owner of owners) for (const id of owner.preferences) items[at++] = numbering.of(id);
  return { offsets, items };
}

export function encodeInput(input: AllocationInput): EncodedInput {
  const numbering = new IdNumbering();
  return {
    candidates: Int32Array.from(input.candidates, (c) => numbering.of(c.id)),
    jobs: Int32Array.from(input.jobs, (j) => numbering.of(j.id)),
    capacities: Float64Array.from(input.jobs, (j) => j.capacity),
    candidatePreferences: flatRefs(input.candidates, numbering),
    jobPreferences: flatRefs(input.jobs, numbering),
    ids: numbering.ids,
  };
}

export function decodeInput(encoded: EncodedInput): AllocationInput {
  const { ids } = encoded;
  const list = ({ offsets, items }: FlatLists, i: number) =>
    Array.from(items.subarray(offsets[i]!, offsets[i + 1]!), (n) => ids[n]!);
  return {
    candidates: Array.from(encoded.candidates, (n, i) => ({
      id: ids[n]!,
      preferences: list(encoded.candidatePreferences, i),
    })),
    jobs: Array.from(encoded.jobs, (n, i) => ({
      id: ids[n]!,
      capacity: encoded.capacities[i]!,
      preferences: list(encoded.jobPreferences, i),
    })),
  };
}

export function encodeResult(ids: readonly string[], result: AllocationResult, blockingPairs: number) {
  const numbers = new Map(ids.map((id, n) => [id, n]));
  const assignments = new Int32Array(2 * result.assignments.length);
  result.assignments.forEach(({ jobId, candidateId }, i) => {
    assignments[2 * i] = numbers.get(jobId)!;
    assignments[2 * i + 1] = numbers.get(candidateId)!;
  });
  const unassigned = Int32Array.from(result.unassigned, (id) => numbers.get(id)!);
  return { assignments, unassigned, blockingPairs };
}

export function decodeResult(ids: readonly string[], encoded: EncodedResult): AllocationResult {
  const assignments = Array.from({ length: encoded.assignments.length / 2 }, (_, i) => ({
    jobId: ids[encoded.assignments[2 * i]!]!,
    candidateId: ids[encoded.assignments[2 * i + 1]!]!,
  }));
  return { assignments, unassigned: Array.from(encoded.unassigned, (n) => ids[n]!) };
}

/** The buffers of typed arrays, to transfer with postMessage. */
export function buffersOf(...arrays: (Int32Array | Float64Array)[]): ArrayBuffer[] {
  return arrays.map((array) => array.buffer as ArrayBuffer);
}
