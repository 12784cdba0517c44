import { describe, expect, it } from 'vitest';
import type { Db, Tx } from '../../src/db/client.ts';
import { holdTransaction } from '../../src/db/request-transaction.ts';
import { type BulkEntry, writeBulk } from '../../src/profiles/bulk.ts';
import type { CheckedLine } from '../../src/profiles/bulk-lines.ts';

/** Lines 1..n, every one valid, with externalIds e1..en. */
function lines(n: number): CheckedLine<object>[] {
  return Array.from({ length: n }, (_, i) => ({
    line: i + 1,
    externalId: `e${i + 1}`,
    record: {},
    answers: { ok: true, value: undefined },
  })) as unknown as CheckedLine<object>[];
}

const stored = (entries: BulkEntry<object>[]) =>
  new Map(entries.map((entry) => [entry.externalId, { id: `id-${entry.externalId}`, inserted: true }]));

describe('writeBulk', () => {
  it('reports only the line at fault when a batch fails on one line', async () => {
    const calls: number[] = [];
    const outcome = await writeBulk({
      checked: [lines(3)],
      write: async (entries) => {
        calls.push(entries.length);
        if (entries.some((entry) => entry.externalId === 'e2')) throw new Error('check constraint');
        return stored(entries);
      },
      onWriteError: () => {},
    });
    expect(outcome.summary).toEqual({ created: 2, updated: 0, unchanged: 0, failed: 1 });
    expect(outcome.results.map((r) => r.status)).toEqual(['created', 'error', 'created']);
    // Every fault of a line's own making is found before the write: this one is the service's.
    expect(outcome.results[1]).toMatchObject({ error: { code: 'internal' } });
    expect(calls).toEqual([3, 1, 1, 1]);
  });

  it('ends the write on a lost connection instead of blaming every line, keeping what committed', async () => {
    const lost = Object.assign(new Error('terminating connection'), { code: '57P01' });
    const calls: number[] = [];
    const written = writeBulk({
      checked: [lines(1_500)],
      write: async (entries) => {
        calls.push(entries.length);
        if (calls.length > 1) throw lost;
        return stored(entries);
      },
      onWriteError: () => {},
    });
    await expect(written).rejects.toBe(lost);
    // The first batch of 1,000 committed; the second failed once, and no line was tried alone.
    expect(calls).toEqual([1_000, 500]);
  });

  it('tells of each batch before it is written, the next one while the one before is written', async () => {
    const calls: string[] = [];
    const told = new Set<BulkEntry<object>[]>();
    const name = (entries: BulkEntry<object>[]) => `${entries[0]!.line}+${entries.length}`;
    await writeBulk({
      checked: [lines(1_200), lines(2_500).slice(1_200)],
      ahead: (entries) => {
        told.add(entries);
        calls.push(`ahead ${name(entries)}`);
      },
      write: async (entries) => {
        // The very batch told of (CandidateBatchesAhead finds its foresight by the array).
        calls.push(`write ${name(entries)}${told.has(entries) ? '' : ' (not told)'}`);
        return stored(entries);
      },
      onWriteError: () => {},
    });
    expect(calls).toEqual([
      'ahead 1+1000',
      'write 1+1000',
      'ahead 1001+1000',
      'write 1001+1000',
      'ahead 2001+500',
      'write 2001+500',
    ]);
  });

  it('writes up to inFlight batches at once, started in line order, and answers in line order', async () => {
    const started: number[] = [];
    let writing = 0;
    let most = 0;
    const outcome = await writeBulk({
      checked: [lines(2_500)],
      inFlight: 2,
      write: async (entries) => {
        started.push(entries[0]!.line);
        most = Math.max(most, ++writing);
        // The first batch takes longest: the second must not wait for it.
        await new Promise((resolve) => setTimeout(resolve, entries[0]!.line === 1 ? 30 : 5));
        writing--;
        return stored(entries);
      },
      onWriteError: () => {},
    });
    expect(started).toEqual([1, 1_001, 2_001]);
    expect(most).toBe(2);
    expect(outcome.summary).toEqual({ created: 2_500, updated: 0, unchanged: 0, failed: 0 });
    expect(outcome.results.map((r) => r.line)).toEqual(Array.from({ length: 2_500 }, (_, i) => i + 1));
    expect(outcome.results.every((r) => r.status === 'created' && r.id === `id-${r.externalId}`)).toBe(true);
  });

  it('on a lost connection starts no other batch and answers only once the one still writing has ended', async () => {
    const lost = Object.assign(new Error('terminating connection'), { code: '57P01' });
    const events: string[] = [];
    let finishSecond: () => void = () => {};
    const written = writeBulk({
      checked: [lines(3_500)],
      inFlight: 2,
      write: async (entries) => {
        const first = entries[0]!.line;
        events.push(`start ${first}`);
        if (first === 1) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          events.push('lost 1');
          throw lost;
        }
        await new Promise<void>((resolve) => {
          finishSecond = resolve;
        });
        events.push(`end ${first}`);
        return stored(entries);
      },
      onWriteError: () => {},
    });
    let settled = false;
    written.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(settled).toBe(false);
    finishSecond();
    await expect(written).rejects.toBe(lost);
    expect(events).toEqual(['start 1', 'start 1001', 'lost 1', 'end 1001']);
  });

  it("writes one batch at a time inside a request's transaction, whatever inFlight says", async () => {
    const db = { transaction: async (run: (tx: Tx) => Promise<unknown>) => run({} as Tx) } as unknown as Db;
    const held = await holdTransaction(db);
    let writing = 0;
    let most = 0;
    const outcome = await new Promise<Awaited<ReturnType<typeof writeBulk>>>((resolve, reject) =>
      held.enter(() => {
        writeBulk({
          checked: [lines(2_500)],
          inFlight: 2,
          write: async (entries) => {
            most = Math.max(most, ++writing);
            await new Promise((done) => setTimeout(done, 5));
            writing--;
            return stored(entries);
          },
          onWriteError: () => {},
        }).then(resolve, reject);
      }),
    );
    await held.commit(() => {});
    expect(most).toBe(1);
    expect(outcome.summary.created).toBe(2_500);
  });
});
