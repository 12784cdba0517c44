import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  isJsonSpace,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from './json-bytes.ts';

const KEY = Buffer.from('"answers"');

/**
 * Where the value of the top-level `answers` field sits in the UTF-8 bytes of a line that
 * JSON.parse has accepted: [start, end), or undefined when the line has none. With the field
 * given twice, the last one (as JSON.parse keeps). Structural bytes are ASCII, and no byte of a
 * multi-byte UTF-8 sequence is, so a byte scan finds them as a character scan would.
 */
export function answersSpan(bytes: Uint8Array): [number, number] | undefined {
  let depth = 0;
  let span: [number, number] | undefined;
  let valueStart = -1;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === QUOTE) {
      const start = i;
      i = stringEnd(bytes, i);
      if (depth === 1 && valueStart < 0 && isAnswersKey(bytes, start, i)) valueStart = colonAfter(bytes, i);
      continue;
    }
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
      if (depth === 0 && valueStart >= 0) span = [valueStart, trimEnd(bytes, valueStart, i)];
    } else if (byte === COMMA && depth === 1 && valueStart >= 0) {
      span = [valueStart, trimEnd(bytes, valueStart, i)];
      valueStart = -1;
    }
  }
  return span;
}

/** The index of the quote that closes the string opening at `i`. */
function stringEnd(bytes: Uint8Array, i: number): number {
  for (let j = i + 1; j < bytes.length; j++) {
    if (bytes[j] === BACKSLASH) j++;
    else if (bytes[j] === QUOTE) return j;
  }
  return bytes.length;
}

function isAnswersKey(bytes: Uint8Array, start: number, end: number): boolean {
  if (end + 1 - start !== KEY.length) return false;
  for (let k = 0; k < KEY.length; k++) if (bytes[start + k] !== KEY[k]) return false;
  return true;
}

/** Where the value after a key's colon starts (the key ends at `i`); -1 when this was a value, not a key. */
function colonAfter(bytes: Uint8Array, i: number): number {
  let j = i + 1;
  while (j < bytes.length && isJsonSpace(bytes[j]!)) j++;
  if (bytes[j] !== COLON) return -1;
  j++;
  while (j < bytes.length && isJsonSpace(bytes[j]!)) j++;
  return j;
}

function trimEnd(bytes: Uint8Array, start: number, end: number): number {
  while (end > start && isJsonSpace(bytes[end - 1]!)) end--;
  return end;
}
