import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/db/group-commit.ts';

/** A write the test finishes by hand, recording each batch it was given. */
function manualWrites() {
  const batches: number[][] = [];
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const write = (items: number[]) => {
    batches.push(items);
    return new Promise<string[]>((resolve, reject) => {
      pending.push({ resolve: () => resolve(items.map((item) => `done ${item}`)), reject });
    });
  };
  const settle = async (outcome: 'resolve' | 'reject') => {
    const next = pending.shift()!;
    if (outcome === 'resolve') next.resolve();
    else next.reject(new Error('batch failed'));
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { batches, write, settle };
}

describe('group commit', () => {
  it('writes a lone item at once, and what arrives meanwhile together in the next write', async () => {
    const { batches, write, settle } = manualWrites();
    const group = new GroupCommit(write);
    const first = group.submit(1);
    const rest = [group.submit(2), group.submit(3), group.submit(4)];
    expect(batches).toEqual([[1]]);
    await settle('resolve');
    expect(await first).toBe('done 1');
    expect(batches).toEqual([[1], [2, 3, 4]]);
    await settle('resolve');
    expect(await Promise.all(rest)).toEqual(['done 2', 'done 3', 'done 4']);
  });

  it('settles no item before its write has returned', async () => {
    const { write, settle } = manualWrites();
    const group = new GroupCommit(write);
    let settled = false;
    const item = group.submit(1).then(() => {
      settled = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    await settle('resolve');
    await item;
    expect(settled).toBe(true);
  });

  it('fails every item of a failed write, and goes on with the next batch', async () => {
    const { batches, write, settle } = manualWrites();
    const group = new GroupCommit(write);
    const first = group.submit(1);
    const failing = [group.submit(2), group.submit(3)];
    await settle('resolve');
    await first;
    const later = group.submit(4);
    const failures = Promise.all(failing.map((item) => expect(item).rejects.toThrow('batch failed')));
    await settle('reject');
    await failures;
    expect(batches).toEqual([[1], [2, 3], [4]]);
    await settle('resolve');
    expect(await later).toBe('done 4');
  });

  it('takes at most maxBatch items per write', async () => {
    const { batches, write, settle } = manualWrites();
    const group = new GroupCommit(write, { maxBatch: 2 });
    const all = [1, 2, 3, 4, 5].map((n) => group.submit(n));
    await settle('resolve');
    await settle('resolve');
    await settle('resolve');
    expect(await Promise.all(all)).toHaveLength(5);
    expect(batches).toEqual([[1], [2, 3], [4, 5]]);
  });
});
