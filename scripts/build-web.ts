// Bundles the partner frontend (web/) with esbuild: web/dist/mutualfit.js (the components) and
// web/dist/app.js (the reference app), minified with source maps. `--if-stale` builds only when a
// bundle is missing or older than a source file (npm start); `prepare` always builds.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../web/', import.meta.url));
const dist = join(root, 'dist');
const outputs = { mutualfit: 'src/components/index.ts', app: 'src/app/main.ts' } as const;

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function oldestBundle(dir: string): number {
  let oldest = Number.POSITIVE_INFINITY;
  for (const name of Object.keys(outputs)) {
    try {
      oldest = Math.min(oldest, statSync(join(dir, `${name}.js`)).mtimeMs);
    } catch {
      return 0;
    }
  }
  return oldest;
}

/** A bundle is missing, or some file under `src/` is newer than the oldest bundle. */
export function isStale(webRoot = root): boolean {
  return oldestBundle(join(webRoot, 'dist')) < newestSource(join(webRoot, 'src'));
}

export async function buildWeb(): Promise<void> {
  await build({
    absWorkingDir: root,
    entryPoints: Object.entries(outputs).map(([out, src]) => ({ out, in: src })),
    outdir: dist,
    bundle: true,
    format: 'esm',
    target: ['chrome120', 'firefox120', 'safari17'],
    minify: true,
    sourcemap: true,
    legalComments: 'eof',
    tsconfig: join(root, 'tsconfig.json'),
    logLevel: 'warning',
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);
  await buildWeb();
}
