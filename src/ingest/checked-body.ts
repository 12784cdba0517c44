import { createHash, type Hash } from 'node:crypto';
import { AppError } from '../http/errors.ts';
import { assertLineCount, MAX_BULK_LINES } from '../profiles/bulk.ts';
import type { BulkKind, CheckedLine } from '../profiles/bulk-lines.ts';
import type { CheckedChunk } from './check-chunk.ts';
import type { IngestPool } from './ingest-pool.ts';
import { cutLineChunks } from './line-chunks.ts';

/** About a few hundred lines: small enough to spread over the threads, big enough that a message is cheap. */
export const CHUNK_BYTES = 256 * 1024;

/**
 * A bulk body, its lines checked while it arrived and after: the handler takes each chunk's lines
 * as its check ends, so a request's first batches are written while its later lines are checked.
 * Fields are private, so generic walks over `request.body` (the NUL guard) see nothing; the
 * idempotency check hashes it through toJSON.
 */
export class CheckedBody {
  /** each chunk's check, until lines() hands the chunk on */
  readonly #checks: (Promise<CheckedChunk> | undefined)[];
  readonly #tooMany: number | undefined;
  readonly #digest: string | undefined;

  /** `tooMany`: how many lines not blank a body holds that has more than a request takes (it gives none). */
  constructor(checks: Promise<CheckedChunk>[], tooMany: number | undefined, digest: string | undefined) {
    this.#checks = checks;
    this.#tooMany = tooMany;
    this.#digest = digest;
  }

  /**
   * The lines that are not blank, a chunk at a time in line order, each as soon as it is checked.
   * Refuses (422) a body with more lines than a request takes before giving any, and one without
   * lines after its last chunk, when none was given: either way nothing of it is written. Read
   * once: each chunk is let go as it is handed on, so a request does not hold every checked line
   * of its body (in memory about 1.5 times its bytes) until it ends.
   */
  async *lines(): AsyncGenerator<CheckedLine<unknown>[]> {
    if (this.#tooMany !== undefined) assertLineCount(this.#tooMany);
    let count = 0;
    for (let at = 0; at < this.#checks.length; at++) {
      const check = this.#checks[at];
      if (!check) throw new Error('the lines of a bulk body are read once');
      this.#checks[at] = undefined;
      const checked = await check;
      count += checked.count;
      yield checked.lines;
    }
    assertLineCount(count);
  }

  /** A digest of the body's bytes stands for the body where it is hashed as JSON (Idempotency-Key). */
  toJSON(): string | null {
    return this.#digest ?? null;
  }
}

/**
 * Reads an NDJSON body as it arrives: cuts it into chunks of whole lines and has the pool check
 * each while the rest is still coming. Past `bodyLimit` bytes it stops with a 413 and nothing
 * is written (writes start only once the whole body is in). A body that may hold more lines than
 * a request takes is waited for until every chunk is counted, so that it is refused before any
 * write; any other is handed on at once, its chunks still being checked. `digest`: also hash the
 * bytes, for a request with an Idempotency-Key.
 */
export async function readCheckedBody(
  stream: AsyncIterable<Buffer>,
  options: { kind: BulkKind; pool: IngestPool; bodyLimit: number; digest: boolean },
): Promise<CheckedBody> {
  const hash = options.digest ? createHash('sha256') : undefined;
  const checks: Promise<CheckedChunk>[] = [];
  let counted = 0;
  const body = await cutLineChunks(
    hash ? hashed(stream, hash) : stream,
    { bodyLimit: options.bodyLimit, chunkBytes: CHUNK_BYTES },
    (chunk) => {
      // Once the body has more lines than a request takes, the rest is only counted for the error.
      const check = options.pool.check(options.kind, chunk, counted > MAX_BULK_LINES);
      check.then(
        (checked) => {
          counted += checked.count;
        },
        () => {}, // the handler meets the failure when it takes this chunk (or never: a refused request)
      );
      checks.push(check);
    },
  );
  if (body.badUtf8Line !== undefined) {
    const message = `line ${body.badUtf8Line} is not valid UTF-8; send the body as UTF-8`;
    throw new AppError('validation_failed', `body: ${message}`, { errors: [{ path: 'body', message }] });
  }
  if (body.nul) {
    throw new AppError('validation_failed', 'body: must not contain the NUL character (U+0000)', {
      errors: [{ path: 'body', message: 'must not contain the NUL character (U+0000)' }],
    });
  }
  const digest = hash?.digest('hex');
  if (body.lines > MAX_BULK_LINES) {
    const chunks = await Promise.all(checks);
    const count = chunks.reduce((sum, chunk) => sum + chunk.count, 0);
    if (count > MAX_BULK_LINES) return new CheckedBody([], count, digest);
  }
  return new CheckedBody(checks, undefined, digest);
}

async function* hashed(stream: AsyncIterable<Buffer>, hash: Hash): AsyncIterable<Buffer> {
  for await (const data of stream) {
    hash.update(data);
    yield data;
  }
}
