import { describe, expect, it } from 'vitest';
import { levelTable } from '../../src/matching/engine/kinds/level-table.ts';
import type { Layout } from '../../src/matching/engine/layout.ts';

/** Tables are kept by layout (by identity: any object stands for one here), criterion and key. */
const layout = (name: string) => ({ questionnaireId: name }) as Layout;

describe('levelTable', () => {
  it('builds a table once per key and hands the same table to every later listing', () => {
    let sats = 0;
    const satOf = (cell: number) => {
      sats++;
      return cell / 2;
    };
    const shared = layout('shared');
    const first = levelTable(shared, 3, 7, 3, satOf);
    const builtWith = sats;
    expect(levelTable(shared, 3, 7, 3, satOf)).toBe(first);
    expect(sats).toBe(builtWith);
  });

  it('builds another table for another key, criterion or layout', () => {
    const one = layout('one');
    const first = levelTable(one, 0, 1, 2, (cell) => cell);
    for (const [other, criterion, key] of [
      [one, 0, 2],
      [one, 1, 1],
      [layout('other'), 0, 1],
    ] as const) {
      const table = levelTable(other, criterion, key, 2, () => 0);
      expect(table).not.toBe(first);
      expect(table).not.toEqual(first);
    }
    expect(levelTable(one, 0, 1, 2, () => 0)).toBe(first);
  });

  it('starts over once the tables kept would pass their bound, so memory stays bounded', () => {
    let sats = 0;
    const satOf = () => {
      sats++;
      return 1;
    };
    const big = layout('big');
    const cells = 131_072; // 8 levels × 1 double a cell: 1M doubles, half the bound
    const first = levelTable(big, 0, 0, cells, satOf);
    levelTable(big, 0, 1, cells, satOf);
    levelTable(big, 0, 2, cells, satOf);
    const before = sats;
    expect(levelTable(big, 0, 0, cells, satOf)).not.toBe(first);
    expect(sats).toBe(before + cells);
  });
});
