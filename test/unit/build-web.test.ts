import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { isStale } from '../../scripts/build-web.ts';

it('calls the web bundle stale when a bundle is missing or a source is newer, so npm start rebuilds it', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mutualfit-web-'));
  try {
    await mkdir(join(root, 'src', 'components'), { recursive: true });
    await mkdir(join(root, 'dist'));
    const source = join(root, 'src', 'components', 'index.ts');
    await writeFile(source, 'export {};');
    await utimes(source, 1000, 1000);
    expect(isStale(root)).toBe(true);
    for (const bundle of ['mutualfit.js', 'app.js']) {
      await writeFile(join(root, 'dist', bundle), '');
      await utimes(join(root, 'dist', bundle), 2000, 2000);
    }
    expect(isStale(root)).toBe(false);
    await utimes(source, 3000, 3000);
    expect(isStale(root)).toBe(true);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
