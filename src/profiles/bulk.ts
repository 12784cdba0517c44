import { isConnectionError } from '../db/faults.ts';
import { inRequestTransaction } from '../db/request-transaction.ts';
import { AppError, boundedDetail, boundedErrors, type ErrorCode, type FieldProblem } from '../http/errors.ts';
import type { CheckedLine, PackedAnswers } from './bulk-lines.ts';

export const MAX_BULK_LINES = 10_000;
const CHUNK_SIZE = 1_000;
/**
 * Batches of one request written at once on PostgreSQL, each in its own transaction: while one is
 * in the database the event loop sends the next, so one request keeps both the service and
 * PostgreSQL busy (one after another, each waited for the other about half the time).
 */
export const WRITES_IN_FLIGHT = 2;

export type LineResult =
  | { line: number; status: 'created' | 'updated' | 'unchanged'; id: string; externalId: string }
  | {
      line: number;
      status: 'error';
      externalId?: string | undefined;
      error: { code: ErrorCode; detail: string; errors?: FieldProblem[] | undefined };
    };

/** A line that passed every check, ready to be written. */
export interface BulkEntry<T> {
  line: number;
  externalId: string;
  record: T;
  answers: PackedAnswers | undefined;
}

/**
 * Writes a batch of entries in one transaction; returns the id of each, whether it was new, and
 * whether it was left as it was (the line gave what was stored).
 */
export type BulkWriter<T> = (entries: BulkEntry<T>[]) => Promise<Map<string, WrittenLine>>;

type WrittenLine = { id: string; inserted: boolean; unchanged?: true | undefined };

/** A per-line check that needs the database (e.g. "does this employer exist"); null when fine. */
export type BulkCheck<T> = (entries: BulkEntry<T>[]) => Promise<Map<number, LineResult>>;

export interface BulkOutcome {
  results: LineResult[];
  summary: { created: number; updated: number; unchanged: number; failed: number };
}

/**
 * Writes checked lines (in line order). Each line stands on its own, so a bad line never blocks
 * the good ones; good lines are written in batches, and a batch that fails after all is retried
 * line by line so only the line at fault is reported. A lost database connection is no line's
 * fault: it ends the write (rethrown) once the batches already started have ended. `checked` gives
 * the lines a chunk at a time: each batch is written as soon as its lines are in, while the next
 * one's are gathered, and started in line order; up to `inFlight` are written at once (a request's
 * batches hold distinct externalIds, so they never write the same record).
 */
export async function writeBulk<T>(options: {
  checked: AsyncIterable<CheckedLine<T>[]> | Iterable<CheckedLine<T>[]>;
  /** Run on each batch just before it is written; the lines it refuses are not written. */
  check?: BulkCheck<T> | undefined;
  write: BulkWriter<T>;
  /** Told of each batch before it is written, the next one once gathered and the one before started. */
  ahead?: ((entries: BulkEntry<T>[]) => void) | undefined;
  onWriteError: (error: unknown) => void;
  /** Batches written at once, each in its own transaction (one at a time in a request transaction). */
  inFlight?: number | undefined;
}): Promise<BulkOutcome> {
  const results = new Map<number, LineResult>();
  const batches = writableBatches(options.checked, results);
  /** The next batch, `ahead` told of it as soon as it is gathered. */
  const gatherNext = () => {
    const next = batches.next();
    // Told before the batch's own turn below (reactions run in the order they were added). The
    // failure is met by the `await` below, or not at all once a write has thrown.
    next.then(
      (gathered) => {
        if (!gathered.done) options.ahead?.(gathered.value);
      },
      () => {},
    );
    return next;
  };
  const writing = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const start = (entries: BulkEntry<T>[]) => {
    const written: Promise<void> = writeChunk(entries, options.write, options.onWriteError)
      .then(
        (lineResults) => {
          for (const result of lineResults) results.set(result.line, result);
        },
        (error: unknown) => {
          failure ??= { error };
        },
      )
      .finally(() => writing.delete(written));
    writing.add(written);
  };
  // In a request's one transaction (an Idempotency-Key) the batches are savepoints on its one
  // connection: one at a time, or a failed batch's rollback to its savepoint would undo another's.
  const width = inRequestTransaction() ? 1 : Math.max(1, options.inFlight ?? 1);
  let next = gatherNext();
  try {
    for (let batch = await next; !batch.done && !failure; batch = await next) {
      next = gatherNext();
      const writable = options.check ? await notRefused(batch.value, options.check, results) : batch.value;
      if (writable.length === 0) continue;
      start(writable);
      while (writing.size >= width && !failure) await Promise.race(writing);
    }
  } finally {
    // Whatever ends the request (a fault, a lost connection, a chunk's failed check), it answers
    // only once the batches it started have ended: none is left writing behind its answer.
    await Promise.all(writing);
  }
  if (failure) throw failure.error;

  const ordered = [...results.values()].sort((a, b) => a.line - b.line).map(bounded);
  return {
    results: ordered,
    summary: {
      created: ordered.filter((r) => r.status === 'created').length,
      updated: ordered.filter((r) => r.status === 'updated').length,
      unchanged: ordered.filter((r) => r.status === 'unchanged').length,
      failed: ordered.filter((r) => r.status === 'error').length,
    },
  };
}

/** The entries `check` lets through; the refusals go into `results`. */
async function notRefused<T>(
  entries: BulkEntry<T>[],
  check: BulkCheck<T>,
  results: Map<number, LineResult>,
): Promise<BulkEntry<T>[]> {
  const refused = await check(entries);
  for (const [line, result] of refused) results.set(line, result);
  return entries.filter((entry) => !refused.has(entry.line));
}

/**
 * The lines to write in batches of CHUNK_SIZE, in line order; every line refused on its own
 * (checked already, a repeated `externalId`, answers at fault) goes into `results` instead.
 */
async function* writableBatches<T>(
  checked: AsyncIterable<CheckedLine<T>[]> | Iterable<CheckedLine<T>[]>,
  results: Map<number, LineResult>,
): AsyncGenerator<BulkEntry<T>[]> {
  const seen = new Map<string, number>();
  let batch: BulkEntry<T>[] = [];
  for await (const lines of checked) {
    for (const line of lines) {
      const entry = entryOf(line, seen, results);
      if (!entry) continue;
      batch.push(entry);
      if (batch.length < CHUNK_SIZE) continue;
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** A checked line ready to write, or undefined once its refusal is in `results`. */
function entryOf<T>(
  checked: CheckedLine<T>,
  seen: Map<string, number>,
  results: Map<number, LineResult>,
): BulkEntry<T> | undefined {
  const { line } = checked;
  if ('refused' in checked) {
    results.set(line, { line, status: 'error', externalId: checked.externalId, error: checked.refused });
    return undefined;
  }
  const { externalId } = checked;
  const earlier = seen.get(externalId);
  if (earlier !== undefined) {
    results.set(line, {
      line,
      status: 'error',
      externalId,
      error: {
        code: 'invalid_input',
        detail: `externalId ${externalId} already appears on line ${earlier}.`,
      },
    });
    return undefined;
  }
  if (!checked.answers.ok) {
    results.set(line, { line, status: 'error', externalId, error: checked.answers.error });
    return undefined;
  }
  seen.set(externalId, line);
  return { line, externalId, record: checked.record, answers: checked.answers.value };
}

/** A line's error cut to the documented bounds: a refused line can quote much of itself. */
function bounded(result: LineResult): LineResult {
  if (result.status !== 'error') return result;
  const { detail, errors } = result.error;
  return {
    ...result,
    error: {
      ...result.error,
      detail: boundedDetail(detail),
      ...(errors ? { errors: boundedErrors(errors) } : {}),
    },
  };
}

async function writeChunk<T>(
  chunk: BulkEntry<T>[],
  write: BulkWriter<T>,
  onWriteError: (error: unknown) => void,
): Promise<LineResult[]> {
  try {
    return toResults(chunk, await write(chunk));
  } catch (error) {
    // The database went away: no line is at fault, and trying each alone would only fail again.
    // The request answers 503; what earlier batches committed stays, and a retry upserts the rest.
    if (isConnectionError(error)) throw error;
    if (chunk.length === 1) {
      onWriteError(error);
      const [entry] = chunk;
      return [
        {
          line: entry!.line,
          status: 'error',
          externalId: entry!.externalId,
          // Every fault of the line's own making was found before the write: this one is ours.
          error: {
            code: 'internal',
            detail:
              "This line could not be stored because of a fault on our side (logged with this request's id); nothing of it was written.",
          },
        },
      ];
    }
    const results: LineResult[] = [];
    for (const entry of chunk) results.push(...(await writeChunk([entry], write, onWriteError)));
    return results;
  }
}

function toResults<T>(chunk: BulkEntry<T>[], written: Map<string, WrittenLine>): LineResult[] {
  return chunk.map((entry) => {
    const row = written.get(entry.externalId);
    if (!row) throw new Error(`bulk write returned no row for externalId ${entry.externalId}`);
    return {
      line: entry.line,
      status: row.unchanged ? 'unchanged' : row.inserted ? 'created' : 'updated',
      id: row.id,
      externalId: entry.externalId,
    };
  });
}

/** Refuses a body without lines or with more than a request takes (nothing of it is written). */
export function assertLineCount(count: number): void {
  if (count === 0) {
    throw new AppError('invalid_input', 'The body has no lines; send one JSON object per line (NDJSON).');
  }
  if (count > MAX_BULK_LINES) {
    throw new AppError(
      'invalid_input',
      `The body has ${count} lines; at most ${MAX_BULK_LINES} are taken per request. Split it up.`,
    );
  }
}
