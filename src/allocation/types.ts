/** Shapes of the stable allocation core (docs/matching.md#stable-allocation). */

/** A candidate and the jobs it would accept, most preferred first. */
export interface AllocationCandidate {
  id: string;
  preferences: string[];
}

/** A job, how many candidates it takes, and the candidates it would accept, most preferred first. */
export interface AllocationJob {
  id: string;
  capacity: number;
  preferences: string[];
}

/** Explicit two-sided preferences. A pair is possible only when each side lists the other. */
export interface AllocationInput {
  candidates: AllocationCandidate[];
  jobs: AllocationJob[];
}

export interface Assignment {
  jobId: string;
  candidateId: string;
}

/** Assignments sorted by jobId then candidateId, unassigned candidates sorted (code-unit order). */
export interface AllocationResult {
  assignments: Assignment[];
  unassigned: string[];
}

/**
 * One thing wrong with an input, where `path` points into it, e.g. `candidates[3].preferences[7]`;
 * `''` is the input as a whole (a limit on all entries, or the count of problems left unlisted).
 */
export interface AllocationProblem {
  path: string;
  message: string;
}
