/**
 * `node bench/profile-summary.ts <file.cpuprofile> [top]` — the functions a V8 CPU profile spends
 * its time in (self and inclusive), e.g. from `BENCH_CHILD_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=…"`.
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/profile-summary.ts <file.cpuprofile> [top]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
const msPerSample = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const cwd = process.cwd();

const nameOf = (node: ProfileNode) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${relative(cwd, url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
};

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
/** Inclusive time of a node, counting a function once per stack even when it recurses. */
function walk(node: ProfileNode, onStack: Set<string>): number {
  const name = nameOf(node);
  let total = (node.hitCount ?? 0) * msPerSample;
  self.set(name, (self.get(name) ?? 0) + total);
  const fresh = !onStack.has(name);
  if (fresh) onStack.add(name);
  for (const child of node.children ?? []) total += walk(byId.get(child)!, onStack);
  if (fresh) {
    onStack.delete(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + total);
  }
  return total;
}
const root = profile.nodes[0]!;
const totalMs = walk(root, new Set());
const idleMs = self.get('(idle)') ?? 0;

const print = (title: string, table: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, ms] of [...table].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const share = ((ms / (totalMs - idleMs)) * 100).toFixed(1).padStart(5);
    process.stdout.write(`${Math.round(ms).toString().padStart(8)} ms ${share}%  ${name}\n`);
  }
};
process.stdout.write(
  `${file}: ${Math.round(totalMs)} ms sampled, ${Math.round(idleMs)} ms idle, shares of the ${Math.round(totalMs - idleMs)} ms busy\n`,
);
print('self time', self);
inclusive.delete(nameOf(root));
print('inclusive time', inclusive);
