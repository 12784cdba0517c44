import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { minimumOf, nodeVersionProblem } from '../../scripts/require-node.mjs';

describe('the Node version check that runs before the npm scripts', () => {
  it('reads the minimum of the engines range', () => {
    expect(minimumOf('>=22.12')).toEqual([22, 12, 0]);
    expect(minimumOf('>= 24')).toEqual([24, 0, 0]);
    expect(() => minimumOf('^22 || ^24')).toThrow(/cannot read/);
  });

  it('passes versions at or above the minimum', () => {
    for (const version of ['22.12.0', '22.12.1', '22.13.0', '23.0.0', 'v24.1.0']) {
      expect(nodeVersionProblem(version, '>=22.12'), version).toBeUndefined();
    }
  });

  it('names the version needed and the one found for an older Node', () => {
    for (const version of ['20.19.2', '22.11.9', '18.0.0']) {
      const problem = nodeVersionProblem(version, '>=22.12');
      expect(problem).toContain('Node.js 22.12.0 or newer');
      expect(problem).toContain(`this is Node.js v${version}`);
    }
  });

  it('runs silently and succeeds on this Node', () => {
    expect(execFileSync(process.execPath, ['scripts/require-node.mjs'], { encoding: 'utf8' })).toBe('');
  });
});
