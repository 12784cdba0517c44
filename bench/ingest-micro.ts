/**
 * `node bench/ingest-micro.ts [lines] [rounds]` — one ingest thread's work per bulk line, in
 * process, without HTTP, threads or PostgreSQL: the bench's own candidate NDJSON (seeded market,
 * 10,000 lines a body as `bench/run.ts` sends them) cut into chunks as the route cuts a streamed
 * body (src/ingest/line-chunks.ts), each chunk checked (src/ingest/check-chunk.ts: decode, parse,
 * line schema, answers, the unchanged compare, packing), and the checked chunk handed over as a
 * thread posts it (`structuredClone`, which serializes and deserializes as postMessage does, with
 * the same transfer list).
 * Prints the process's CPU µs per line of each part, median and range over the rounds.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkChunk, lineChecker } from '../src/ingest/check-chunk.ts';
import { CHUNK_BYTES } from '../src/ingest/checked-body.ts';
import { cutLineChunks, type LineChunk } from '../src/ingest/line-chunks.ts';
import { loadQuestionnaires } from '../src/questionnaires/loader.ts';
import { createMarket, ndjsonBatches } from './generator.ts';
import { BATCH_LINES } from './ingest.ts';

const lines = Number((process.argv[2] ?? '20000').replace(/_/g, ''));
const rounds = Number(process.argv[3] ?? 7);
const seed = Number(process.env.BENCH_SEED ?? 20_240_601);
const root = join(fileURLToPath(import.meta.url), '..', '..');

const market = createMarket({ seed, candidates: lines, jobs: Math.max(1, Math.round(lines / 100)) });
const bodies = [...ndjsonBatches(lines, BATCH_LINES, (i) => market.candidate(i))].map((b) =>
  Buffer.from(b.body),
);
const checker = lineChecker(await loadQuestionnaires(join(root, 'questionnaires')));

/** A body as the socket hands it over: 64 KiB reads. */
async function* reads(body: Buffer): AsyncIterable<Buffer> {
  for (let at = 0; at < body.length; at += 65_536) yield body.subarray(at, at + 65_536);
}

async function chunksOf(body: Buffer): Promise<LineChunk[]> {
  const chunks: LineChunk[] = [];
  await cutLineChunks(reads(body), { bodyLimit: Infinity, chunkBytes: CHUNK_BYTES }, (c) => chunks.push(c));
  return chunks;
}

const cpu = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

const parts = { cut: [] as number[], check: [] as number[], handOver: [] as number[] };
let refused = 0;
for (let round = 0; round < rounds; round++) {
  let cut = 0;
  let check = 0;
  let handOver = 0;
  for (const body of bodies) {
    let t = cpu();
    const chunks = await chunksOf(body);
    cut += cpu() - t;
    t = cpu();
    const checked = chunks.map((chunk) => checkChunk(checker, 'candidate', chunk));
    check += cpu() - t;
    t = cpu();
    // Transferring the chunk's answer bytes where the code gathers them (as a thread posts them).
    for (const c of checked) structuredClone(c, c.answerBytes ? { transfer: [c.answerBytes] } : undefined);
    handOver += cpu() - t;
    if (round === 0) for (const c of checked) refused += c.lines.filter((l) => !('record' in l)).length;
  }
  parts.cut.push(cut / lines);
  parts.check.push(check / lines);
  parts.handOver.push(handOver / lines);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => x.toFixed(1);
const say = (text: string) => process.stdout.write(`${text}\n`);
say(
  `${lines} candidate lines, ${rounds} rounds, ${refused} refused; CPU µs per line (median, min–max):` + '\n',
);
for (const [name, xs] of Object.entries(parts)) {
  say(`  ${name.padEnd(9)} ${fmt(median(xs))}  (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`);
}
