/**
 * `node bench/store-growth.ts [N] [other checkout…]` — how long the event loop is held by the
 * write that makes a store of N profiles (default 1,000,000) grow. Each checkout's ProfileStore is
 * loaded as at start-up (reserve, N rows, trim), then written one new row at a time at
 * BENCH_WRITES_PER_S (default 10,000, the ingest target), yielding to the event loop every 100
 * writes as a service between requests would, until it has grown once: prints the longest write
 * and the growth's own time. Then the id table's growth (src/matching/engine/id-table.ts): a table
 * loaded with N ids as a store's load leaves it (reserve N and a sixteenth), written one new id at
 * a time, unpaced, until it has grown to twice its room and more: prints the longest write.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ProfileStore as Store } from '../src/matching/engine/columnar-store.ts';
import type { IdTable as Table } from '../src/matching/engine/id-table.ts';
import { compileLayout } from '../src/matching/engine/layout.ts';
import { idToWords } from '../src/matching/engine/uuid-words.ts';
import { loadQuestionnaires } from '../src/questionnaires/loader.ts';

const n = Number((process.argv[2] ?? '1000000').replace(/_/g, ''));
const checkouts = [fileURLToPath(new URL('..', import.meta.url)), ...process.argv.slice(3)];
const questionnaires = await loadQuestionnaires(fileURLToPath(new URL('../questionnaires', import.meta.url)));
const layout = compileLayout(questionnaires.latest('work-fit')!);
const idOf = (k: number) => `00000000-0000-7000-8000-${k.toString(16).padStart(12, '0')}`;
const rate = Number(process.env.BENCH_WRITES_PER_S ?? 10_000);
/** A row with a value in every column, as encoded answers leave it (so every page of the arrays is in use). */
const write = (store: Store, k: number) =>
  store.write({ id: idOf(k), minScore: 0.5 }, (slot) => {
    const { capacity, codes, masks, nums, ratings } = store;
    for (let c = 0; c < layout.strides.codes; c++) codes[c * capacity + slot] = k & 7;
    for (let c = 0; c < layout.strides.masks; c++) masks[c * capacity + slot] = k;
    for (let c = 0; c < layout.strides.nums; c++) nums[c * capacity + slot] = k;
    for (let c = 0; c < layout.strides.ratings; c++) ratings[c * capacity + slot] = k & 3;
  });

for (const checkout of checkouts) {
  const module = pathToFileURL(`${checkout}/src/matching/engine/columnar-store.ts`).href;
  const { ProfileStore } = (await import(module)) as { ProfileStore: typeof Store };
  const store = new ProfileStore(layout);
  store.reserve(n);
  for (let k = 0; k < n; k++) write(store, k);
  store.trim();
  const loaded = store.capacity;
  let longest = 0;
  let growth = 0;
  let k = n;
  const start = performance.now();
  while (store.capacity === loaded) {
    const started = performance.now();
    write(store, k++);
    const took = performance.now() - started;
    longest = Math.max(longest, took);
    if (store.capacity !== loaded) growth = took;
    if (k % 100 === 0) {
      const due = start + ((k - n) / rate) * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    }
  }
  const mb = (store.byteSize() / 1e6).toFixed(0);
  process.stdout.write(
    `${checkout}: ${n.toLocaleString('en')} rows, grew after ${(k - n).toLocaleString('en')} writes to ${store.capacity.toLocaleString('en')} rows (${mb} MB): ` +
      `longest write ${longest.toFixed(1)} ms, the growing one ${growth.toFixed(1)} ms\n`,
  );
}

/** The longest single write while a table loaded with `n` ids takes `n * 1.25` more (past its first growth). */
function idTableGrowth(IdTable: typeof Table, n: number): { longest: number; bytes: [number, number] } {
  const total = Math.ceil(n * 2.25);
  const ids = new Uint32Array(total * 4);
  const table = new IdTable();
  table.reserve(Math.ceil(n * (1 + 1 / 16)), ids);
  const set = (k: number) => {
    const words = idToWords(idOf(k));
    ids.set(words, k * 4);
    table.set(words, k, ids);
  };
  for (let k = 0; k < n; k++) set(k);
  const before = table.byteSize();
  let longest = 0;
  for (let k = n; k < total; k++) {
    const started = performance.now();
    set(k);
    longest = Math.max(longest, performance.now() - started);
  }
  for (let k = 0; k < total; k += 997)
    if (table.get(idToWords(idOf(k)), ids) !== k) throw new Error(`lost ${k}`);
  return { longest, bytes: [before, table.byteSize()] };
}

for (const checkout of checkouts) {
  const module = pathToFileURL(`${checkout}/src/matching/engine/id-table.ts`).href;
  const { IdTable } = (await import(module)) as { IdTable: typeof Table };
  const { longest, bytes } = idTableGrowth(IdTable, n);
  process.stdout.write(
    `${checkout}: id table of ${n.toLocaleString('en')} ids (${(bytes[0] / 1e6).toFixed(0)} MB) taking ` +
      `${Math.ceil(n * 1.25).toLocaleString('en')} more (${(bytes[1] / 1e6).toFixed(0)} MB): longest write ${longest.toFixed(1)} ms\n`,
  );
}
