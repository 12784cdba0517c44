import type { MatchIndex } from '../matching/index.ts';
import type { ScoreMethod } from '../matching/types.ts';
import type { AllocationInput } from './types.ts';

/** How many acceptable candidates one job's list can hold (the allocation core's list limit). */
const MAX_LIST = 1_000;

/**
 * Preferences from the matching (docs/matching.md#stable-allocation): over the reciprocally acceptable pairs of these open
 * jobs, each candidate ranks jobs by its own satisfaction and each job ranks candidates by the
 * employer's, ties by id. Jobs that are closed or unanswered take no part.
 */
export function preferencesFromMatches(
  index: MatchIndex,
  workspaceId: string,
  jobs: { id: string; capacity: number }[],
  method: ScoreMethod,
  onlyCandidates?: ReadonlySet<string>,
): AllocationInput {
  const candidateLists = new Map<string, { jobId: string; satisfaction: number }[]>();
  const jobInputs: AllocationInput['jobs'] = [];
  for (const job of jobs) {
    const list = index.matchesOf(workspaceId, 'job', job.id, { limit: MAX_LIST, method });
    if (!list) continue;
    const rows = list.rows
      .filter((row) => !onlyCandidates || onlyCandidates.has(row.id))
      .sort((a, b) => b.subjectSatisfaction - a.subjectSatisfaction || compare(a.id, b.id));
    jobInputs.push({ id: job.id, capacity: job.capacity, preferences: rows.map((row) => row.id) });
    for (const row of rows) {
      const entries = candidateLists.get(row.id) ?? [];
      entries.push({ jobId: job.id, satisfaction: row.otherSatisfaction });
      candidateLists.set(row.id, entries);
    }
  }
  const candidates = [...candidateLists].map(([id, entries]) => ({
    id,
    preferences: entries
      .sort((a, b) => b.satisfaction - a.satisfaction || compare(a.jobId, b.jobId))
      .map((entry) => entry.jobId),
  }));
  return { candidates, jobs: jobInputs };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
