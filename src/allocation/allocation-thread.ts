/** The allocation thread (see off-thread.ts): checks, allocates and counts blocking pairs off the event loop. */
import { parentPort } from 'node:worker_threads';
import { countBlockingPairs } from './blocking-pairs.ts';
import { allocate } from './deferred-acceptance.ts';
import { buffersOf, decodeInput, type EncodedInput, encodeResult, type Offers } from './encoding.ts';
import type { AllocationInput } from './types.ts';
import { validateAllocationInput } from './validate.ts';

export interface AllocationTask {
  input: EncodedInput;
  /** preferences from the matches: the candidates and their lists are built from these */
  offers?: Offers | undefined;
  /** explicit input: check it first (answering its problems instead of an allocation) */
  validate: boolean;
}

/** Each offer's candidate ranks its jobs by its satisfaction, best first, ties by job id. */
function withCandidateLists(input: AllocationInput, ids: readonly string[], offers: Offers): AllocationInput {
  const lists = new Map<number, number[]>();
  for (let k = 0; k < offers.candidate.length; k++) {
    const list = lists.get(offers.candidate[k]!);
    if (list) list.push(k);
    else lists.set(offers.candidate[k]!, [k]);
  }
  const jobId = (k: number) => ids[offers.job[k]!]!;
  const candidates = [...lists].map(([candidate, entries]) => ({
    id: ids[candidate]!,
    preferences: entries
      .sort((a, b) => offers.satisfaction[b]! - offers.satisfaction[a]! || compare(jobId(a), jobId(b)))
      .map(jobId),
  }));
  return { ...input, candidates };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

parentPort?.on('message', (task: AllocationTask) => {
  try {
    const decoded = decodeInput(task.input);
    const input = task.offers ? withCandidateLists(decoded, task.input.ids, task.offers) : decoded;
    const problems = task.validate ? validateAllocationInput(input) : [];
    if (problems.length > 0) {
      parentPort?.postMessage({ problems });
      return;
    }
    const result = allocate(input);
    const encoded = encodeResult(task.input.ids, result, countBlockingPairs(input, result));
    parentPort?.postMessage({ result: encoded }, buffersOf(encoded.assignments, encoded.unassigned));
  } catch (error) {
    parentPort?.postMessage({
      failure: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
