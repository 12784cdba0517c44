/**
 * `node bench/engine-ab.ts <other-checkout> [N] [rounds]` — is this checkout's listing engine
 * faster or slower than another checkout's (a worktree of an older commit, say)? Both engines index
 * the same seeded bench market of N candidates (default 100,000; jobs N/100) in one process, and
 * every job's top-50 is listed by both, one after the other in alternating order, `rounds` times
 * (default 3), then the first 1,000 candidates' top-50 jobs likewise. Prints each engine's mean
 * CPU time per listing, each direction, and their ratio. Alternating in one
 * process makes the ratio hold on a busy machine, where separate runs differ by more than the
 * engines do. Single-threaded (no worker split), harmonic mean.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadQuestionnaires } from '../src/questionnaires/loader.ts';
import { createMarket, QUESTIONNAIRE_ID, seededId } from './generator.ts';

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

const idOf = (kind: number, index: number) => seededId(seed, kind, index);

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
/** Candidates listed (jobs for a candidate: N/100 rows, the other direction), the first this many. */
const CANDIDATE_LISTINGS = 1000;
const directions = [
  { name: 'jobs→candidates', listings: market.jobs, subject: 'jobs', others: 'candidates', kind: 2 },
  {
    name: 'candidates→jobs',
    listings: Math.min(CANDIDATE_LISTINGS, market.candidates),
    subject: 'candidates',
    others: 'jobs',
    kind: 3,
  },
] as const;

function list(engine: Engine, direction: (typeof directions)[number], i: number): number {
  const { index } = engine;
  const slot = index[direction.subject].slotOf(idOf(direction.kind, i));
  const started = cpuMicros();
  engine.rank(index[direction.subject], slot, index[direction.others], request);
  return cpuMicros() - started;
}

for (const direction of directions) {
  for (let i = 0; i < Math.min(50, direction.listings); i++)
    for (const engine of engines) list(engine, direction, i); // warm-up
  const spent = [0, 0];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < direction.listings; i++) {
      const first = (i + round) % 2;
      spent[first]! += list(engines[first]!, direction, i);
      spent[1 - first]! += list(engines[1 - first]!, direction, i);
    }
  }
  const listings = rounds * direction.listings;
  const ms = (micros: number) => (micros / listings / 1000).toFixed(2);
  process.stdout.write(
    `N=${n.toLocaleString('en-US')}, ${direction.name}, ${listings} listings each: ${otherRoot} ${ms(spent[0]!)} ms CPU, this checkout ${ms(spent[1]!)} ms CPU; this/other ${(spent[1]! / spent[0]!).toFixed(3)}\n`,
  );
}
