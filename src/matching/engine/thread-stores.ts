import { ProfileStore, type SharedStore } from './columnar-store.ts';
import type { Layout } from './layout.ts';

/** What a worker thread's job names of the stores it reads (rank and insights jobs alike). */
export interface StoresJob {
  layoutId: number;
  /** sent the first time a thread meets this layout only */
  layout?: Layout | undefined;
  subject: SharedStore;
  others: SharedStore;
}

/**
 * A worker thread's view of its parent's stores: the layouts sent so far, by id, and each job's
 * subject and others viewed on their shared arrays (no copy).
 */
export class ThreadStores {
  private readonly layouts = new Map<number, Layout>();

  /** Keeps the job's layout when it carries one (the next jobs of that layout will not). */
  learn(job: StoresJob): void {
    if (job.layout) this.layouts.set(job.layoutId, job.layout);
  }

  /** The job's stores; throws when its layout was never sent. */
  of(job: StoresJob): { subject: ProfileStore; others: ProfileStore } {
    this.learn(job);
    const layout = this.layouts.get(job.layoutId);
    if (!layout) throw new Error(`layout ${job.layoutId} was never sent`);
    return { subject: ProfileStore.view(layout, job.subject), others: ProfileStore.view(layout, job.others) };
  }
}
