import v8 from 'node:v8';
import vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CheckedChunk, checkChunk, lineChecker } from '../../src/ingest/check-chunk.ts';
import { CHECKS_AHEAD, readCheckedBody } from '../../src/ingest/checked-body.ts';
import type { IngestPool } from '../../src/ingest/ingest-pool.ts';
import type { LineChunk } from '../../src/ingest/line-chunks.ts';
import { type BulkEntry, writeBulk } from '../../src/profiles/bulk.ts';
import type { QuestionnaireCatalog } from '../../src/questionnaires/loader.ts';
import { testQuestionnaires } from '../support/app.ts';

/** A body's reads of 64 KiB, as a socket would deliver a large one. */
async function* reads(body: Buffer): AsyncIterable<Buffer> {
  for (let at = 0; at < body.length; at += 65_536) yield body.subarray(at, at + 65_536);
}

const candidate = (id: string) =>
  JSON.stringify({ externalId: id, headline: 'x'.repeat(120), contact: { name: 'N', email: `${id}@x.io` } });

/** A full garbage collection, after the current job (WeakRefs deref'd in it stay alive until it ends). */
async function collectGarbage(): Promise<void> {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
}

const stored = (entries: BulkEntry<unknown>[]) =>
  new Map(entries.map((entry) => [entry.externalId, { id: `id-${entry.externalId}`, inserted: true }]));

describe('a bulk body handed on before its last chunk is checked', () => {
  let questionnaires: QuestionnaireCatalog;
  beforeAll(async () => {
    questionnaires = await testQuestionnaires();
  });

  /** A pool that checks each chunk on this thread once `before(chunk)` has settled. */
  const poolAfter = (before: (chunk: LineChunk) => Promise<void>) => {
    const local = lineChecker(questionnaires);
    return {
      check: async (kind: 'candidate', chunk: LineChunk): Promise<CheckedChunk> => {
        await before(chunk);
        return checkChunk(local, kind, chunk);
      },
    } as unknown as IngestPool;
  };

  /** The lines as one NDJSON body, read and checked by `pool`. */
  const bodyOf = (lines: string[], pool: IngestPool) =>
    readCheckedBody(reads(Buffer.from(`${lines.join('\n')}\n`)), {
      kind: 'candidate',
      pool,
      bodyLimit: 1 << 24,
      digest: false,
    });

  it("writes a request's first batch while its later lines are still being checked, in line order", async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Checks the body's first chunk (about 256 KiB: some 1,500 of these lines) at once, the others
    // only once a batch has been written.
    const pool = poolAfter(async (chunk) => {
      if (chunk.firstLine > 1) await released;
    });
    // Line 2,500 repeats line 1's externalId: refused in line order although its chunk came later.
    const lines = Array.from({ length: 2_500 }, (_, i) => candidate(i === 2_499 ? 'c-0' : `c-${i}`));
    const body = await bodyOf(lines, pool);

    const written: string[] = [];
    const outcome = await writeBulk({
      checked: body.lines(),
      write: async (entries) => {
        written.push(`${entries[0]!.line}+${entries.length}`);
        release();
        return stored(entries);
      },
      onWriteError: () => {},
    });
    expect(written).toEqual(['1+1000', '1001+1000', '2001+499']);
    expect(outcome.summary).toEqual({ created: 2_499, updated: 0, unchanged: 0, failed: 1 });
    expect(outcome.results.map((r) => r.line)).toEqual(lines.map((_, i) => i + 1));
    expect(outcome.results[2_499]).toMatchObject({
      status: 'error',
      error: { code: 'invalid_input', detail: 'externalId c-0 already appears on line 1.' },
    });
  });

  it('checks a few chunks ahead of the lines taken, not the whole body at once', async () => {
    let started = 0;
    const pool = poolAfter(async () => {
      started++;
    });
    const lines = Array.from({ length: 8_000 }, (_, i) =>
      JSON.stringify({ externalId: `c-${i}`, headline: 'x'.repeat(700) }),
    );
    const body = await bodyOf(lines, pool);
    expect(started).toBe(CHECKS_AHEAD);
    let taken = 0;
    let seen = 0;
    for await (const chunk of body.lines()) {
      taken++;
      seen += chunk.length;
      expect(started).toBeLessThanOrEqual(taken + CHECKS_AHEAD);
      expect(started).toBeGreaterThanOrEqual(taken);
    }
    expect(taken).toBeGreaterThan(CHECKS_AHEAD + 2);
    expect(started).toBe(taken);
    expect(seen).toBe(lines.length);
  });

  it('lets each chunk go once it is handed on, and gives its lines once', async () => {
    const pool = poolAfter(async () => {});
    const body = await bodyOf(
      Array.from({ length: 2_500 }, (_, i) => candidate(`c-${i}`)),
      pool,
    );
    const chunks = body.lines();
    let first = (await chunks.next()).value;
    const firstLines = new WeakRef(first!);
    first = undefined;
    expect((await chunks.next()).done).toBe(false);
    await collectGarbage();
    // The body is still the request's, but the lines handed on before the current chunk are gone.
    expect(body).toBeDefined();
    expect(firstLines.deref()).toBeUndefined();
    await expect(body.lines().next()).rejects.toThrow('read once');
  });

  it('ends the request on a chunk whose check fails, keeping the batches written before it', async () => {
    const failure = new Error('an ingest thread failed: a fault of ours');
    const pool = poolAfter(async (chunk) => {
      if (chunk.firstLine > 1) throw failure;
    });
    const lines = Array.from({ length: 2_500 }, (_, i) => candidate(`c-${i}`));
    const body = await bodyOf(lines, pool);
    const written: string[] = [];
    const outcome = writeBulk({
      checked: body.lines(),
      write: async (entries) => {
        written.push(`${entries[0]!.line}+${entries.length}`);
        return stored(entries);
      },
      onWriteError: () => {},
    });
    await expect(outcome).rejects.toBe(failure);
    expect(written).toEqual(['1+1000']);
  });
});
