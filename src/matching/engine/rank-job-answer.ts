import { rankRange } from './search.ts';
import { BY_PARENT, BY_THREAD, CLAIM, DONE, FAILED, type RankJob, SKIPPED, UNCLAIMED } from './slice-job.ts';
import { ThreadStores } from './thread-stores.ts';

/**
 * What a rank worker thread does with a job (slice-worker.ts): ranks its range of the shared
 * stores and sets its answer's state. Returns the function that answers each job, true when it
 * did (false: a job its parent took back); it keeps the layouts sent so far (a job carries
 * its layout only the first time a thread meets it, taken back or not).
 */
export function rankJobAnswerer(): (job: RankJob) => boolean {
  const stores = new ThreadStores();
  return (job) => {
    const { state, results } = job;
    // Pairs with the parent's Atomics.store before it posted the job: every write the parent made
    // to the stores' shared arrays before then is visible here.
    Atomics.load(state, 0);
    // Claimed here unless the thread did so before (say, as it began to hold a queued job). The
    // parent takes back a job no thread has claimed when it stops waiting for it.
    if (Atomics.compareExchange(state, CLAIM, UNCLAIMED, BY_THREAD) === BY_PARENT) {
      stores.learn(job);
      Atomics.store(state, 0, SKIPPED);
      return false;
    }
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
    return true;
  };
}
