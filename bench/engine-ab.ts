/**
 * `node bench/engine-ab.ts <other-checkout> [N] [rounds]` — is this checkout's listing engine
 * faster or slower than another checkout's (a worktree of an older commit, say)? Both engines index
 * the same seeded bench market of N candidates (default 100,000; jobs N/100) in one process, and
 * every job's top-50 is listed by both, one after the other in alternating order, `rounds` times
 * (default 3). Prints each engine's mean CPU time per listing and their ratio. Alternating in one
 * process makes the ratio hold on a busy machine, where separate runs differ by more than the
 * engines do. Single-threaded (no worker split), harmonic mean.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadQuestionnaires } from '../src/questionnaires/loader.ts';
import { createMarket, mixSeed, QUESTIONNAIRE_ID } from './generator.ts';

interface Engine {
  name: string;
  rank: (subject: unknown, s: number, others: unknown, request: object) => { rows: unknown[] };
  // biome-ignore lint/suspicious/noExplicitAny: two checkouts' index types, used alike
  index: any;
}

const [otherRoot, sizeArg, roundsArg] = process.argv.slice(2);
if (!otherRoot) throw new Error('usage: node bench/engine-ab.ts <other-checkout> [N] [rounds]');
const n = Number(sizeArg ?? 100_000);
const rounds = Number(roundsArg ?? 3);
const seed = 20_240_601;
const thisRoot = fileURLToPath(new URL('..', import.meta.url));

/** The engine of a checkout: src/matching/engine/search.ts, or rank.ts before the engine had a folder. */
async function load(root: string, name: string): Promise<Omit<Engine, 'index'> & { build: () => unknown }> {
  const at = (path: string) => pathToFileURL(resolve(root, path)).href;
  const searchPath = existsSync(resolve(root, 'src/matching/engine/search.ts'))
    ? 'src/matching/engine/search.ts'
    : 'src/matching/rank.ts';
  const layoutPath = existsSync(resolve(root, 'src/matching/engine/layout.ts'))
    ? 'src/matching/engine/layout.ts'
    : 'src/matching/layout.ts';
  const { rankAgainst } = await import(at(searchPath));
  const { compileLayout } = await import(at(layoutPath));
  const { Market } = await import(at('src/matching/index.ts'));
  return { name, rank: rankAgainst, build: () => buildIndex(new Market(compileLayout(questionnaire))) };
}

function idOf(kind: number, index: number): string {
  const hex = [1, 2, 3, 4]
    .map((part) => mixSeed(seed, kind, index, part).toString(16).padStart(8, '0'))
    .join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
}

const questionnaires = await loadQuestionnaires(fileURLToPath(new URL('../questionnaires', import.meta.url)));
const questionnaire = questionnaires.get(QUESTIONNAIRE_ID, 1)!;
const market = createMarket({ seed, candidates: n, jobs: Math.max(1, Math.round(n / 100)) });

// biome-ignore lint/suspicious/noExplicitAny: either checkout's Market
function buildIndex(index: any) {
  for (let i = 0; i < market.jobs; i++) {
    const { minScore, employerExternalId, answers } = market.job(i);
    index.jobs.upsert({ id: idOf(2, i), minScore, employerId: employerExternalId, answers });
  }
  for (let i = 0; i < market.candidates; i++) {
    const { minScore, answers } = market.candidate(i);
    index.candidates.upsert({ id: idOf(3, i), minScore, answers });
  }
  index.jobs.trim();
  index.candidates.trim();
  return index;
}

const engines: Engine[] = [];
for (const [root, name] of [
  [otherRoot, 'other'],
  [thisRoot, 'this'],
] as const) {
  const { build, ...engine } = await load(root, name);
  engines.push({ ...engine, index: build() });
}

const request = { limit: 50, method: 'harmonic' };
const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
function list(engine: Engine, job: number): number {
  const { index } = engine;
  const slot = index.jobs.slotOf(idOf(2, job));
  const started = cpuMicros();
  engine.rank(index.jobs, slot, index.candidates, request);
  return cpuMicros() - started;
}

for (let job = 0; job < Math.min(50, market.jobs); job++) for (const engine of engines) list(engine, job); // warm-up
const spent = [0, 0];
for (let round = 0; round < rounds; round++) {
  for (let job = 0; job < market.jobs; job++) {
    const first = (job + round) % 2;
    spent[first]! += list(engines[first]!, job);
    spent[1 - first]! += list(engines[1 - first]!, job);
  }
}
const listings = rounds * market.jobs;
const ms = (micros: number) => (micros / listings / 1000).toFixed(2);
process.stdout.write(
  `N=${n.toLocaleString('en-US')}, ${listings} listings each: ${otherRoot} ${ms(spent[0]!)} ms CPU, this checkout ${ms(spent[1]!)} ms CPU; this/other ${(spent[1]! / spent[0]!).toFixed(3)}\n`,
);
