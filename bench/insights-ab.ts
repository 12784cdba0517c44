/**
 * `node bench/insights-ab.ts <other-checkout> [N] [jobs] [rounds]` — is this checkout's insights
 * pass faster or slower than another checkout's? Both passes count the same seeded bench market of
 * N candidates (default 100,000) for `jobs` jobs (default 20), each as stored and as the what-if of
 * bench/insights-micro.ts, one after the other in alternating order, `rounds` times (default 3), on
 * the calling thread. Prints each pass's mean CPU time per pass and 100,000 rows, their ratio, and
 * whether the two counted the same (they must). Alternating in one process makes the ratio hold
 * on a busy machine, where separate runs differ by more than the passes do.
 */
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadQuestionnaires } from '../src/questionnaires/loader.ts';
import { createMarket, QUESTIONNAIRE_ID } from './generator.ts';
import { benchUuid, jobSubjectOf } from './insights-subjects.ts';

const [otherRoot, sizeArg, jobsArg, roundsArg] = process.argv.slice(2);
if (!otherRoot) throw new Error('usage: node bench/insights-ab.ts <other-checkout> [N] [jobs] [rounds]');
const n = Number(sizeArg ?? 100_000);
const jobCount = Number(jobsArg ?? 20);
const rounds = Number(roundsArg ?? 3);
const seed = 20_240_601;
const thisRoot = fileURLToPath(new URL('..', import.meta.url));
const request = { side: 'job', method: 'harmonic' };

const questionnaires = await loadQuestionnaires(fileURLToPath(new URL('../questionnaires', import.meta.url)));
const questionnaire = questionnaires.get(QUESTIONNAIRE_ID, 1)!;
const market = createMarket({ seed, candidates: n, jobs: Math.max(1, Math.round(n / 100)) });
const step = Math.max(1, Math.floor(market.jobs / jobCount));
const jobs = Array.from({ length: Math.min(jobCount, market.jobs) }, (_, k) => k * step);

/** A checkout's pass, its candidates indexed, and one subject row per (job, what-if). */
async function load(root: string) {
  const at = (path: string) => pathToFileURL(resolve(root, path)).href;
  const { insightsOfRange } = await import(at('src/matching/engine/insights-pass.ts'));
  const { ProfileStore } = await import(at('src/matching/engine/columnar-store.ts'));
  const { compileLayout } = await import(at('src/matching/engine/layout.ts'));
  const layout = compileLayout(questionnaire);
  const others = new ProfileStore(layout);
  for (let i = 0; i < market.candidates; i++) {
    const { minScore, answers } = market.candidate(i);
    others.upsert({ id: benchUuid(3, i), minScore, answers });
  }
  others.trim();
  const subjects = jobs.flatMap((job) =>
    [false, true].map((whatIf) => {
      const row = new ProfileStore(layout, 1);
      return { row, s: row.upsert(jobSubjectOf(market, job, whatIf)) };
    }),
  );
  return (k: number): Int32Array =>
    insightsOfRange(subjects[k]!.row, subjects[k]!.s, others, request, 0, others.end);
}

const passes = [await load(otherRoot), await load(thisRoot)];
const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
const subjects = jobs.length * 2;
let same = true;
for (let k = 0; k < subjects; k++) if (passes[0]!(k).join() !== passes[1]!(k).join()) same = false; // and warm-up
const spent = [0, 0];
for (let round = 0; round < rounds; round++) {
  for (let k = 0; k < subjects; k++) {
    const first = (k + round) % 2;
    for (const p of [first, 1 - first]) {
      const started = cpuMicros();
      passes[p]!(k);
      spent[p]! += cpuMicros() - started;
    }
  }
}
const per100k = (micros: number) => (micros / (rounds * subjects) / 1000 / (n / 100_000)).toFixed(1);
process.stdout.write(
  `N=${n.toLocaleString('en-US')}, ${rounds * subjects} passes each: ${otherRoot} ${per100k(spent[0]!)} ms CPU per 100k rows, this checkout ${per100k(spent[1]!)}; this/other ${(spent[1]! / spent[0]!).toFixed(3)}; counts ${same ? 'equal' : 'DIFFERENT'}\n`,
);
if (!same) process.exitCode = 1;
