/**
 * `node --expose-gc bench/body-memory.ts [checkout]` — the memory a bulk request's checked lines
 * hold while its batches are written, in process: the bench's 10,000-line candidate body read by
 * readCheckedBody (checked on this thread, a pool of no threads, so every chunk is checked before
 * the first write: the most a request can hold), then writeBulk with a write that waits 20 ms a
 * batch. After each batch, two full GCs, then heapUsed + arrayBuffers less what is left once the
 * request (its body and lines) is gone. `checkout`: another checkout's code on the same body (an A/B).
 */
import { join } from 'node:path';

const checkout = process.argv[2] ?? join(import.meta.dirname, '..');
const { createMarket, ndjsonBatches } = await import(join(checkout, 'bench/generator.ts'));
const { readCheckedBody } = await import(join(checkout, 'src/ingest/checked-body.ts'));
const { IngestPool } = await import(join(checkout, 'src/ingest/ingest-pool.ts'));
const { writeBulk } = await import(join(checkout, 'src/profiles/bulk.ts'));
const { loadQuestionnaires } = await import(join(checkout, 'src/questionnaires/loader.ts'));

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const settle = async () => {
  for (let round = 0; round < 2; round++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    gc();
  }
};
const used = () => {
  const memory = process.memoryUsage();
  return memory.heapUsed + memory.arrayBuffers;
};

const market = createMarket({ seed: 20_240_601, candidates: 10_000, jobs: 100 });
const [batch] = [...ndjsonBatches(10_000, 10_000, (i: number) => market.candidate(i))];
const body = Buffer.from(batch.body);
const pool = new IngestPool(0, await loadQuestionnaires(join(checkout, 'questionnaires')));
async function* reads(bytes: Buffer) {
  for (let at = 0; at < bytes.length; at += 65_536) yield bytes.subarray(at, at + 65_536);
}

/** Writes the body as a bulk request does, sampling what is held after each batch; all let go on return. */
async function writeRequest(): Promise<number[]> {
  const checked: { lines(): AsyncIterable<unknown> } = await readCheckedBody(reads(body), {
    kind: 'candidate',
    pool,
    bodyLimit: 1 << 30,
    digest: false,
  });
  const samples: number[] = [];
  await writeBulk({
    checked: checked.lines(),
    write: async (entries: { externalId: string }[]) => {
      await settle();
      samples.push(used());
      return new Map(entries.map((e) => [e.externalId, { id: e.externalId, inserted: true }]));
    },
    onWriteError: () => {},
  });
  return samples;
}

const samples = await writeRequest();
await settle();
const after = used();
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
process.stdout.write(
  `body ${mb(body.length)} MB; held after each batch's write, MB: ${samples.map((s) => mb(s - after)).join(' ')}\n`,
);
