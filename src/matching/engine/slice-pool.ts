import type { Worker } from 'node:worker_threads';
import { typeScriptWorker } from '../../worker-thread.ts';
import type { ProfileStore } from './columnar-store.ts';
import type { Layout } from './layout.ts';
import { layoutIdOf } from './layout-id.ts';
import { type KeptRow, type RankRequest, rankRange } from './search.ts';
import { ANSWERED, DONE, FAILED, PENDING, type RankJob, READY } from './slice-job.ts';
import { mergeSlices } from './slice-merge.ts';

/** A range takes tens of milliseconds; a thread this late is taken for stuck and replaced. */
const WAIT_MS = 5_000;
/** Threads replaced in a row before the pool stops using threads (each cost a wait of WAIT_MS). */
const MAX_REPLACED = 3;

/**
 * Listings split over worker threads: the rows of the other side are cut into one range per
 * thread plus one for the calling thread, each ranked on its own (exactly: each range's best
 * `limit + 1`), and the lists merged into the best `limit + 1` of all, the single-threaded list.
 *
 * The calling thread waits for the threads with Atomics.wait: the whole listing stays one
 * synchronous step of the event loop, so no write to the index can interleave with it, and
 * the threads read the stores' shared arrays as they are. A thread that fails a range has it
 * ranked by the calling thread instead; one that does not answer in time is also replaced.
 * Only threads that said they are ready get ranges, so a listing never waits on a thread that
 * is still starting (which can take long on a busy machine) and never takes one for stuck.
 *
 * `rankAway` hands a whole listing to an idle thread instead and awaits its answer, so the event
 * loop goes on (serving the next listing on the calling thread): listings too small to split
 * still use a second core. Writes to the index can land while the thread reads, so its caller
 * checks that the market did not move before it takes the list (index.ts).
 */
export class RankPool {
  private readonly threads: (RankThread | undefined)[];
  private readonly options: { waitMs: number; workerUrl: URL; onGiveUp: () => void };
  /** ranges a thread did not rank (failed or late), ranked by the calling thread instead */
  fallbacks = 0;
  /** threads replaced in a row: past MAX_REPLACED the pool gives up and listings stay on one thread */
  private replacedInARow = 0;

  /** `onGiveUp`: called once, when the pool stops using threads. */
  constructor(size: number, options: { waitMs?: number; workerUrl?: URL; onGiveUp?: () => void } = {}) {
    this.threads = Array.from({ length: size }, () => undefined);
    this.options = {
      waitMs: options.waitMs ?? WAIT_MS,
      workerUrl: options.workerUrl ?? new URL('./slice-worker.ts', import.meta.url),
      onGiveUp: options.onGiveUp ?? (() => {}),
    };
  }

  get size(): number {
    return this.threads.length;
  }

  /** The threads started and listening for listings. */
  get readyCount(): number {
    return this.threads.filter((thread) => thread?.isReady && !thread.stuck).length;
  }

  /** False once threads kept failing to answer (say, a worker that cannot start): no more waiting on them. */
  get usable(): boolean {
    return this.replacedInARow < MAX_REPLACED;
  }

  rank(subject: ProfileStore, s: number, others: ProfileStore, request: RankRequest): KeptRow[] {
    const ready = this.usable ? this.readyThreads() : [];
    if (ready.length === 0) return rankRange(subject, s, others, request, 0, others.end);
    const parts = ready.length + 1;
    const bound = (i: number) => Math.floor((i * others.end) / parts);
    const job = jobOf(subject, s, others, request);
    ready.forEach((thread, t) => {
      thread.start(job, subject.layout, bound(t + 1), bound(t + 2));
    });
    const lists = [rankRange(subject, s, others, request, 0, bound(1))];
    ready.forEach((thread, t) => {
      const kept = thread.finish(this.options.waitMs);
      if (kept === undefined) {
        this.fallbacks++;
        if (thread.stuck) this.replace(thread);
      } else this.replacedInARow = 0;
      lists.push(kept ?? rankRange(subject, s, others, request, bound(t + 1), bound(t + 2)));
    });
    return mergeSlices(lists, others, request);
  }

  /**
   * All rows of `others` ranked on an idle thread, awaited (the event loop goes on); undefined at
   * once when no thread is idle, and a promise of undefined when the thread failed or was late
   * (the caller then ranks on its own thread).
   */
  rankAway(
    subject: ProfileStore,
    s: number,
    others: ProfileStore,
    request: RankRequest,
  ): Promise<KeptRow[] | undefined> | undefined {
    const [thread] = this.usable ? this.readyThreads() : [];
    if (!thread) return undefined;
    thread.start({ ...jobOf(subject, s, others, request), reply: true }, subject.layout, 0, others.end);
    return thread.finishAway(this.options.waitMs).then((kept) => {
      if (kept === undefined) {
        this.fallbacks++;
        if (thread.stuck) this.replace(thread);
      } else this.replacedInARow = 0;
      return kept;
    });
  }

  /** Starts any missing thread; resolves once every thread is ready for jobs (or has died). */
  async ready(): Promise<void> {
    await Promise.all(this.threads.map((_, t) => this.thread(t).started));
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread?.worker.terminate()));
    this.threads.fill(undefined);
  }

  /** The threads ready for a job now (none awaited by rankAway); dead ones are replaced, missing ones started (for later listings). */
  private readyThreads(): RankThread[] {
    for (const thread of this.threads) thread?.collect();
    for (const thread of this.threads) if (thread?.stuck && !thread.away) this.replace(thread);
    return this.threads
      .map((_, t) => this.thread(t))
      .filter((thread) => thread.isReady && !thread.stuck && !thread.away);
  }

  private thread(t: number): RankThread {
    let thread = this.threads[t];
    if (!thread) {
      thread = new RankThread(this.options.workerUrl);
      this.threads[t] = thread;
    }
    return thread;
  }

  private replace(thread: RankThread): void {
    if (++this.replacedInARow === MAX_REPLACED) this.options.onGiveUp();
    void thread.worker.terminate();
    const t = this.threads.indexOf(thread);
    if (t >= 0) this.threads[t] = undefined;
  }
}

/** One worker thread, the layouts it was sent, and the shared memory its answers come back in. */
class RankThread {
  readonly worker: Worker;
  private readonly knownLayouts = new Set<number>();
  private readonly state = new Int32Array(new SharedArrayBuffer(8));
  private results = new Float64Array(new SharedArrayBuffer(0));
  /** the thread posted READY: it listens for jobs */
  isReady = false;
  /** the last job got no answer in time, or the thread died */
  stuck = false;
  /** a job sent by rankAway is not answered yet: the thread and its answer's memory are taken */
  away = false;
  /** reads the answer of the job sent by rankAway and settles its wait */
  private settleAway: (() => void) | undefined;
  /** settles when the thread is ready or has died */
  readonly started: Promise<void>;

  constructor(url: URL) {
    this.worker = typeScriptWorker(url);
    this.worker.unref();
    this.started = new Promise((resolve) => {
      this.worker.once('message', (message) => {
        this.isReady = message === READY;
        resolve();
      });
      this.worker.once('error', () => resolve());
      this.worker.once('exit', () => resolve());
    });
    const died = () => {
      this.stuck = true;
      Atomics.store(this.state, 0, FAILED);
    };
    this.worker.on('error', died);
    this.worker.on('exit', died);
  }

  /** Sends the job for rows from..to. */
  start(
    job: Omit<RankJob, 'layout' | 'from' | 'to' | 'state' | 'results'>,
    layout: Layout,
    from: number,
    to: number,
  ): void {
    const cells = 4 * (job.request.limit + 1);
    if (this.results.length < cells) this.results = new Float64Array(new SharedArrayBuffer(8 * cells));
    Atomics.store(this.state, 0, PENDING);
    const first = !this.knownLayouts.has(job.layoutId);
    this.knownLayouts.add(job.layoutId);
    const message: RankJob = {
      ...job,
      layout: first ? layout : undefined,
      from,
      to,
      state: this.state,
      results: this.results,
    };
    this.worker.postMessage(message);
  }

  /** The range's kept rows, best first; undefined if the thread failed or did not answer in time. */
  finish(waitMs: number): KeptRow[] | undefined {
    if (Atomics.wait(this.state, 0, PENDING, waitMs) === 'timed-out') {
      this.stuck = true;
      return undefined;
    }
    return this.answer();
  }

  /**
   * finish, awaited: the thread posts ANSWERED after a job sent with `reply` (a message: Node's
   * Atomics.waitAsync does not keep the event loop awake), and its death ends the wait too. The
   * answer is read as soon as it is seen, by the message or earlier by `collect`.
   */
  finishAway(waitMs: number): Promise<KeptRow[] | undefined> {
    this.away = true;
    return new Promise((resolve) => {
      const settle = (answered: boolean) => {
        clearTimeout(timer);
        this.worker.off('message', onMessage);
        this.worker.off('exit', onExit);
        this.settleAway = undefined;
        this.away = false;
        if (!answered) this.stuck = true;
        resolve(answered ? this.answer() : undefined);
      };
      // An earlier job's ANSWERED can come after `collect` read that job: this job's own is the one
      // that finds the state set.
      const onMessage = (message: unknown) => {
        if (message === ANSWERED && Atomics.load(this.state, 0) !== PENDING) settle(true);
      };
      const onExit = () => settle(true);
      const timer = setTimeout(() => settle(false), waitMs);
      this.worker.on('message', onMessage);
      this.worker.on('exit', onExit);
      this.settleAway = () => settle(true);
    });
  }

  /**
   * Reads the answer of a rankAway job the thread has finished but whose message the event loop
   * has not reached yet, so the thread is free for the next job at once rather than idle until then.
   */
  collect(): void {
    if (this.away && Atomics.load(this.state, 0) !== PENDING) this.settleAway?.();
  }

  private answer(): KeptRow[] | undefined {
    if (Atomics.load(this.state, 0) !== DONE) return undefined;
    const count = Atomics.load(this.state, 1);
    const r = this.results;
    return Array.from({ length: count }, (_, i) => ({
      slot: r[4 * i]!,
      score: r[4 * i + 1]!,
      s1: r[4 * i + 2]!,
      s2: r[4 * i + 3]!,
    }));
  }
}

function jobOf(subject: ProfileStore, s: number, others: ProfileStore, request: RankRequest) {
  return {
    layoutId: layoutIdOf(subject.layout),
    subject: subject.shared(),
    s,
    others: others.shared(),
    request,
  };
}
