import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const generator = 'tools/openapi-client-types/node_modules/.bin/openapi-typescript';

it('committed web/src/api/schema.d.ts equals the types generated from openapi.yaml (run `npm run client:types`)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mutualfit-client-types-'));
  try {
    const out = join(dir, 'schema.d.ts');
    await promisify(execFile)(generator, ['openapi.yaml', '-o', out]);
    expect(await readFile('web/src/api/schema.d.ts', 'utf8')).toBe(await readFile(out, 'utf8'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
