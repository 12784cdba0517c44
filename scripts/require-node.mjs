// Runs before every npm script that needs a recent Node. An older Node rejects
// --experimental-strip-types as a bad option before any code runs, so this plain script (which any
// Node can run) says which version is needed instead.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The minimum [major, minor, patch] of a range like ">=22.12" (the form package.json uses here). */
export function minimumOf(range) {
  const match = /^\s*>=\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*$/.exec(range);
  if (!match) throw new Error(`cannot read the Node range "${range}" (expected ">=MAJOR.MINOR")`);
  return [Number(match[1]), Number(match[2] || 0), Number(match[3] || 0)];
}

/** undefined when `version` (e.g. "20.19.2" or "v24.1.0") meets `range`, else what to tell the person. */
export function nodeVersionProblem(version, range) {
  const minimum = minimumOf(range);
  const current = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if ((current[i] || 0) > minimum[i]) return undefined;
    if ((current[i] || 0) < minimum[i]) {
      return (
        `mutualfit needs Node.js ${minimum.join('.')} or newer (package.json engines: "${range}"); ` +
        `this is Node.js ${version.replace(/^v?/, 'v')}.\n` +
        'Install Node.js 24 LTS (the version in .nvmrc; e.g. `nvm install` in this directory) and run the command again.'
      );
    }
  }
  return undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const manifest = JSON.parse(
    readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8'),
  );
  const problem = nodeVersionProblem(process.versions.node, manifest.engines.node);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
}
