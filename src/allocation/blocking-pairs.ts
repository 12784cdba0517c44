/**
 * Independent checks of an allocation, written apart from `allocate` and sharing nothing with it:
 * whether it is a valid allocation of the input, and how many blocking pairs it leaves.
 */
import type { AllocationInput, AllocationResult } from './types.ts';

function numberIds(owners: readonly { id: string }[]): Map<string, number> {
  const numbers = new Map<string, number>();
  owners.forEach((owner, i) => {
    if (!numbers.has(owner.id)) numbers.set(owner.id, i);
  });
  return numbers;
}

/**
 * What makes `result` an invalid allocation of `input` (empty when valid): unknown ids, a
 * candidate assigned twice or both assigned and unassigned, a candidate missing from the result,
 * a job over its capacity, a pair that one side does not list.
 */
export function allocationViolations(input: AllocationInput, result: AllocationResult): string[] {
  const violations: string[] = [];
  const candidateNo = numberIds(input.candidates);
  const jobNo = numberIds(input.jobs);
  const seen = new Map<string, string>();
  const byJob = new Map<number, Set<string>>();
  for (const { jobId, candidateId } of result.assignments) {
    const j = jobNo.get(jobId);
    const c = candidateNo.get(candidateId);
    if (j === undefined) violations.push(`assignment to unknown job ${JSON.stringify(jobId)}`);
    if (c === undefined) violations.push(`assignment of unknown candidate ${JSON.stringify(candidateId)}`);
    if (j === undefined || c === undefined) continue;
    const before = seen.get(candidateId);
    if (before !== undefined)
      violations.push(`candidate ${candidateId} is ${before} and also assigned to ${jobId}`);
    seen.set(candidateId, `assigned to ${jobId}`);
    if (!input.candidates[c]!.preferences.includes(jobId)) {
      violations.push(`candidate ${candidateId} does not list job ${jobId}, its assignment`);
    }
    const group = byJob.get(j) ?? new Set<string>();
    group.add(candidateId);
    byJob.set(j, group);
  }
  for (const candidateId of result.unassigned) {
    if (!candidateNo.has(candidateId))
      violations.push(`unknown unassigned candidate ${JSON.stringify(candidateId)}`);
    const before = seen.get(candidateId);
    if (before !== undefined) violations.push(`candidate ${candidateId} is ${before} and also unassigned`);
    seen.set(candidateId, 'unassigned');
  }
  for (const candidate of input.candidates) {
    if (!seen.has(candidate.id)) violations.push(`candidate ${candidate.id} is missing from the result`);
  }
  for (const [j, group] of byJob) {
    const job = input.jobs[j]!;
    if (group.size > job.capacity) {
      violations.push(`job ${job.id} holds ${group.size} candidates, over its capacity ${job.capacity}`);
    }
    const listed = job.preferences.filter((id) => group.has(id)).length;
    if (listed < group.size)
      violations.push(`job ${job.id} holds ${group.size - listed} candidate(s) it does not list`);
  }
  return violations;
}

export function isValidAllocation(input: AllocationInput, result: AllocationResult): boolean {
  return allocationViolations(input, result).length === 0;
}

function contains(sorted: Float64Array, key: number): boolean {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! < key) low = mid + 1;
    else high = mid;
  }
  return low < sorted.length && sorted[low] === key;
}

/**
 * The number of pairs (c, j) that list each other, where c is unassigned or prefers j to its
 * assignment, and j has a free seat or prefers c to the worst candidate it holds. Expects a
 * valid allocation (see `allocationViolations`).
 *
 * The job side yields the set of pairs each job would take over what it has, as sorted numeric
 * keys; each candidate then looks up the jobs it ranks above its own assignment in that set.
 */
export function countBlockingPairs(input: AllocationInput, result: AllocationResult): number {
  const { candidates, jobs } = input;
  const jobCount = jobs.length;
  const candidateNo = numberIds(candidates);
  const jobNo = numberIds(jobs);
  const jobOf = new Int32Array(candidates.length).fill(-1);
  const taken = new Int32Array(jobCount);
  for (const { jobId, candidateId } of result.assignments) {
    const c = candidateNo.get(candidateId);
    const j = jobNo.get(jobId);
    if (c === undefined || j === undefined) continue;
    jobOf[c] = j;
    taken[j]!++;
  }

  const wanted: number[] = [];
  const listed = new Int32Array(1024);
  for (let j = 0; j < jobCount; j++) {
    const list = jobs[j]!.preferences;
    const numbers = list.length <= listed.length ? listed : new Int32Array(list.length);
    let worst = -1;
    for (let r = 0; r < list.length; r++) {
      const c = candidateNo.get(list[r]!) ?? -1;
      numbers[r] = c;
      if (c >= 0 && jobOf[c] === j) worst = r;
    }
    const limit = taken[j]! < jobs[j]!.capacity ? list.length : worst;
    for (let r = 0; r < limit; r++) {
      const c = numbers[r]!;
      if (c >= 0 && jobOf[c] !== j) wanted.push(c * jobCount + j);
    }
  }
  const wantedKeys = Float64Array.from(wanted).sort();

  let blocking = 0;
  for (let c = 0; c < candidates.length; c++) {
    const list = candidates[c]!.preferences;
    const own = jobOf[c]!;
    const at = own < 0 ? -1 : list.indexOf(jobs[own]!.id);
    const cut = at < 0 ? list.length : at;
    for (let k = 0; k < cut; k++) {
      const j = jobNo.get(list[k]!);
      if (j !== undefined && contains(wantedKeys, c * jobCount + j)) blocking++;
    }
  }
  return blocking;
}
