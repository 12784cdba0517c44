import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The index's arrays on transparent huge pages (docs/operations.md#huge-pages): `npm start` and the
// image set glibc's tunable unless the operator set GLIBC_TUNABLES (an empty value included).
const root = new URL('../../', import.meta.url);
const start: string = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).scripts.start;
const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
const HUGE = 'glibc.malloc.hugetlb=1';

/** GLIBC_TUNABLES as the server's process gets it from `npm start` (npm runs scripts with sh). */
function tunablesOfStart(env: Record<string, string>): string | undefined {
  const launch = start.split(' && ').at(-1)!;
  expect(launch).toMatch(/exec node .*src\/server\.ts$/);
  const shown = execFileSync('sh', ['-c', launch.replace(/exec node .*$/, 'exec env')], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  return /^GLIBC_TUNABLES=(.*)$/m.exec(shown)?.[1];
}

describe('the launch of the service', () => {
  it('npm start asks for huge pages by default', () => {
    expect(tunablesOfStart({})).toBe(HUGE);
  });

  it("npm start keeps the operator's GLIBC_TUNABLES, even an empty one", () => {
    expect(tunablesOfStart({ GLIBC_TUNABLES: '' })).toBe('');
    expect(tunablesOfStart({ GLIBC_TUNABLES: 'glibc.malloc.check=0' })).toBe('glibc.malloc.check=0');
  });

  it('the image asks for huge pages', () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(new RegExp(`^ENV [^]*?\\bGLIBC_TUNABLES=${HUGE.replaceAll('.', '\\.')}\\b`, 'm'));
  });
});
