import { describe, expect, it } from 'vitest';
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
});
