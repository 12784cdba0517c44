import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
const scripts: Record<string, string> = JSON.parse(
  readFileSync(new URL('package.json', root), 'utf8'),
).scripts;

/** What the runtime stage (after the last FROM) copies in: destination paths under /app. */
function runtimeCopies(): string[] {
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  return [...runtime.matchAll(/^COPY (?:--from=\S+ )?(.+)$/gm)].map((m) => {
    const parts = m[1]!.trim().split(/\s+/);
    return parts.at(-1)!.replace(/^\.\//, '').replace(/\/$/, '');
  });
}

/** The files a package script runs: the paths of its `node` commands. */
function filesRunBy(script: string): string[] {
  return [...scripts[script]!.matchAll(/\bnode (?:--\S+ )*(\S+\.(?:mjs|ts))/g)].map((m) => m[1]!);
}

// Operators run `npm run key` (a lost admin key) and `npm run migrate` inside the image.
describe('the Docker image', () => {
  it.each(['key', 'migrate'])('holds every file `npm run %s` runs', (script) => {
    const copied = runtimeCopies();
    const files = filesRunBy(script);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(
        copied.some((dir) => file === dir || file.startsWith(`${dir}/`)),
        file,
      ).toBe(true);
    }
  });
});
