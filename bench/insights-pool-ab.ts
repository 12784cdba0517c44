/**
 * `node bench/insights-pool-ab.ts <other-checkout> [N] [rounds]` — is this checkout's insights pool
 * faster or slower, in wall time, than another checkout's? Both pools (2 threads each) count the
 * same store of N seeded bench candidates (default 1,000,000) for 20 jobs, each as stored and as
 * the what-if of bench/insights-micro.ts, in alternating order, `rounds` times (default 2). Prints
 * each pool's p50, p95 and mean ms per pass. Where bench/insights-ab.ts compares the passes' CPU on
 * one thread, this compares how a pass is split over threads; the stores must be laid out alike in
 * both checkouts.
 */
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ProfileStore } from '../src/matching/engine/columnar-store.ts';
import { InsightsPool } from '../src/matching/engine/insights-pool.ts';
import { compileLayout } from '../src/matching/engine/layout.ts';
import { loadQuestionnaires } from '../src/questionnaires/loader.ts';
import { createMarket, QUESTIONNAIRE_ID } from './generator.ts';
import { benchUuid, jobSubjectOf } from './insights-subjects.ts';

const [otherRoot, sizeArg, roundsArg] = process.argv.slice(2);
if (!otherRoot) throw new Error('usage: node bench/insights-pool-ab.ts <other-checkout> [N] [rounds]');
const n = Number(sizeArg ?? 1_000_000);
const rounds = Number(roundsArg ?? 2);
const JOBS = 20;
const poolUrl = pathToFileURL(resolve(otherRoot, 'src/matching/engine/insights-pool.ts')).href;
const { InsightsPool: OtherPool } = (await import(poolUrl)) as { InsightsPool: typeof InsightsPool };

const questionnaires = await loadQuestionnaires(fileURLToPath(new URL('../questionnaires', import.meta.url)));
const questionnaire = questionnaires.get(QUESTIONNAIRE_ID, 1)!;
const market = createMarket({ seed: 20_240_601, candidates: n, jobs: Math.max(1, Math.round(n / 100)) });
const layout = compileLayout(questionnaire);
const others = new ProfileStore(layout);
for (let i = 0; i < n; i++) {
  const { minScore, answers } = market.candidate(i);
  others.upsert({ id: benchUuid(3, i), minScore, answers });
}
others.trim();
const step = Math.max(1, Math.floor(market.jobs / JOBS));
const subjects = Array.from({ length: 2 * Math.min(JOBS, market.jobs) }, (_, k) => {
  const row = new ProfileStore(layout, 1);
  return { row, s: row.upsert(jobSubjectOf(market, (k >> 1) * step, k % 2 === 1)) };
});
const pools = [new OtherPool(2), new InsightsPool(2)];
const request = { side: 'job', method: 'harmonic' } as const;
const pass = (p: InsightsPool, { row, s }: (typeof subjects)[number]) =>
  p.turn(() => p.count(row, s, others, request));

for (const subject of subjects.slice(0, 4)) for (const p of pools) await pass(p, subject); // warm-up
const times: number[][] = [[], []];
for (let r = 0; r < rounds; r++) {
  for (const [k, subject] of subjects.entries()) {
    for (const i of (k + r) % 2 === 0 ? [0, 1] : [1, 0]) {
      const started = performance.now();
      await pass(pools[i]!, subject);
      times[i]!.push(performance.now() - started);
    }
  }
}
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
};
for (const [i, name] of [otherRoot, 'this checkout'].entries()) {
  const ms = times[i]!;
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  process.stdout.write(
    `N=${n.toLocaleString('en-US')}, ${ms.length} passes, ${name}: p50 ${percentile(ms, 0.5).toFixed(1)} ms, p95 ${percentile(ms, 0.95).toFixed(1)} ms, mean ${mean.toFixed(1)} ms\n`,
  );
}
for (const p of pools) await p.close();
