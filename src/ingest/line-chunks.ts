import { isUtf8 } from 'node:buffer';
import { errorCodes } from 'fastify';

const NEWLINE = 0x0a;

/** Whole lines of an NDJSON body: `firstLine` is the 1-based number of the first line in `bytes`. */
export interface LineChunk {
  firstLine: number;
  bytes: Uint8Array;
}

export interface ChunkedBody {
  /** Bytes of the whole body. */
  bytes: number;
  /** The body holds a NUL byte (refused as a whole: PostgreSQL text cannot hold it). */
  nul: boolean;
  /** The first line that is not valid UTF-8 (refused as a whole rather than stored with U+FFFD). */
  badUtf8Line: number | undefined;
  /** Lines as `body.split('\n')` numbers them, less an empty last one: at most this many are not blank. */
  lines: number;
}

/**
 * Cuts a byte stream into chunks of whole lines as it arrives, each about `chunkBytes` (a line
 * longer than that is one chunk of its own), and hands them on: a line split across two reads is
 * joined first, and the last line needs no newline. Lines are numbered as `body.split('\n')`
 * numbers them. Past `bodyLimit` bytes it throws Fastify's 413 error, as a buffered body would.
 * Each byte is copied at most once (when a chunk is joined from several reads).
 */
export async function cutLineChunks(
  stream: AsyncIterable<Buffer>,
  options: { bodyLimit: number; chunkBytes: number },
  onChunk: (chunk: LineChunk) => void,
): Promise<ChunkedBody> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** position of the last newline among the pending reads: [read index, offset] */
  let lastNewline: [number, number] | undefined;
  let nextLine = 1;
  let received = 0;
  let nul = false;
  let badUtf8Line: number | undefined;
  let endsWithNewline = true;

  const emit = (bytes: Buffer) => {
    onChunk({ firstLine: nextLine, bytes });
    // A chunk holds whole lines, so it holds whole characters: a valid one is valid UTF-8 as a whole.
    if (badUtf8Line === undefined && !isUtf8(bytes)) badUtf8Line = nextLine + firstBadLine(bytes);
    nextLine += newlines(bytes);
  };

  for await (const data of stream) {
    received += data.length;
    if (received > options.bodyLimit) throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
    if (!nul && data.includes(0)) nul = true;
    if (data.length > 0) endsWithNewline = data[data.length - 1] === NEWLINE;
    pending.push(data);
    pendingBytes += data.length;
    const at = data.lastIndexOf(NEWLINE);
    if (at >= 0) lastNewline = [pending.length - 1, at];
    if (pendingBytes < options.chunkBytes || !lastNewline) continue;
    const [read, offset] = lastNewline;
    const tail = pending[read]!;
    emit(Buffer.concat([...pending.slice(0, read), tail.subarray(0, offset + 1)]));
    pending = [tail.subarray(offset + 1), ...pending.slice(read + 1)].filter((b) => b.length > 0);
    pendingBytes = pending.reduce((sum, b) => sum + b.length, 0);
    lastNewline = undefined;
  }
  if (pendingBytes > 0) emit(Buffer.concat(pending));
  return { bytes: received, nul, badUtf8Line, lines: endsWithNewline ? nextLine - 1 : nextLine };
}

/** How many lines into `bytes` the first one that is not valid UTF-8 starts. */
function firstBadLine(bytes: Buffer): number {
  let line = 0;
  let start = 0;
  for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, at + 1), line++) {
    if (!isUtf8(bytes.subarray(start, at))) return line;
    start = at + 1;
  }
  return line;
}

function newlines(bytes: Uint8Array): number {
  let count = 0;
  for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, at + 1)) count++;
  return count;
}
