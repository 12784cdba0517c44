import { rankRange } from './search.ts';
import { DONE, FAILED, type RankJob } from './slice-job.ts';
import { ThreadStores } from './thread-stores.ts';

/**
 * What a rank worker thread does with a job (slice-worker.ts): ranks its range of the shared
 * stores and sets its answer's state. Returns the function that answers each job; it keeps the
 * layouts sent so far (a job carries its layout only the first time a thread meets it).
 */
export function rankJobAnswerer(): (job: RankJob) => void {
  const stores = new ThreadStores();
  return (job) => {
    const { state, results } = job;
    // Pairs with the parent's Atomics.store before it posted the job: every write the parent made
    // to the stores' shared arrays before then is visible here.
    Atomics.load(state, 0);
    try {
      const { subject, others } = stores.of(job);
      const kept = rankRange(subject, job.s, others, job.request, job.from, job.to);
      kept.forEach((row, i) => {
        results.set([row.slot, row.score, row.s1, row.s2], 4 * i);
      });
      Atomics.store(state, 1, kept.length);
      Atomics.store(state, 0, DONE);
    } catch {
      Atomics.store(state, 0, FAILED);
    }
    Atomics.notify(state, 0);
  };
}
