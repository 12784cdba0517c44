import { describe, expect, it } from 'vitest';
import { levelTable } from '../../src/matching/engine/kinds/level-table.ts';

describe('levelTable', () => {
  it('builds a table once per key and hands the same table to every later listing', () => {
    let sats = 0;
    const satOf = (cell: number) => {
      sats++;
      return cell / 2;
    };
    const first = levelTable('test:shared', 3, satOf);
    const builtWith = sats;
    expect(levelTable('test:shared', 3, satOf)).toBe(first);
    expect(sats).toBe(builtWith);
  });

  it('builds another table for another key', () => {
    const one = levelTable('test:one', 2, (cell) => cell);
    const other = levelTable('test:other', 2, () => 0);
    expect(other).not.toBe(one);
    expect(other).not.toEqual(one);
  });

  it('starts over once the tables kept would pass their bound, so memory stays bounded', () => {
    let sats = 0;
    const satOf = () => {
      sats++;
      return 1;
    };
    const cells = 131_072; // 8 levels × 1 double a cell: 1M doubles, half the bound
    const first = levelTable('test:big:0', cells, satOf);
    levelTable('test:big:1', cells, satOf);
    levelTable('test:big:2', cells, satOf);
    const before = sats;
    expect(levelTable('test:big:0', cells, satOf)).not.toBe(first);
    expect(sats).toBe(before + cells);
  });
});
