import type { PackedAnswers } from './bulk-lines.ts';

/*
 * The bulk answers statement's parameters (bulk-repository.ts insertAnswers): bytes and positions
 * rather than arrays of text, which node-postgres would quote element by element and PostgreSQL
 * parse back.
 */

const NEWLINE = 0x0a;

/**
 * The answer sets as NDJSON, one line each (JSON never holds a raw line break): copied into one
 * buffer, the line breaks written in place (Buffer.concat of the lines and as many line breaks
 * took twice the CPU, a copy call per piece).
 */
export function ndjsonBytes(lines: Uint8Array[]): Buffer {
  let length = Math.max(0, lines.length - 1);
  for (const line of lines) length += line.byteLength;
  const bytes = Buffer.allocUnsafe(length);
  let at = 0;
  lines.forEach((line, i) => {
    if (i > 0) bytes[at++] = NEWLINE;
    bytes.set(line, at);
    at += line.byteLength;
  });
  return bytes;
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
