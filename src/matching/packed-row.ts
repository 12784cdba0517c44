import type { AnswerSet } from '../answers/types.ts';
import type { Layout } from './layout.ts';
import { ProfileStore } from './store.ts';

/**
 * One profile's index row as bytes, stored beside its answers (answer_sets.index_row) so the
 * index loads at start without parsing every answer set's JSON. The bytes are the row's cells in
 * a fixed order: levels, codes, masks, nums, ratings, acceptMasks, acceptSteps, acceptNums
 * (little-endian). `layoutKey` names the layout they fit; a row whose key differs is rebuilt
 * from its answers instead.
 */

const FORMAT = 1;

export function layoutKey(layout: Layout): string {
  const shape = [...layout.kinds]
    .map((kind, c) => `${kind}.${layout.valueCount[c]}.${layout.dims[c]}`)
    .join(',');
  return `${FORMAT}:${layout.questionnaireId}@${layout.version}:${shape}`;
}

function rowSize(layout: Layout): number {
  const s = layout.strides;
  return (
    layout.count +
    s.codes +
    4 * s.masks +
    8 * s.nums +
    s.ratings +
    4 * s.acceptMasks +
    s.acceptSteps +
    8 * s.acceptNums
  );
}

type Cells = [Uint8Array | Uint32Array | Float64Array, number][];

function cellsOf(store: ProfileStore): Cells {
  const s = store.layout.strides;
  return [
    [store.levels, store.layout.count],
    [store.codes, s.codes],
    [store.masks, s.masks],
    [store.nums, s.nums],
    [store.ratings, s.ratings],
    [store.acceptMasks, s.acceptMasks],
    [store.acceptSteps, s.acceptSteps],
    [store.acceptNums, s.acceptNums],
  ];
}

/** The packed row of each answer set, encoded exactly as the index encodes answers. */
export function packAnswers(layout: Layout, answerSets: AnswerSet[]): Buffer[] {
  const store = new ProfileStore(layout, Math.max(1, answerSets.length));
  const size = rowSize(layout);
  return answerSets.map((answers, i) => {
    const slot = store.upsert({ id: slotId(i), minScore: 0, answers });
    const bytes = Buffer.alloc(size);
    let at = 0;
    for (const [array, columns] of cellsOf(store)) {
      for (let col = 0; col < columns; col++) {
        const value = array[col * store.capacity + slot]!;
        if (array instanceof Uint8Array) at = bytes.writeUInt8(value, at);
        else if (array instanceof Uint32Array) at = bytes.writeUInt32LE(value, at);
        else at = bytes.writeDoubleLE(value, at);
      }
    }
    return bytes;
  });
}

export function fitsLayout(layout: Layout, bytes: Uint8Array): boolean {
  return bytes.length === rowSize(layout);
}

/**
 * Writes a packed row (checked with fitsLayout) into row `slot` of the store: the cells of
 * cellsOf's order, unrolled by type (start-up unpacks a million rows).
 */
export function unpackInto(store: ProfileStore, slot: number, bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const s = store.layout.strides;
  const cap = store.capacity;
  let at = readBytes(store.levels, store.layout.count, cap, slot, bytes, 0);
  at = readBytes(store.codes, s.codes, cap, slot, bytes, at);
  at = readWords(store.masks, s.masks, cap, slot, view, at);
  at = readDoubles(store.nums, s.nums, cap, slot, view, at);
  at = readBytes(store.ratings, s.ratings, cap, slot, bytes, at);
  at = readWords(store.acceptMasks, s.acceptMasks, cap, slot, view, at);
  at = readBytes(store.acceptSteps, s.acceptSteps, cap, slot, bytes, at);
  readDoubles(store.acceptNums, s.acceptNums, cap, slot, view, at);
}

function readBytes(
  array: Uint8Array,
  columns: number,
  cap: number,
  slot: number,
  bytes: Uint8Array,
  at: number,
) {
  for (let col = 0; col < columns; col++) array[col * cap + slot] = bytes[at + col]!;
  return at + columns;
}

function readWords(
  array: Uint32Array,
  columns: number,
  cap: number,
  slot: number,
  view: DataView,
  at: number,
) {
  for (let col = 0; col < columns; col++) array[col * cap + slot] = view.getUint32(at + 4 * col, true);
  return at + 4 * columns;
}

function readDoubles(
  array: Float64Array,
  columns: number,
  cap: number,
  slot: number,
  view: DataView,
  at: number,
) {
  for (let col = 0; col < columns; col++) array[col * cap + slot] = view.getFloat64(at + 8 * col, true);
  return at + 8 * columns;
}

/** Placeholder ids for the scratch store that packs rows (they never leave it). */
function slotId(i: number): string {
  return `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}
