import { setImmediate as nextTurn } from 'node:timers/promises';
import type { z } from 'zod';
import { resolveAnswers } from '../answers/resolve.ts';
import type { AnswerSet } from '../answers/types.ts';
import { AppError, boundedDetail, boundedErrors, type ErrorCode, type FieldProblem } from '../http/errors.ts';
import type { QuestionnaireCatalog } from '../questionnaires/loader.ts';

export const MAX_BULK_LINES = 10_000;
const CHUNK_SIZE = 1_000;
/** Lines checked per turn of the event loop (tens of ms): other requests are served between them. */
const LINES_PER_TURN = 250;

export type LineResult =
  | { line: number; status: 'created' | 'updated'; id: string; externalId: string }
  | {
      line: number;
      status: 'error';
      externalId?: string | undefined;
      error: { code: ErrorCode; detail: string; errors?: FieldProblem[] | undefined };
    };

export interface ResolvedAnswerSet {
  questionnaireId: string;
  questionnaireVersion: number;
  answers: AnswerSet;
}

/** A line that passed every check, ready to be written. */
export interface BulkEntry<T> {
  line: number;
  externalId: string;
  record: T;
  answers: ResolvedAnswerSet | undefined;
}

/** Writes a batch of entries in one transaction; returns the id of each and whether it was new. */
export type BulkWriter<T> = (
  entries: BulkEntry<T>[],
) => Promise<Map<string, { id: string; inserted: boolean }>>;

/** A per-line check that needs the database (e.g. "does this employer exist"); null when fine. */
export type BulkCheck<T> = (entries: BulkEntry<T>[]) => Promise<Map<number, LineResult>>;

/**
 * Upserts NDJSON lines by externalId. Each line is checked on its own, so a bad line never
 * blocks the good ones; good lines are written in batches, and a batch that fails after all is
 * retried line by line so only the line at fault is reported.
 */
type BulkLine = {
  externalId: string;
  questionnaireId?: string;
  questionnaireVersion?: number;
  answers?: unknown;
};

export async function runBulk<S extends z.ZodType<BulkLine>>(options: {
  body: string;
  lineSchema: S;
  questionnaires: QuestionnaireCatalog;
  check?: BulkCheck<z.output<S>>;
  write: BulkWriter<z.output<S>>;
  onWriteError: (error: unknown) => void;
}): Promise<{ results: LineResult[]; summary: { created: number; updated: number; failed: number } }> {
  const lines = splitLines(options.body);
  const results = new Map<number, LineResult>();
  const entries: BulkEntry<z.output<S>>[] = [];
  const seen = new Map<string, number>();

  for (const [k, { line, text }] of lines.entries()) {
    if (k > 0 && k % LINES_PER_TURN === 0) await nextTurn();
    const parsed = parseLine(text, options.lineSchema);
    if (!parsed.ok) {
      results.set(line, { line, status: 'error', error: parsed.error });
      continue;
    }
    const { externalId } = parsed.value;
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
      continue;
    }
    const { questionnaireId, questionnaireVersion, answers: given } = parsed.value;
    const answers =
      given !== undefined && questionnaireId !== undefined
        ? resolveAnswers(options.questionnaires, { questionnaireId, questionnaireVersion, answers: given })
        : undefined;
    if (answers && !answers.ok) {
      results.set(line, {
        line,
        status: 'error',
        externalId,
        error: { code: 'invalid_answers', detail: answers.detail, errors: answers.errors },
      });
      continue;
    }
    seen.set(externalId, line);
    entries.push({ line, externalId, record: parsed.value, answers: answers?.value });
  }

  const refused = options.check ? await options.check(entries) : new Map<number, LineResult>();
  for (const [line, result] of refused) results.set(line, result);
  const writable = entries.filter((entry) => !refused.has(entry.line));

  for (let start = 0; start < writable.length; start += CHUNK_SIZE) {
    const chunk = writable.slice(start, start + CHUNK_SIZE);
    for (const result of await writeChunk(chunk, options.write, options.onWriteError))
      results.set(result.line, result);
  }

  const ordered = [...results.values()].sort((a, b) => a.line - b.line).map(bounded);
  return {
    results: ordered,
    summary: {
      created: ordered.filter((r) => r.status === 'created').length,
      updated: ordered.filter((r) => r.status === 'updated').length,
      failed: ordered.filter((r) => r.status === 'error').length,
    },
  };
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
    if (chunk.length === 1) {
      onWriteError(error);
      const [entry] = chunk;
      return [
        {
          line: entry!.line,
          status: 'error',
          externalId: entry!.externalId,
          error: {
            code: 'invalid_input',
            detail: 'This line could not be stored; nothing of it was written.',
          },
        },
      ];
    }
    const results: LineResult[] = [];
    for (const entry of chunk) results.push(...(await writeChunk([entry], write, onWriteError)));
    return results;
  }
}

function toResults<T>(
  chunk: BulkEntry<T>[],
  written: Map<string, { id: string; inserted: boolean }>,
): LineResult[] {
  return chunk.map((entry) => {
    const row = written.get(entry.externalId);
    if (!row) throw new Error(`bulk write returned no row for externalId ${entry.externalId}`);
    return {
      line: entry.line,
      status: row.inserted ? 'created' : 'updated',
      id: row.id,
      externalId: entry.externalId,
    };
  });
}

function splitLines(body: string): { line: number; text: string }[] {
  const lines = body
    .split('\n')
    .map((text, index) => ({ line: index + 1, text: text.trim() }))
    .filter(({ text }) => text.length > 0);
  if (lines.length === 0) {
    throw new AppError('invalid_input', 'The body has no lines; send one JSON object per line (NDJSON).');
  }
  if (lines.length > MAX_BULK_LINES) {
    throw new AppError(
      'invalid_input',
      `The body has ${lines.length} lines; at most ${MAX_BULK_LINES} are taken per request. Split it up.`,
    );
  }
  return lines;
}

function parseLine<S extends z.ZodType>(
  text: string,
  schema: S,
):
  | { ok: true; value: z.output<S> }
  | { ok: false; error: Extract<LineResult, { status: 'error' }>['error'] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: { code: 'validation_failed', detail: 'The line is not valid JSON.' } };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const errors = parsed.error.issues.map((issue) => ({
    path: issue.path.join('.') || '(line)',
    message: issue.message,
  }));
  return {
    ok: false,
    error: {
      code: 'validation_failed',
      detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      errors,
    },
  };
}
