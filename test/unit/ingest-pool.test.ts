import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CheckedChunk, checkChunk, lineChecker } from '../../src/ingest/check-chunk.ts';
import { IngestPool } from '../../src/ingest/ingest-pool.ts';
import { candidateLine, checkLines, keptWhenLeftOut } from '../../src/profiles/bulk-lines.ts';
import type { QuestionnaireCatalog } from '../../src/questionnaires/loader.ts';
import { testQuestionnaires } from '../support/app.ts';
import { miniAnswers } from '../support/factories.ts';

const crashing = new URL('../support/crashing-ingest-thread.ts', import.meta.url);

/** Lines of every kind a bulk body holds: good ones, bad JSON, schema and answer errors, blanks. */
const anyLine = fc.oneof(
  fc
    .record({ id: fc.stringMatching(/^[a-z0-9-]{1,8}$/), score: fc.double({ min: 0, max: 1, noNaN: true }) })
    .map(({ id, score }) =>
      JSON.stringify({
        externalId: id,
        minScore: score,
        contact: { name: 'N', email: `${id}@x.io` },
        ...miniAnswers(),
      }),
    ),
  fc
    .stringMatching(/^[a-z0-9-]{1,8}$/)
    .map((id) => JSON.stringify({ externalId: id, contact: { name: 'N', email: `${id}@x.io` } })),
  fc.integer({ min: -5, max: 9 }).map((remote) =>
    JSON.stringify({
      externalId: `r${remote}`,
      contact: { name: 'N', email: 'r@x.io' },
      questionnaireId: 'mini',
      answers: { remote: { value: remote, accept: { min: 0, max: 2 }, importance: 'very' } },
    }),
  ),
  fc.constantFrom(
    '{}',
    '{"externalId":""}',
    'not json',
    '[1,2]',
    '  ',
    '',
    '{"externalId":"x","nickname":1}',
  ),
  fc.string({ maxLength: 20 }),
);

const chunkOf = (lines: string[], crlf: boolean) => ({
  firstLine: 1,
  bytes: Buffer.from(lines.join(crlf ? '\r\n' : '\n')),
});

/** Packed rows come back from a thread as plain Uint8Arrays (a Buffer here): compare their bytes. */
const comparable = (checked: CheckedChunk) =>
  JSON.parse(
    JSON.stringify(checked, (_key, value) =>
      value instanceof Uint8Array ? [...value] : value?.type === 'Buffer' ? value.data : value,
    ),
  );

describe('the ingest pool', () => {
  let questionnaires: QuestionnaireCatalog;
  let pool: IngestPool | undefined;
  beforeAll(async () => {
    questionnaires = await testQuestionnaires();
  });
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('checks any lines on its threads exactly as the calling thread does', async () => {
    pool = new IngestPool(2, questionnaires);
    const local = lineChecker(questionnaires);
    await fc.assert(
      fc.asyncProperty(fc.array(anyLine, { maxLength: 30 }), fc.boolean(), async (lines, crlf) => {
        const chunk = chunkOf(lines, crlf);
        const onThread = await pool!.check('candidate', chunk);
        expect(comparable(onThread)).toEqual(comparable(checkChunk(local, 'candidate', chunk)));
      }),
      { numRuns: 60 },
    );
    expect(pool.fallbacks).toBe(0);
  });

  it('checks the chunks of a thread that dies on the calling thread instead, with the same results', async () => {
    const gaveUp: string[] = [];
    pool = new IngestPool(1, questionnaires, { workerUrl: crashing, onGiveUp: () => gaveUp.push('gave up') });
    const lines = [
      '{}',
      JSON.stringify({ externalId: 'a', contact: { name: 'N', email: 'a@x.io' }, ...miniAnswers() }),
    ];
    const expected = comparable(checkChunk(lineChecker(questionnaires), 'candidate', chunkOf(lines, false)));
    for (let i = 0; i < 4; i++) {
      expect(comparable(await pool.check('candidate', chunkOf(lines, false)))).toEqual(expected);
    }
    expect(pool.fallbacks).toBe(3);
    expect(gaveUp).toEqual(['gave up']);
  });

  it('decodes and numbers a chunk’s lines as the whole body decoded and split would, whatever its bytes', async () => {
    const checker = lineChecker(questionnaires);
    const piece = fc.oneof(
      anyLine.map((text) => Buffer.from(text)),
      fc.constantFrom('é', '😀', '\r', '\n', ' ', '\u00a0').map((text) => Buffer.from(text)),
      fc.uint8Array({ maxLength: 4 }).map((bytes) => Buffer.from(bytes)),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 20 }),
        fc.integer({ min: 1, max: 99 }),
        (pieces, firstLine) => {
          const bytes = Buffer.concat(pieces);
          const lines = bytes
            .toString('utf8')
            .split('\n')
            .map((text, i) => ({ line: firstLine + i, text: text.trim() }))
            .filter(({ text }) => text.length > 0);
          const expected = checkLines(
            lines,
            candidateLine,
            checker.packer,
            questionnaires,
            keptWhenLeftOut.candidate,
          );
          const checked = checkChunk(checker, 'candidate', { firstLine, bytes });
          expect(comparable({ lines: checked.lines, count: checked.count })).toEqual(
            comparable({ lines: expected, count: lines.length }),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('still answers after it was closed, on the calling thread, without starting a thread', async () => {
    pool = new IngestPool(1, questionnaires);
    await pool.close();
    const chunk = chunkOf(['{}', 'x'], false);
    expect(comparable(await pool.check('job', chunk))).toEqual(
      comparable(checkChunk(lineChecker(questionnaires), 'job', chunk)),
    );
    expect((pool as unknown as { threads: unknown[] }).threads).toEqual([undefined]);
  });

  it('only counts the lines that are not blank when asked to count', async () => {
    pool = new IngestPool(1, questionnaires);
    const checked = await pool.check('job', chunkOf(['{}', ' ', 'x', ''], false), true);
    expect(checked).toEqual({ lines: [], count: 2 });
  });
});
