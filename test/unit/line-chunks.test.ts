import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutLineChunks, type LineChunk } from '../../src/ingest/line-chunks.ts';

/** The body's reads, as a socket would deliver them. */
async function* reads(parts: (string | Buffer)[]): AsyncIterable<Buffer> {
  for (const part of parts) yield Buffer.from(part);
}

/** Every line of the chunks with its number, as `body.split('\n')` numbers them. */
async function linesOf(parts: (string | Buffer)[], chunkBytes = 8, bodyLimit = 1 << 20) {
  const chunks: LineChunk[] = [];
  const body = await cutLineChunks(reads(parts), { bodyLimit, chunkBytes }, (chunk) => chunks.push(chunk));
  const lines = chunks.flatMap(({ firstLine, bytes }) => {
    const pieces = Buffer.from(bytes).toString('utf8').split('\n');
    // A chunk ends at a newline (but the body's last): the empty piece after it is the next line's.
    if (pieces.at(-1) === '') pieces.pop();
    return pieces.map((text, i) => ({ line: firstLine + i, text }));
  });
  return { lines, chunks, body };
}

const numbered = (body: string) =>
  body
    .split('\n')
    .map((text, i) => ({ line: i + 1, text }))
    .filter(({ text }, i, all) => i < all.length - 1 || text !== '');

describe('cutting an NDJSON body into chunks of whole lines', () => {
  it('joins a line split across many small reads and numbers the lines as the whole body would', async () => {
    const body = '{"a":1}\n{"b":22}\n\n{"c":333}\n';
    const oneByteReads = [...Buffer.from(body)].map((byte) => Buffer.from([byte]));
    const { lines, chunks } = await linesOf(oneByteReads);
    expect(lines).toEqual(numbered(body));
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.bytes.at(-1)).toBe(0x0a);
  });

  it('keeps CR of CRLF line ends on the line (the check trims it) and takes a last line without newline', async () => {
    const { lines } = await linesOf(['{"a":1}\r\n{"b"', ':2}\r\n{"c":3}']);
    expect(lines).toEqual([
      { line: 1, text: '{"a":1}\r' },
      { line: 2, text: '{"b":2}\r' },
      { line: 3, text: '{"c":3}' },
    ]);
  });

  it('never cuts inside a multi-byte character', async () => {
    const body = 'é😀\n€\n';
    const bytes = Buffer.from(body);
    const { lines } = await linesOf([bytes.subarray(0, 1), bytes.subarray(1, 4), bytes.subarray(4)], 2);
    expect(lines.map((l) => l.text)).toEqual(['é😀', '€']);
  });

  it('keeps a line longer than a chunk whole', async () => {
    const long = 'x'.repeat(100);
    const { lines } = await linesOf(['{"a":"', long, '"}\n{}'], 8);
    expect(lines).toEqual([
      { line: 1, text: `{"a":"${long}"}` },
      { line: 2, text: '{}' },
    ]);
  });

  it('throws Fastify’s 413 error once the body passes the limit', async () => {
    const error = await linesOf(['{"a":1}\n', '{"b":2}\n'], 4, 10).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
  });

  it('says when the body holds a NUL byte, and how many bytes it had', async () => {
    expect((await linesOf(['{"a":"\u0000"}\n'])).body).toEqual({
      bytes: 10,
      nul: true,
      badUtf8Line: undefined,
      lines: 1,
    });
    expect((await linesOf(['{"a":1}'])).body).toEqual({
      bytes: 7,
      nul: false,
      badUtf8Line: undefined,
      lines: 1,
    });
  });

  it('names the first line that is not valid UTF-8, whatever the chunks and reads', async () => {
    const bad = Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]); // {"\xff"}
    const lone = Buffer.from([0xe2, 0x82]); // the first two bytes of € alone
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('{"a":1}', 'é€😀', '', 'bad', 'lone'), { maxLength: 10 }),
        fc.integer({ min: 1, max: 20 }),
        async (kinds, chunkBytes) => {
          const lines = kinds.map((kind) =>
            kind === 'bad' ? bad : kind === 'lone' ? lone : Buffer.from(kind),
          );
          const body = Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')]));
          const first = kinds.findIndex((kind) => kind === 'bad' || kind === 'lone');
          const threeByteReads = Array.from({ length: Math.ceil(body.length / 3) }, (_, i) =>
            body.subarray(i * 3, i * 3 + 3),
          );
          const { body: seen } = await linesOf(threeByteReads, chunkBytes);
          expect(seen.badUtf8Line).toBe(first < 0 ? undefined : first + 1);
        },
      ),
    );
  });

  it('gives the lines of body.split for any body cut into any reads', async () => {
    const line = fc.stringMatching(/^[a-z{}":\r é€😀 ]{0,12}$/u);
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.integer({ min: 1, max: 40 }),
        async (texts, cuts, chunkBytes) => {
          const bytes = Buffer.from(texts.join('\n'));
          const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const parts = [0, ...at, bytes.length]
            .slice(1)
            .map((end, i, ends) => bytes.subarray(i === 0 ? 0 : ends[i - 1], end));
          const { lines, body } = await linesOf(parts, chunkBytes);
          expect(lines).toEqual(numbered(bytes.toString('utf8')));
          // At most this many lines can be other than blank: a body past the line limit is waited for.
          expect(body.lines).toBe(lines.length);
        },
      ),
    );
  });
});
