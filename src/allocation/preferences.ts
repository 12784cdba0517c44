import { setImmediate as nextTurn } from 'node:timers/promises';
import { IdNumbering } from '../id-numbering.ts';
import type { MatchIndex } from '../matching/index.ts';
import type { ScoreMethod } from '../matching/types.ts';
import type { AllocationTask } from './allocation-thread.ts';

/** How many acceptable candidates one job's list can hold (the allocation core's list limit). */
const MAX_LIST = 1_000;

/**
 * Preferences from the matching (docs/matching.md#stable-allocation): over the reciprocally acceptable pairs of these open
 * jobs, each job ranks candidates by the employer's satisfaction and each candidate (on the
 * allocation thread, from the offers) ranks jobs by its own, ties by id. Jobs that are closed or
 * unanswered take no part. Each job's listing is ranked whole on a rank thread while the event
 * loop goes on (MatchIndex.matchesOfAway); without one, on the event loop, one listing per turn:
 * other requests are served between them.
 */
export async function preferencesFromMatches(
  index: MatchIndex,
  workspaceId: string,
  jobs: { id: string; capacity: number }[],
  method: ScoreMethod,
  onlyCandidates?: ReadonlySet<string>,
): Promise<AllocationTask> {
  const numbering = new IdNumbering();
  const jobRefs: number[] = [];
  const capacities: number[] = [];
  const offsets = [0];
  const items: number[] = [];
  const offers = { candidate: [] as number[], job: [] as number[], satisfaction: [] as number[] };
  for (const job of jobs) {
    await nextTurn();
    const request = { limit: MAX_LIST, method };
    const list = await index.matchesOfAway(workspaceId, 'job', job.id, request, { among: onlyCandidates });
    if (!list) continue;
    const rows = list.rows.sort(
      (a, b) => b.subjectSatisfaction - a.subjectSatisfaction || compare(a.id, b.id),
    );
    const jobRef = numbering.of(job.id);
    jobRefs.push(jobRef);
    capacities.push(job.capacity);
    for (const row of rows) {
      const candidate = numbering.of(row.id);
      items.push(candidate);
      offers.candidate.push(candidate);
      offers.job.push(jobRef);
      offers.satisfaction.push(row.otherSatisfaction);
    }
    offsets.push(items.length);
  }
  return {
    input: {
      ids: numbering.ids,
      candidates: new Int32Array(0),
      candidatePreferences: { offsets: new Int32Array(1), items: new Int32Array(0) },
      jobs: Int32Array.from(jobRefs),
      capacities: Float64Array.from(capacities),
      jobPreferences: { offsets: Int32Array.from(offsets), items: Int32Array.from(items) },
    },
    offers: {
      candidate: Int32Array.from(offers.candidate),
      job: Int32Array.from(offers.job),
      satisfaction: Float64Array.from(offers.satisfaction),
    },
    validate: false,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
