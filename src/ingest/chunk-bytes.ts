import type { CheckedLine } from '../profiles/bulk-lines.ts';

/**
 * Moves the answers' bytes of a chunk's checked lines (their JSON and packed row) into one buffer
 * of their own, each line's now a view of it, and returns that buffer: an ingest thread hands it
 * over whole (transferred, not copied) instead of cloning two small byte arrays a line.
 */
export function gatherAnswerBytes(lines: CheckedLine<unknown>[]): ArrayBuffer {
  let total = 0;
  for (const line of lines) {
    const packed = packedOf(line);
    if (packed) total += packed.json.byteLength + packed.indexRow.byteLength;
  }
  const store = new ArrayBuffer(total);
  const bytes = new Uint8Array(store);
  let at = 0;
  const moved = (from: Uint8Array) => {
    bytes.set(from, at);
    at += from.byteLength;
    return bytes.subarray(at - from.byteLength, at);
  };
  for (const line of lines) {
    const packed = packedOf(line);
    if (!packed) continue;
    packed.json = moved(packed.json);
    packed.indexRow = moved(packed.indexRow);
  }
  return store;
}

function packedOf(line: CheckedLine<unknown>) {
  return 'answers' in line && line.answers.ok ? line.answers.value : undefined;
}
