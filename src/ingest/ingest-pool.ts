import type { Worker } from 'node:worker_threads';
import type { BulkKind } from '../profiles/bulk-lines.ts';
import type { QuestionnaireCatalog } from '../questionnaires/loader.ts';
import { typeScriptWorker } from '../worker-thread.ts';
import {
  type CheckedChunk,
  checkChunk,
  definitionsOf,
  type LineChecker,
  lineChecker,
} from './check-chunk.ts';
import type { ChunkAnswer, ChunkTask } from './ingest-thread.ts';
import type { LineChunk } from './line-chunks.ts';

/** Threads lost in a row before the pool stops starting new ones and checks on the calling thread. */
const MAX_LOST = 3;

/**
 * Checks chunks of bulk lines (parse, line schema, answers, packed index row) on worker threads,
 * so the event loop only cuts the body into chunks and writes what comes back. A chunk goes to
 * the thread with the fewest chunks waiting. When a thread dies, its waiting chunks are checked
 * on the calling thread instead (the same function, so the same results) and the thread is
 * replaced; after MAX_LOST threads lost in a row, every chunk is checked on the calling thread.
 * Size 0: no threads at all.
 */
export class IngestPool {
  private readonly threads: (IngestThread | undefined)[];
  private readonly local: LineChecker;
  private readonly workerUrl: URL;
  private readonly onGiveUp: () => void;
  private lostInARow = 0;
  private nextId = 0;
  private closed = false;
  /** chunks checked on the calling thread because their thread died */
  fallbacks = 0;

  constructor(
    size: number,
    questionnaires: QuestionnaireCatalog,
    options: { workerUrl?: URL; onGiveUp?: () => void } = {},
  ) {
    this.threads = Array.from({ length: size }, () => undefined);
    this.local = lineChecker(questionnaires);
    this.workerUrl = options.workerUrl ?? new URL('./ingest-thread.ts', import.meta.url);
    this.onGiveUp = options.onGiveUp ?? (() => {});
  }

  get size(): number {
    return this.threads.length;
  }

  check(kind: BulkKind, chunk: LineChunk, countOnly = false): Promise<CheckedChunk> {
    if (this.threads.length === 0 || this.lostInARow >= MAX_LOST || this.closed) {
      return Promise.resolve(checkChunk(this.local, kind, chunk, countOnly));
    }
    const thread = this.leastBusy();
    return new Promise((resolve, reject) =>
      thread.send({ id: this.nextId++, kind, chunk, countOnly }, { resolve, reject }),
    );
  }

  /** Stops the threads; a request still reading its body checks the rest on its own thread. */
  async close(): Promise<void> {
    this.closed = true;
    const threads = this.threads.filter((t) => t !== undefined);
    this.threads.fill(undefined);
    await Promise.all(threads.map((thread) => thread.stop()));
  }

  private leastBusy(): IngestThread {
    let best: IngestThread | undefined;
    for (let t = 0; t < this.threads.length; t++) {
      const thread = this.threads[t] ?? this.start(t);
      if (!best || thread.waiting < best.waiting) best = thread;
    }
    return best!;
  }

  private start(t: number): IngestThread {
    const worker = typeScriptWorker(this.workerUrl, {
      workerData: { definitions: definitionsOf(this.local.questionnaires) },
    });
    const thread = new IngestThread(worker, {
      answered: () => {
        this.lostInARow = 0;
      },
      lost: (orphans) => {
        if (this.threads[t] === thread) this.threads[t] = undefined;
        if (++this.lostInARow === MAX_LOST) this.onGiveUp();
        for (const { task, reply } of orphans) {
          this.fallbacks++;
          try {
            reply.resolve(checkChunk(this.local, task.kind, task.chunk, task.countOnly));
          } catch (error) {
            reply.reject(error);
          }
        }
      },
    });
    this.threads[t] = thread;
    return thread;
  }
}

type Reply = { resolve: (checked: CheckedChunk) => void; reject: (error: unknown) => void };

/** One worker thread and the chunks it has not answered yet. */
class IngestThread {
  private readonly waitingFor = new Map<number, { task: ChunkTask; reply: Reply }>();
  private stopping = false;
  private readonly worker: Worker;

  constructor(
    worker: Worker,
    events: {
      answered: () => void;
      lost: (orphans: { task: ChunkTask; reply: Reply }[]) => void;
    },
  ) {
    this.worker = worker;
    worker.unref();
    worker.on('message', (answer: ChunkAnswer) => {
      const waiting = this.waitingFor.get(answer.id);
      if (!waiting) return;
      this.waitingFor.delete(answer.id);
      if (this.waitingFor.size === 0) worker.unref();
      events.answered();
      if ('checked' in answer) waiting.reply.resolve(answer.checked);
      else waiting.reply.reject(new Error(`an ingest thread failed: ${answer.failure}`));
    });
    let lost = false;
    const onLost = () => {
      if (lost || this.stopping) return;
      lost = true;
      const orphans = [...this.waitingFor.values()];
      this.waitingFor.clear();
      void worker.terminate();
      events.lost(orphans);
    };
    worker.on('error', onLost);
    worker.on('exit', onLost);
  }

  get waiting(): number {
    return this.waitingFor.size;
  }

  send(task: ChunkTask, reply: Reply): void {
    this.waitingFor.set(task.id, { task, reply });
    this.worker.ref();
    this.worker.postMessage(task);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const { reply } of this.waitingFor.values()) reply.reject(new Error('the ingest pool was closed'));
    this.waitingFor.clear();
    await this.worker.terminate();
  }
}
