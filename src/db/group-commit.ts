import { outsideRequestTransaction } from './request-transaction.ts';

interface Waiting<I, O> {
  item: I;
  resolve: (result: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted while a write is in flight wait, and the next write takes them
 * all (up to `maxBatch`) as soon as it ends, so concurrent requests share one statement and one
 * commit instead of paying one each, and a lone request waits for nobody. Each submitter's promise
 * settles only once its batch's write has returned (committed) — with its own result — or failed,
 * and then every item of that batch fails with the write's error.
 */
export class GroupCommit<I, O> {
  readonly #write: (items: I[]) => Promise<O[]>;
  readonly #maxBatch: number;
  #waiting: Waiting<I, O>[] = [];
  #flushing = false;

  constructor(write: (items: I[]) => Promise<O[]>, options: { maxBatch?: number } = {}) {
    this.#write = write;
    this.#maxBatch = options.maxBatch ?? 100;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      // A batch is no request's: its statement must not join the first submitter's transaction.
      if (!this.#flushing) outsideRequestTransaction(() => void this.#flush());
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#waiting.splice(0, this.#maxBatch);
        try {
          const results = await this.#write(batch.map((waiting) => waiting.item));
          for (const [i, waiting] of batch.entries()) waiting.resolve(results[i]!);
        } catch (error) {
          for (const waiting of batch) waiting.reject(error);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }
}
