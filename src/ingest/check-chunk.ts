import {
  AnswerPacker,
  type BulkKind,
  type CheckedLine,
  checkLines,
  fastLines,
  type GivenLine,
  keptWhenLeftOut,
  lineSchemas,
} from '../profiles/bulk-lines.ts';
import { bufferOf, isJsonSpace, OPEN_BRACE } from '../profiles/json-bytes.ts';
import type { QuestionnaireDefinition } from '../questionnaires/definition.ts';
import type { QuestionnaireCatalog } from '../questionnaires/loader.ts';
import { gatherAnswerBytes } from './chunk-bytes.ts';
import type { LineChunk } from './line-chunks.ts';

const NEWLINE = 0x0a;

export interface CheckedChunk {
  /** The chunk's lines that are not blank, checked (none when only counted). */
  lines: CheckedLine<unknown>[];
  /** How many lines of the chunk are not blank. */
  count: number;
  /** Where the checked lines' answers bytes are (gatherAnswerBytes): a thread transfers it. */
  answerBytes?: ArrayBuffer;
}

/** What checking lines needs, built once per thread. */
export interface LineChecker {
  questionnaires: QuestionnaireCatalog;
  packer: AnswerPacker;
}

export function lineChecker(questionnaires: QuestionnaireCatalog): LineChecker {
  return { questionnaires, packer: new AnswerPacker(questionnaires) };
}

/**
 * Checks the lines of one chunk (the same on an ingest thread and on the calling thread). Lines
 * are trimmed and blank ones skipped but counted, as `body.split('\n')` would number them.
 * `countOnly`: the body has too many lines already, so they are only counted for the error.
 */
export function checkChunk(
  checker: LineChecker,
  kind: BulkKind,
  chunk: LineChunk,
  countOnly = false,
): CheckedChunk {
  const bytes = bufferOf(chunk.bytes);
  const given: GivenLine[] = [];
  let line = chunk.firstLine;
  // Line by line, not the chunk at once: a line of plain ASCII then stays a one-byte string, which
  // decodes and parses several times faster than the two-byte string one accented line makes of a
  // whole chunk. (A newline byte never sits inside a UTF-8 sequence, so the text is the same.)
  // A line that opens with a brace is not blank, and is decoded only if the line's answers cannot
  // be read from its bytes (checkLines): the common line is never decoded whole.
  for (let start = 0; start <= bytes.length; line++) {
    const newline = bytes.indexOf(NEWLINE, start);
    const end = newline < 0 ? bytes.length : newline;
    if (opensWithBrace(bytes, start, end)) {
      given.push({ line, bytes: bytes.subarray(start, end) });
    } else {
      const text = bytes.toString('utf8', start, end).trim();
      if (text.length > 0) given.push({ line, text, bytes: bytes.subarray(start, end) });
    }
    start = end + 1;
  }
  if (countOnly) return { lines: [], count: given.length };
  const lines: CheckedLine<unknown>[] = checkLines(
    given,
    lineSchemas[kind],
    checker.packer,
    checker.questionnaires,
    keptWhenLeftOut[kind],
    fastLines[kind],
  );
  return { lines, count: given.length, answerBytes: gatherAnswerBytes(lines) };
}

/** Whether the first byte of `bytes[start..end)` after JSON's spaces is `{`. */
function opensWithBrace(bytes: Buffer, start: number, end: number): boolean {
  let at = start;
  while (at < end && isJsonSpace(bytes[at]!)) at++;
  return at < end && bytes[at] === OPEN_BRACE;
}

/** Every version of every questionnaire in the catalog, for a thread to build its own catalog from. */
export function definitionsOf(catalog: QuestionnaireCatalog): QuestionnaireDefinition[] {
  return catalog
    .list()
    .flatMap((latest) => Array.from({ length: latest.version }, (_, i) => catalog.get(latest.id, i + 1)))
    .filter((q) => q !== undefined);
}
