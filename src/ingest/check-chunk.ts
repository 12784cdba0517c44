import {
  AnswerPacker,
  type BulkKind,
  type CheckedLine,
  checkLines,
  lineSchemas,
} from '../profiles/bulk-lines.ts';
import type { QuestionnaireDefinition } from '../questionnaires/definition.ts';
import type { QuestionnaireCatalog } from '../questionnaires/loader.ts';
import type { LineChunk } from './line-chunks.ts';

export interface CheckedChunk {
  /** The chunk's lines that are not blank, checked (none when only counted). */
  lines: CheckedLine<unknown>[];
  /** How many lines of the chunk are not blank. */
  count: number;
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
  const { bytes } = chunk;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const given: { line: number; text: string }[] = [];
  let line = chunk.firstLine;
  for (const raw of text.split('\n')) {
    const trimmed = raw.trim();
    if (trimmed.length > 0) given.push({ line, text: trimmed });
    line++;
  }
  if (countOnly) return { lines: [], count: given.length };
  const lines: CheckedLine<unknown>[] = checkLines(
    given,
    lineSchemas[kind],
    checker.packer,
    checker.questionnaires,
  );
  return { lines, count: given.length };
}

/** Every version of every questionnaire in the catalog, for a thread to build its own catalog from. */
export function definitionsOf(catalog: QuestionnaireCatalog): QuestionnaireDefinition[] {
  return catalog
    .list()
    .flatMap((latest) => Array.from({ length: latest.version }, (_, i) => catalog.get(latest.id, i + 1)))
    .filter((q) => q !== undefined);
}
