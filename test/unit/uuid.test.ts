import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { uuidv7Batch } from '../../src/db/uuid.ts';

describe('uuidv7Batch', () => {
  it('makes distinct, valid version-7 UUIDs carrying the current time', () => {
    const before = Date.now();
    const ids = uuidv7Batch(1000);
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) {
      expect(z.uuid({ version: 'v7' }).safeParse(id).success).toBe(true);
      const ms = Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
      expect(ms).toBeGreaterThanOrEqual(before);
      expect(ms).toBeLessThanOrEqual(Date.now() + 1);
    }
  });

  it('orders ids within a batch and after every earlier batch', () => {
    const first = uuidv7Batch(500);
    const second = uuidv7Batch(500);
    expect(first).toEqual([...first].sort());
    expect(second[0]! > first.at(-1)!).toBe(true);
  });
});
