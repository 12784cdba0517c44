import { z } from 'zod';
import { questionnaireOf, resolveAnswers } from '../answers/resolve.ts';
import type { AnswerSet } from '../answers/types.ts';
import type { ErrorCode, FieldProblem } from '../http/errors.ts';
import { answerMap } from '../http/schema-parts.ts';
import { findUnstorableText } from '../http/text-guard.ts';
import { compileLayout, type Layout } from '../matching/engine/layout.ts';
import { layoutKey, packAnswers } from '../matching/engine/packed-row.ts';
import { MAX_CRITERIA, type QuestionnaireDefinition } from '../questionnaires/definition.ts';
import type { QuestionnaireCatalog } from '../questionnaires/loader.ts';
import { answersSpan, LineScan } from './answers-span.ts';
import { fastAnswerSet, readAnswerObject } from './bulk-fast-answers.ts';
import { fastCandidateLine } from './bulk-fast-line.ts';
import { bufferOf } from './json-bytes.ts';
import { candidateCreate, jobCreate, MAX_EXTERNAL_ID, MAX_QUESTIONNAIRE_ID } from './schemas.ts';

/*
 * One bulk line on its own: parsed, checked against the line schema and its questionnaire, and
 * its answers packed into the index row stored beside them. Pure, so it runs the same on the
 * ingest threads (src/ingest/) and on the calling thread.
 */

const answersFields = {
  questionnaireId: z.string().max(MAX_QUESTIONNAIRE_ID).optional(),
  questionnaireVersion: z.number().int().min(1).optional(),
  answers: answerMap(MAX_CRITERIA).optional(),
};
const needsQuestionnaire = (line: { answers?: unknown; questionnaireId?: string }) =>
  line.answers === undefined || line.questionnaireId !== undefined;
const questionnaireMessage = {
  message: 'questionnaireId is required with answers',
  path: ['questionnaireId'],
};

export const candidateLine = z
  .strictObject({
    ...candidateCreate.shape,
    externalId: z.string().trim().min(1).max(MAX_EXTERNAL_ID),
    ...answersFields,
  })
  .refine(needsQuestionnaire, questionnaireMessage);

export const jobLine = z
  .strictObject({
    ...jobCreate.shape,
    employerId: z.uuid().optional(),
    employerExternalId: z.string().trim().min(1).max(128).optional(),
    externalId: z.string().trim().min(1).max(128),
    ...answersFields,
  })
  .refine((line) => (line.employerId === undefined) !== (line.employerExternalId === undefined), {
    message: 'give exactly one of employerId and employerExternalId',
    path: ['employerId'],
  })
  .refine(needsQuestionnaire, questionnaireMessage);

export type BulkKind = 'candidate' | 'job';
export const lineSchemas = { candidate: candidateLine, job: jobLine } as const;

/**
 * A line schema's shortcut for the common well-formed line: the value the schema would give, or
 * undefined to have the schema check the line (and word its errors).
 */
export type FastLine<S extends z.ZodType> = (json: unknown) => z.output<S> | undefined;
export const fastLines: { [K in BulkKind]?: FastLine<(typeof lineSchemas)[K]> } = {
  candidate: fastCandidateLine,
};

/**
 * Fields a line may leave out. A new record takes their defaults; a record the line updates keeps
 * what it has, as with a PATCH (writeJobs and writeCandidates read them back); so do its answers.
 */
export const keptWhenLeftOut = {
  candidate: ['headline', 'minScore'],
  job: ['capacity', 'status', 'minScore'],
} as const satisfies Record<BulkKind, readonly string[]>;

export type LineError = { code: ErrorCode; detail: string; errors?: FieldProblem[] | undefined };

/** Answers ready to store: their JSON (UTF-8 bytes) and their packed index row. */
export interface PackedAnswers {
  questionnaireId: string;
  questionnaireVersion: number;
  json: Uint8Array;
  indexRow: Uint8Array;
  indexLayout: string;
}

/** What one line checks to; the duplicate check across lines comes after, in line order. */
export type CheckedLine<T, A = PackedAnswers> =
  | { line: number; refused: LineError; externalId?: string | undefined }
  | { line: number; externalId: string; record: T; answers: { ok: true; value?: A } }
  | { line: number; externalId: string; record: T; answers: { ok: false; error: LineError } };

type ResolvedAnswers = {
  questionnaireId: string;
  questionnaireVersion: number;
  answers: AnswerSet;
  /** The line's own bytes of the answers (validation accepts a set only as it was given). */
  json?: Uint8Array | undefined;
};

type BulkLine = {
  externalId: string;
  /** the fields of keptWhenLeftOut the line left out (absent when it gave them all) */
  leftOut?: readonly string[];
  questionnaireId?: string;
  questionnaireVersion?: number;
  answers?: unknown;
};

const utf8 = new TextEncoder();

/** Packs answer sets as the index does (same layouts, same bytes), with the layouts kept. */
export class AnswerPacker {
  private readonly layouts = new Map<string, { layout: Layout; key: string }>();
  private readonly questionnaires: QuestionnaireCatalog;

  constructor(questionnaires: QuestionnaireCatalog) {
    this.questionnaires = questionnaires;
  }

  /** Packs many at once: one scratch store per layout, not one per answer set. */
  packAll(sets: ResolvedAnswers[]): PackedAnswers[] {
    const packed: PackedAnswers[] = new Array(sets.length);
    const byLayout = new Map<string, number[]>();
    sets.forEach(({ questionnaireId, questionnaireVersion }, i) => {
      const name = `${questionnaireId}@${questionnaireVersion}`;
      const positions = byLayout.get(name) ?? [];
      positions.push(i);
      byLayout.set(name, positions);
    });
    for (const [name, positions] of byLayout) {
      const { layout, key } = this.layoutOf(name, sets[positions[0]!]!);
      const rows = packAnswers(
        layout,
        positions.map((i) => sets[i]!.answers),
      );
      positions.forEach((i, k) => {
        const { questionnaireId, questionnaireVersion, answers, json: sent } = sets[i]!;
        const json = sent ?? utf8.encode(JSON.stringify(answers));
        packed[i] = { questionnaireId, questionnaireVersion, json, indexRow: rows[k]!, indexLayout: key };
      });
    }
    return packed;
  }

  private layoutOf(name: string, { questionnaireId, questionnaireVersion }: ResolvedAnswers) {
    let known = this.layouts.get(name);
    if (!known) {
      const questionnaire = this.questionnaires.get(questionnaireId, questionnaireVersion);
      if (!questionnaire) throw new Error(`answers refer to unknown questionnaire ${name}`);
      const layout = compileLayout(questionnaire);
      known = { layout, key: layoutKey(layout) };
      this.layouts.set(name, known);
    }
    return known;
  }
}

/**
 * Checks lines one by one, then packs the answers of those that passed, all at once. `bytes`: the
 * line's UTF-8, whose answers are then stored as sent.
 */
export function checkLines<S extends z.ZodType<BulkLine>>(
  lines: GivenLine[],
  schema: S,
  packer: AnswerPacker,
  questionnaires: QuestionnaireCatalog,
  kept: readonly string[],
  fast?: FastLine<S> | undefined,
): CheckedLine<z.output<S>>[] {
  const checked = lines.map((given) => checkLine(given, schema, questionnaires, kept, fast));
  const resolved: ResolvedAnswers[] = [];
  for (const c of checked)
    if ('answers' in c && c.answers.ok && c.answers.value) resolved.push(c.answers.value);
  const packed = packer.packAll(resolved);
  let next = 0;
  return checked.map((c) =>
    'answers' in c && c.answers.ok && c.answers.value
      ? { ...c, answers: { ok: true, value: packed[next++]! } }
      : (c as CheckedLine<z.output<S>>),
  );
}

function checkLine<S extends z.ZodType<BulkLine>>(
  given: GivenLine,
  schema: S,
  questionnaires: QuestionnaireCatalog,
  kept: readonly string[],
  fast: FastLine<S> | undefined,
): CheckedLine<z.output<S>, ResolvedAnswers> {
  const { line, bytes } = given;
  return (
    (bytes && checkLineWithFastAnswers(line, bytes, schema, questionnaires, kept, fast)) ??
    checkParsedLine({ line, text: textOf(given), bytes }, schema, questionnaires, kept, fast)
  );
}

/**
 * A line to check: its text (trimmed), its bytes, or both. Given bytes only, the line is not blank
 * (check-chunk.ts), and is decoded only if its answers cannot be read from the bytes.
 */
export type GivenLine =
  | { line: number; text: string; bytes?: Uint8Array | undefined }
  | { line: number; text?: string | undefined; bytes: Uint8Array };

function textOf(given: GivenLine): string {
  return given.text ?? bufferOf(given.bytes!).toString('utf8').trim();
}

/**
 * The common line with answers: its answers read straight from its bytes (bulk-fast-answers.ts),
 * the rest of it parsed and checked as any line is. Undefined when either is not plainly fine (or
 * the line names `answers` twice): checkLine then checks the whole line again the usual way, which
 * words every error.
 *
 * Where the answers end is known only once they are read, and which questionnaire reads them only
 * once the rest is parsed; so they are read with the questionnaire of this thread's last such line
 * (a bulk request's lines nearly always share one) and kept if the rest names that one. Otherwise
 * their end is found by a scan of their bytes, and they are read again with the questionnaire named.
 */
function checkLineWithFastAnswers<S extends z.ZodType<BulkLine>>(
  line: number,
  given: Uint8Array,
  schema: S,
  questionnaires: QuestionnaireCatalog,
  kept: readonly string[],
  fast: FastLine<S> | undefined,
): CheckedLine<z.output<S>, ResolvedAnswers> | undefined {
  const bytes = bufferOf(given);
  const scan = new LineScan(bytes);
  const start = scan.nextAnswers();
  if (start < 0) return undefined;
  const guess = lastQuestionnaire;
  const read = guess && readAnswerObject(guess, bytes, start, bytes.length);
  if (read) scan.skipTo(read.end);
  const end = read ? read.end : scan.valueEnd(start);
  if (end < 0 || scan.nextAnswers() >= 0) return undefined;
  // The line with `{}` for its answers: valid JSON, with its answers' bytes a JSON object, only if
  // the whole line is (the scan found the key outside any string: the rest parsing says so).
  const rest = `${bytes.toString('utf8', 0, start)}{}${bytes.toString('utf8', end)}`;
  const parsed = parseLine(rest, schema, fast);
  if (!parsed.ok) return undefined;
  const { externalId, questionnaireId, questionnaireVersion } = parsed.value;
  if (questionnaireId === undefined) return undefined;
  const questionnaire = questionnaireOf(questionnaires, questionnaireId, questionnaireVersion);
  if (!questionnaire) return undefined;
  const answers =
    read && questionnaire === guess ? read.answers : fastAnswerSet(questionnaire, bytes, start, end);
  if (!answers) return undefined;
  lastQuestionnaire = questionnaire;
  const { record } = recordOf(parsed, kept);
  const value: ResolvedAnswers = {
    questionnaireId: questionnaire.id,
    questionnaireVersion: questionnaire.version,
    answers,
    json: bytes.subarray(start, end),
  };
  return { line, externalId, record, answers: { ok: true, value } };
}

/** The questionnaire of the last line whose answers checkLineWithFastAnswers read (this thread's). */
let lastQuestionnaire: QuestionnaireDefinition | undefined;

function checkParsedLine<S extends z.ZodType<BulkLine>>(
  { line, text, bytes }: { line: number; text: string; bytes?: Uint8Array | undefined },
  schema: S,
  questionnaires: QuestionnaireCatalog,
  kept: readonly string[],
  fast: FastLine<S> | undefined,
): CheckedLine<z.output<S>, ResolvedAnswers> {
  const parsed = parseLine(text, schema, fast);
  if (!parsed.ok) return { line, refused: parsed.error, externalId: parsed.externalId };
  const { record, given } = recordOf(parsed, kept);
  const { externalId, questionnaireId, questionnaireVersion } = record;
  if (given === undefined || questionnaireId === undefined)
    return { line, externalId, record, answers: { ok: true } };
  const answers = resolveAnswers(questionnaires, { questionnaireId, questionnaireVersion, answers: given });
  if (!answers.ok) {
    const error = { code: 'invalid_answers' as const, detail: answers.detail, errors: answers.errors };
    return { line, externalId, record, answers: { ok: false, error } };
  }
  const value: ResolvedAnswers = answers.value;
  // Validation accepts a set only as it was given (the same JSON value: test/unit/answers-validate),
  // so the line's own bytes of it are what to store.
  const span = bytes && answersSpan(bytes);
  if (span) value.json = bytes.subarray(span[0], span[1]);
  return { line, externalId, record, answers: { ok: true, value } };
}

/**
 * A parsed line's record as the writer takes it: the kept fields it left out named (`leftOut`), its
 * answers taken off (they travel on as JSON and a packed row; the writer never reads them there).
 */
function recordOf<T extends BulkLine>(parsed: { value: T; json: unknown }, kept: readonly string[]) {
  const record = parsed.value;
  const leftOut = kept.filter((field) => !(field in (parsed.json as object)));
  if (leftOut.length > 0) record.leftOut = leftOut;
  const given = record.answers;
  delete record.answers;
  return { record, given };
}

/** The escape of U+0000 or of a surrogate (paired or not: the search tells). */
const MAYBE_UNSTORABLE = /\\u(?:0000|[dD][89a-fA-F])/;

function parseLine<S extends z.ZodType>(
  text: string,
  schema: S,
  fast: FastLine<S> | undefined,
):
  | { ok: true; value: z.output<S>; json: unknown }
  | { ok: false; error: LineError; externalId?: string | undefined } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: { code: 'validation_failed', detail: 'The line is not valid JSON.' } };
  }
  // The line's own id, when it has one, so its result can be matched to the record it was for:
  // trimmed, as the line schema stores it (and as an accepted line's result echoes it).
  const given = (json as { externalId?: unknown } | null)?.externalId;
  const trimmed = typeof given === 'string' ? given.trim() : '';
  const externalId = trimmed.length > 0 && trimmed.length <= 128 ? trimmed : undefined;
  // Text PostgreSQL cannot store as sent: U+0000 (text cannot hold it) and a lone surrogate (the
  // driver's UTF-8 would make it U+FFFD without a word). JSON can only write either as an escape,
  // \u0000 or \uD800-\uDFFF: only a line with one is searched (a client that escapes every
  // accented letter does not pay for it). Refused here, named, as for a single write (text-guard.ts).
  const bad = MAYBE_UNSTORABLE.test(text) ? findUnstorableText(json, '') : undefined;
  if (bad !== undefined) {
    const path = bad.path.slice(1) || '(line)';
    const { message } = bad;
    return {
      ok: false,
      externalId,
      error: { code: 'validation_failed', detail: `${path}: ${message}`, errors: [{ path, message }] },
    };
  }
  const quick = fast?.(json);
  if (quick !== undefined) return { ok: true, value: quick, json };
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data, json };
  const errors = parsed.error.issues.map((issue) => ({
    path: issue.path.join('.') || '(line)',
    message: issue.message,
  }));
  return {
    ok: false,
    externalId,
    error: {
      code: 'validation_failed',
      detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      errors,
    },
  };
}
