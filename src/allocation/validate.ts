/**
 * Checks an explicit allocation input before `allocate` runs on it: ids, capacities, preference
 * lists and size limits. Every problem carries the path of the offending value.
 */
import type { AllocationInput, AllocationProblem } from './types.ts';

export const ALLOCATION_LIMITS = {
  candidates: 200_000,
  jobs: 50_000,
  /** Entries in one preference list. */
  listEntries: 1_000,
  /** Preference entries over all candidates and jobs. */
  totalEntries: 20_000_000,
  idLength: 64,
  /** Problems listed one by one; the rest are summed up in a final entry. */
  problems: 100,
} as const;

interface Problems {
  add(path: string, message: string): void;
  count(): number;
  done(): AllocationProblem[];
}

function collector(max: number): Problems {
  const list: AllocationProblem[] = [];
  let more = 0;
  return {
    add(path, message) {
      if (list.length < max) list.push({ path, message });
      else more++;
    },
    count: () => list.length + more,
    done() {
      if (more > 0) list.push({ path: '', message: `… and ${more} more problem${more === 1 ? '' : 's'}` });
      return list;
    },
  };
}

/** A value quoted for a message, cut short when long. */
function quote(value: unknown): string {
  if (typeof value !== 'string') return String(JSON.stringify(value) ?? value);
  const cut =
    value.length > ALLOCATION_LIMITS.idLength ? `${value.slice(0, ALLOCATION_LIMITS.idLength)}…` : value;
  return JSON.stringify(cut);
}

function checkId(id: unknown, path: string, problems: Problems): void {
  if (typeof id !== 'string' || id.length === 0) {
    problems.add(path, 'must be a non-empty string');
  } else if (id.length > ALLOCATION_LIMITS.idLength) {
    problems.add(path, `is ${id.length} characters long; at most ${ALLOCATION_LIMITS.idLength} are allowed`);
  }
}

/** Maps each id to the index of its first holder, reporting the later holders as duplicates. */
function indexIds(items: readonly { id: string }[], side: 'candidates' | 'jobs', problems: Problems) {
  const index = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const id = items[i]!.id;
    checkId(id, `${side}[${i}].id`, problems);
    const first = index.get(id);
    if (first === undefined) index.set(id, i);
    else problems.add(`${side}[${i}].id`, `duplicates ${side}[${first}].id (${quote(id)})`);
  }
  return index;
}

/**
 * Checks each list of one side against the other side's ids: unknown ids and repeated entries.
 * `stamp`/`firstAt` are scratch arrays over the other side, so the whole pass is linear.
 */
function checkLists(
  owners: readonly { preferences: string[] }[],
  side: 'candidates' | 'jobs',
  otherIndex: ReadonlyMap<string, number>,
  otherSize: number,
  problems: Problems,
): void {
  const other = side === 'candidates' ? 'job' : 'candidate';
  const stamp = new Int32Array(otherSize).fill(-1);
  const firstAt = new Int32Array(otherSize);
  for (let i = 0; i < owners.length; i++) {
    const list = owners[i]!.preferences;
    const path = `${side}[${i}].preferences`;
    if (!Array.isArray(list)) {
      problems.add(path, 'must be an array of ids');
      continue;
    }
    if (list.length > ALLOCATION_LIMITS.listEntries) {
      problems.add(path, `has ${list.length} entries; at most ${ALLOCATION_LIMITS.listEntries} are allowed`);
    }
    for (let k = 0; k < list.length; k++) {
      const id = list[k]!;
      const target = otherIndex.get(id);
      if (target === undefined) {
        problems.add(`${path}[${k}]`, `names ${other} ${quote(id)}, which is not in the input`);
      } else if (stamp[target] === i) {
        problems.add(`${path}[${k}]`, `repeats ${other} ${quote(id)} (first at ${path}[${firstAt[target]}])`);
      } else {
        stamp[target] = i;
        firstAt[target] = k;
      }
    }
  }
}

function entryCount(owners: readonly { preferences: string[] }[]): number {
  let total = 0;
  for (const owner of owners) if (Array.isArray(owner.preferences)) total += owner.preferences.length;
  return total;
}

/** All problems of an input (the first `ALLOCATION_LIMITS.problems` of them); empty when it is valid. */
export function validateAllocationInput(input: AllocationInput): AllocationProblem[] {
  const problems = collector(ALLOCATION_LIMITS.problems);
  const { candidates, jobs } = input;
  if (!Array.isArray(candidates)) problems.add('candidates', 'must be an array');
  if (!Array.isArray(jobs)) problems.add('jobs', 'must be an array');
  if (!Array.isArray(candidates) || !Array.isArray(jobs)) return problems.done();

  // Sizes first: an input over a limit is refused before its entries are looked at.
  if (candidates.length > ALLOCATION_LIMITS.candidates) {
    problems.add(
      'candidates',
      `has ${candidates.length} entries; at most ${ALLOCATION_LIMITS.candidates} are allowed`,
    );
  }
  if (jobs.length > ALLOCATION_LIMITS.jobs) {
    problems.add('jobs', `has ${jobs.length} entries; at most ${ALLOCATION_LIMITS.jobs} are allowed`);
  }
  const total = entryCount(candidates) + entryCount(jobs);
  if (total > ALLOCATION_LIMITS.totalEntries) {
    problems.add(
      '',
      `has ${total} preference entries in all; at most ${ALLOCATION_LIMITS.totalEntries} are allowed`,
    );
  }
  if (problems.count() > 0) return problems.done();

  const candidateIndex = indexIds(candidates, 'candidates', problems);
  const jobIndex = indexIds(jobs, 'jobs', problems);
  for (let j = 0; j < jobs.length; j++) {
    const capacity = jobs[j]!.capacity;
    // 0 is a job with no place left this round: it takes nobody, its candidates go elsewhere.
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      problems.add(`jobs[${j}].capacity`, `must be an integer ≥ 0, got ${quote(capacity)}`);
    }
  }
  checkLists(candidates, 'candidates', jobIndex, jobs.length, problems);
  checkLists(jobs, 'jobs', candidateIndex, candidates.length, problems);
  return problems.done();
}
