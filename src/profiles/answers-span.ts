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
 * given twice, the last one (as JSON.parse keeps).
 */
export function answersSpan(bytes: Uint8Array): [number, number] | undefined {
  const scan = new LineScan(bytes);
  let span: [number, number] | undefined;
  for (let start = scan.nextAnswers(); start >= 0; start = scan.nextAnswers()) {
    const end = scan.valueEnd(start);
    if (end < 0) break;
    span = [start, end];
  }
  return span;
}

/**
 * A forward scan of a line's structure: strings skipped, objects' and arrays' depth kept. Structural
 * bytes are ASCII, and no byte of a multi-byte UTF-8 sequence is, so a byte scan finds them as a
 * character scan would.
 */
export class LineScan {
  private readonly bytes: Uint8Array;
  private i = 0;
  private depth = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  /** Scans on to where the next top-level `answers` field's value starts: its index, or -1 at the line's end. */
  nextAnswers(): number {
    const { bytes } = this;
    for (; this.i < bytes.length; this.i++) {
      const byte = bytes[this.i]!;
      if (byte === QUOTE) {
        const start = this.i;
        this.i = stringEnd(bytes, this.i);
        if (this.depth === 1 && isAnswersKey(bytes, start, this.i)) {
          const value = colonAfter(bytes, this.i);
          if (value >= 0) {
            this.i = value;
            return value;
          }
        }
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.depth++;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) this.depth--;
    }
    return -1;
  }

  /**
   * Scans on past the top-level value that starts at `start` (where nextAnswers stopped) to the
   * comma or closing brace after it; returns where the value ends (spaces after it left out), or
   * -1 when the line ends first.
   */
  valueEnd(start: number): number {
    const { bytes } = this;
    for (; this.i < bytes.length; this.i++) {
      const byte = bytes[this.i]!;
      if (byte === QUOTE) this.i = stringEnd(bytes, this.i);
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.depth++;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        if (--this.depth === 0) return trimEnd(bytes, start, this.i++);
      } else if (byte === COMMA && this.depth === 1) return trimEnd(bytes, start, this.i++);
    }
    return -1;
  }

  /** Goes on from `end`, just past a top-level value read by other means (an object: depth 1 again). */
  skipTo(end: number): void {
    this.i = end;
  }
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
