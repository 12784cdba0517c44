import { parentPort, workerData } from 'node:worker_threads';
import type { BulkKind } from '../profiles/bulk-lines.ts';
import type { QuestionnaireDefinition } from '../questionnaires/definition.ts';
import { buildCatalog } from '../questionnaires/loader.ts';
import { type CheckedChunk, checkChunk, lineChecker } from './check-chunk.ts';
import type { LineChunk } from './line-chunks.ts';

/** One chunk of bulk lines to check (src/ingest/ingest-pool.ts). */
export interface ChunkTask {
  id: number;
  kind: BulkKind;
  chunk: LineChunk;
  countOnly: boolean;
}

export type ChunkAnswer = { id: number; checked: CheckedChunk } | { id: number; failure: string };

const checker = lineChecker(
  buildCatalog((workerData as { definitions: QuestionnaireDefinition[] }).definitions),
);

parentPort!.on('message', ({ id, kind, chunk, countOnly }: ChunkTask) => {
  let answer: ChunkAnswer;
  try {
    answer = { id, checked: checkChunk(checker, kind, chunk, countOnly) };
  } catch (error) {
    answer = { id, failure: String(error) };
  }
  const bytes = 'checked' in answer ? answer.checked.answerBytes : undefined;
  parentPort!.postMessage(answer, bytes ? [bytes] : []);
});
