import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runBulk } from '../../src/profiles/bulk.ts';
import { buildCatalog } from '../../src/questionnaires/loader.ts';

describe('bulk upserts', () => {
  it('check their lines a few hundred per turn of the event loop, so other work runs between them', async () => {
    const events: string[] = [];
    const lineSchema = z.object({ externalId: z.string() }).transform((line) => {
      events.push('line');
      return line;
    });
    setImmediate(() => events.push('other'));
    const body = Array.from({ length: 1_000 }, (_, i) => JSON.stringify({ externalId: `x-${i}` })).join('\n');
    const result = await runBulk({
      body,
      lineSchema,
      questionnaires: buildCatalog([]),
      write: async (entries) =>
        new Map(entries.map((e) => [e.externalId, { id: e.externalId, inserted: true }])),
      onWriteError: () => {},
    });
    expect(result.summary).toEqual({ created: 1_000, updated: 0, failed: 0 });
    const other = events.indexOf('other');
    expect(other).toBeGreaterThan(0);
    expect(other).toBeLessThan(500);
  });
});
