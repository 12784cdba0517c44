import type { Worker } from 'node:worker_threads';
import { answerOf, typeScriptWorker } from '../../worker-thread.ts';
import type { ProfileStore } from './columnar-store.ts';
import {
  addCounts,
  CHUNK_ROWS,
  chunksOf,
  countsLayout,
  type InsightsRequest,
  insightsOfClaims,
  insightsOfRange,
} from './insights-pass.ts';
import type { InsightsAnswer, InsightsJob } from './insights-worker.ts';
import type { Layout } from './layout.ts';
import { layoutIdOf } from './layout-id.ts';

/** A pass over a million rows takes a fraction of a second; a thread this late is taken for stuck and replaced. */
const WAIT_MS = 30_000;

/** No pass may start and the queue for one is full: answer 429 and let the client retry. */
export class InsightsBusy extends Error {
  override name = 'InsightsBusy';
}

/**
 * Insights passes (insights-pass.ts) off the event loop: the other side's rows are cut into chunks,
 * each worker thread claims chunks one at a time until none is left (so a thread slowed by other
 * work on the machine, or by harder rows, gets fewer of them instead of holding up the pass) and
 * counts them from the stores' shared arrays, and the counts are added up. Unlike listings
 * (slice-pool.ts), the calling thread does not wait with Atomics.wait: it awaits the threads, so the
 * event loop keeps serving while a pass runs. One pass runs at a time and at most `maxWaiting` wait
 * for their turn (`maxWaitingPerQueue` of one workspace); beyond that `turn` throws InsightsBusy.
 * A thread that fails or does not answer in time is replaced, and the calling thread takes over
 * its claims: it counts the chunks the thread claimed and any still unclaimed (the thread's own
 * counts, should they come late, are dropped). Size 0: every pass runs on the calling thread.
 *
 * Writes to the index may land while threads read: the caller checks that the market did not
 * change during the pass (index.ts) and runs it again if it did.
 */
export class InsightsPool {
  private readonly threads: (InsightsThread | undefined)[];
  private readonly options: {
    waitMs: number;
    workerUrl: URL;
    maxWaiting: number;
    maxWaitingPerQueue: number;
    chunkRows: number;
  };
  private running = false;
  private readonly waiting: { resume: () => void; queue: string }[] = [];
  /** threads that did not count their claims (failed or late), taken over by the calling thread */
  fallbacks = 0;

  constructor(
    size: number,
    options: {
      waitMs?: number;
      workerUrl?: URL;
      maxWaiting?: number;
      maxWaitingPerQueue?: number;
      chunkRows?: number;
    } = {},
  ) {
    this.threads = Array.from({ length: size }, () => undefined);
    this.options = {
      waitMs: options.waitMs ?? WAIT_MS,
      workerUrl: options.workerUrl ?? new URL('./insights-worker.ts', import.meta.url),
      maxWaiting: options.maxWaiting ?? 4,
      maxWaitingPerQueue: options.maxWaitingPerQueue ?? 2,
      chunkRows: options.chunkRows ?? CHUNK_ROWS,
    };
  }

  get size(): number {
    return this.threads.length;
  }

  /**
   * Runs `work` once no other pass runs; throws InsightsBusy when the queue is full, or when
   * `queue` (a workspace) already has its share of it waiting, so one busy tenant cannot turn
   * every other tenant's insights into 429s.
   */
  async turn<T>(work: () => Promise<T>, queue = ''): Promise<T> {
    if (this.running) {
      const ofQueue = this.waiting.filter((waiting) => waiting.queue === queue).length;
      if (this.waiting.length >= this.options.maxWaiting || ofQueue >= this.options.maxWaitingPerQueue)
        throw new InsightsBusy();
      await new Promise<void>((resume) => this.waiting.push({ resume, queue }));
    } else this.running = true;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next.resume();
      else this.running = false;
    }
  }

  /** The counts of the subject over every row of `others` (call inside `turn`). */
  async count(
    subject: ProfileStore,
    s: number,
    others: ProfileStore,
    request: InsightsRequest,
  ): Promise<Int32Array> {
    const threads = this.threads.map((_, t) => this.thread(t));
    if (threads.length === 0) return insightsOfRange(subject, s, others, request, 0, others.end);
    const { chunkRows } = this.options;
    const claims = new Int32Array(new SharedArrayBuffer(4 * chunksOf(others.end, chunkRows)));
    const job = {
      layoutId: layoutIdOf(subject.layout),
      subject: subject.shared(),
      s,
      others: others.shared(),
      request,
      claims,
      chunkRows,
    };
    const parts = await Promise.all(
      threads.map(async (thread, t) => {
        const owner = t + 1;
        const counts = await thread.count({ ...job, owner }, subject.layout, this.options.waitMs);
        if (counts) return counts;
        this.fallbacks++;
        this.replace(thread);
        return insightsOfClaims(subject, s, others, request, claims, owner, chunkRows);
      }),
    );
    return parts.reduce(addCounts, new Int32Array(countsLayout(subject.layout.count).length));
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread?.worker.terminate()));
    this.threads.fill(undefined);
  }

  private thread(t: number): InsightsThread {
    let thread = this.threads[t];
    if (!thread || thread.dead) {
      thread = new InsightsThread(this.options.workerUrl);
      this.threads[t] = thread;
    }
    return thread;
  }

  private replace(thread: InsightsThread): void {
    void thread.worker.terminate();
    const t = this.threads.indexOf(thread);
    if (t >= 0) this.threads[t] = undefined;
  }
}

/** One worker thread and the layouts it was sent; one job at a time. */
class InsightsThread {
  readonly worker: Worker;
  private readonly knownLayouts = new Set<number>();
  /** the thread failed or exited: replaced before its next job */
  dead = false;

  constructor(url: URL) {
    this.worker = typeScriptWorker(url);
    this.worker.unref();
    this.worker.on('error', () => {
      this.dead = true;
    });
    this.worker.on('exit', () => {
      this.dead = true;
    });
  }

  /** The counts of the chunks it claimed, or undefined when the thread failed or did not answer within `waitMs`. */
  count(job: Omit<InsightsJob, 'layout'>, layout: Layout, waitMs: number): Promise<Int32Array | undefined> {
    if (this.dead) return Promise.resolve(undefined);
    const first = !this.knownLayouts.has(job.layoutId);
    this.knownLayouts.add(job.layoutId);
    const message = { ...job, layout: first ? layout : undefined } satisfies InsightsJob;
    const read = (answer: InsightsAnswer) => ('counts' in answer ? answer.counts : undefined);
    return answerOf(this.worker, message, waitMs, read).then((counts) => {
      if (!counts) this.dead = true;
      return counts;
    });
  }
}
