import { createHash, type Hash } from 'node:crypto';
import { AppError } from '../http/errors.ts';
import { assertLineCount, MAX_BULK_LINES } from '../profiles/bulk.ts';
import type { BulkKind, CheckedLine } from '../profiles/bulk-lines.ts';
import type { CheckedChunk } from './check-chunk.ts';
import type { IngestPool } from './ingest-pool.ts';
import { cutLineChunks, type LineChunk } from './line-chunks.ts';

/** About a few hundred lines: small enough to spread over the threads, big enough that a message is cheap. */
export const CHUNK_BYTES = 256 * 1024;

/**
 * How many chunks' checks run ahead of the chunk the handler takes: for lines of 2.6 kB (the
 * bench's), about a batch and a half (CHUNK_SIZE lines), so the next batch is checked while one is
 * written. Not the whole body at once: its checked lines take more memory than its bytes (a
 * 10,000-line body's held 36.9 MB after its first batch, 30.1 MB so: bench/body-memory.ts), and
 * every chunk of it went into the ingest threads' queue ahead of any other request's.
 */
export const CHECKS_AHEAD = 16;

type CheckOf = (chunk: LineChunk) => Promise<CheckedChunk>;

/**
 * A bulk body, its lines checked while it arrived and after: the handler takes each chunk's lines
 * as its check ends, so a request's first batches are written while its later lines are checked.
 * Fields are private, so generic walks over `request.body` (the NUL guard) see nothing; the
 * idempotency check hashes it through toJSON.
 */
export class CheckedBody {
  /** each chunk's check once started, until lines() hands the chunk on */
  readonly #checks: (Promise<CheckedChunk> | undefined)[];
  /** each chunk whose check has not started yet */
  readonly #waiting: (LineChunk | undefined)[];
  readonly #checkOf: CheckOf;
  readonly #tooMany: number | undefined;
  readonly #digest: string | undefined;
  #started: number;
  #read = false;

  /**
   * `checks`: the checks started so far, of the first of `chunks` (every chunk of the body); the
   * others are started by `checkOf` as lines() nears them. `tooMany`: how many lines not blank a
   * body holds that has more than a request takes (it gives none).
   */
  constructor(
    body: { chunks: LineChunk[]; checks: Promise<CheckedChunk>[]; checkOf: CheckOf },
    tooMany: number | undefined,
    digest: string | undefined,
  ) {
    this.#checks = body.chunks.map((_, at) => body.checks[at]);
    this.#waiting = body.chunks.map((chunk, at) => (at < body.checks.length ? undefined : chunk));
    this.#started = body.checks.length;
    this.#checkOf = body.checkOf;
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
    if (this.#read) throw new Error('the lines of a bulk body are read once');
    this.#read = true;
    let count = 0;
    for (let at = 0; at < this.#checks.length; at++) {
      this.#startChecks(at + 1 + CHECKS_AHEAD);
      const checked = await this.#checks[at]!;
      this.#checks[at] = undefined;
      count += checked.count;
      yield checked.lines;
    }
    assertLineCount(count);
  }

  /** Starts the checks of the chunks before `end` not started yet. */
  #startChecks(end: number): void {
    for (; this.#started < Math.min(end, this.#checks.length); this.#started++) {
      this.#checks[this.#started] = this.#checkOf(this.#waiting[this.#started]!);
      this.#waiting[this.#started] = undefined;
    }
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
  const chunks: LineChunk[] = [];
  const checks: Promise<CheckedChunk>[] = [];
  const checkOf = chunkChecker(options.pool, options.kind);
  const body = await cutLineChunks(
    hash ? hashed(stream, hash) : stream,
    { bodyLimit: options.bodyLimit, chunkBytes: CHUNK_BYTES },
    (chunk) => {
      chunks.push(chunk);
      if (checks.length < CHECKS_AHEAD) checks.push(checkOf(chunk));
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
    // Every chunk counted before any is written: the body may hold more lines than a request takes.
    while (checks.length < chunks.length) checks.push(checkOf(chunks[checks.length]!));
    const checked = await Promise.all(checks);
    const count = checked.reduce((sum, chunk) => sum + chunk.count, 0);
    if (count > MAX_BULK_LINES) return new CheckedBody({ chunks: [], checks: [], checkOf }, count, digest);
  }
  return new CheckedBody({ chunks, checks, checkOf }, undefined, digest);
}

/**
 * Starts a chunk's check on the pool. Made apart from readCheckedBody, whose arrays of chunks and
 * checks must not live on in the body (a closure keeps the variables of its whole scope).
 */
function chunkChecker(pool: IngestPool, kind: BulkKind): CheckOf {
  let counted = 0;
  return (chunk) => {
    // Once the body has more lines than a request takes, the rest is only counted for the error.
    const check = pool.check(kind, chunk, counted > MAX_BULK_LINES);
    check.then(
      (checked) => {
        counted += checked.count;
      },
      () => {}, // the handler meets the failure when it takes this chunk (or never: a refused request)
    );
    return check;
  };
}

async function* hashed(stream: AsyncIterable<Buffer>, hash: Hash): AsyncIterable<Buffer> {
  for await (const data of stream) {
    hash.update(data);
    yield data;
  }
}
