import type { PackedAnswers } from './bulk-lines.ts';

/*
 * The bulk answers statement's parameters (bulk-repository.ts insertAnswers): bytes and positions
 * rather than arrays of text, which node-postgres would quote element by element and PostgreSQL
 * parse back.
 */

const NEWLINE = Buffer.from('\n');

/** The answer sets as NDJSON, one line each (JSON never holds a raw line break). */
export function ndjsonBytes(lines: Uint8Array[]): Buffer {
  return Buffer.concat(lines.flatMap((line, i) => (i === 0 ? [line] : [NEWLINE, line])));
}

/** The packed rows end to end, and where each starts (from 1, as `substring` counts) and how long it is. */
export function packedRows(answerSets: PackedAnswers[]) {
  const starts: number[] = [];
  const lengths: number[] = [];
  let start = 1;
  for (const { indexRow } of answerSets) {
    starts.push(start);
    lengths.push(indexRow.byteLength);
    start += indexRow.byteLength;
  }
  return { bytes: Buffer.concat(answerSets.map((a) => a.indexRow)), starts, lengths };
}

/** Each distinct layout key once, and each answer set's key by its position there (from 1). */
export function layoutsOf(answerSets: PackedAnswers[]) {
  const positions = new Map<string, number>();
  const at = answerSets.map(({ indexLayout }) => {
    let position = positions.get(indexLayout);
    if (position === undefined) {
      position = positions.size + 1;
      positions.set(indexLayout, position);
    }
    return position;
  });
  return { keys: [...positions.keys()], at };
}
