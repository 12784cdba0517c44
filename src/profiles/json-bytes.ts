/** JSON's structural bytes and its spaces, and a view of bytes as a Buffer, for the scanners that read a bulk line's bytes (answers-span.ts, bulk-fast-answers.ts, check-chunk.ts). */

export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COLON = 0x3a;
export const COMMA = 0x2c;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;

/** The same bytes as a Buffer, not copied (a Uint8Array handed over between threads is not one). */
export function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Space, line feed, carriage return or tab: the whitespace JSON allows between tokens. */
export function isJsonSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}
