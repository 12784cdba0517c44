import type { AnswerSet } from '../../answers/types.ts';
import { type IndexedProfile, ProfileStore } from './columnar-store.ts';
import { kindOf } from './kinds/index.ts';
import type { Layout } from './layout.ts';

/**
 * One profile's index row as bytes, stored beside its answers (answer_sets.index_row) so the
 * index loads at start without parsing every answer set's JSON. The bytes are the row's cells in
 * a fixed order: levels, codes, masks, nums, ratings, acceptMasks, acceptSteps, acceptNums
 * (little-endian). `layoutKey` names the layout they fit; a row whose key differs is rebuilt
 * from its answers instead.
 */

const FORMAT = 1;

export function layoutKey(layout: Layout): string {
  const shape = layout.kinds
    .map((kind, c) => `${kindOf(kind).code}.${layout.valueCount[c]}.${layout.dims[c]}`)
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

/**
 * Where a row's cells sit, in packed order: per array, its first cell and the distance between
 * two cells (values are column-major: `capacity`; expectations are the row's record: 1).
 */
type Cell = [array: Uint8Array | Uint32Array | Float64Array, columns: number, first: number, step: number];
type Cells = [Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell];

function cellsOf(store: ProfileStore, slot: number): Cells {
  const { strides: s, record, count } = store.layout;
  const cap = store.capacity;
  return [
    [store.levels, count, slot * record.bytes, 1],
    [store.codes, s.codes, slot, cap],
    [store.masks, s.masks, slot, cap],
    [store.nums, s.nums, slot, cap],
    [store.ratings, s.ratings, slot, cap],
    [store.acceptMasks, s.acceptMasks, slot * record.words + record.masks, 1],
    [store.acceptSteps, s.acceptSteps, slot * record.bytes + record.steps, 1],
    [store.acceptNums, s.acceptNums, slot * record.doubles + record.nums, 1],
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
    for (const [array, columns, first, step] of cellsOf(store, slot)) {
      for (let col = 0; col < columns; col++) {
        const value = array[first + col * step]!;
        if (array instanceof Uint8Array) at = bytes.writeUInt8(value, at);
        else if (array instanceof Uint32Array) at = bytes.writeUInt32LE(value, at);
        else at = bytes.writeDoubleLE(value, at);
      }
    }
    return bytes;
  });
}

/** Adds or replaces a profile from its packed row; false (and nothing changed) if it does not fit. */
export function upsertPacked(
  store: ProfileStore,
  profile: Omit<IndexedProfile, 'answers'>,
  bytes: Uint8Array,
): boolean {
  if (bytes.length !== rowSize(store.layout)) return false;
  store.write(profile, (slot) => unpackInto(store, slot, bytes));
  return true;
}

/**
 * Writes a packed row (of the right size) into row `slot` of the store: the cells of cellsOf's
 * order, unrolled by type (start-up unpacks a million rows).
 */
function unpackInto(store: ProfileStore, slot: number, bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [levels, codes, masks, nums, ratings, acceptMasks, acceptSteps, acceptNums] = cellsOf(store, slot);
  let at = readBytes(levels, bytes, 0);
  at = readBytes(codes, bytes, at);
  at = readWords(masks, view, at);
  at = readDoubles(nums, view, at);
  at = readBytes(ratings, bytes, at);
  at = readWords(acceptMasks, view, at);
  at = readBytes(acceptSteps, bytes, at);
  readDoubles(acceptNums, view, at);
}

function readBytes([array, columns, first, step]: Cell, bytes: Uint8Array, at: number) {
  for (let col = 0; col < columns; col++) array[first + col * step] = bytes[at + col]!;
  return at + columns;
}

function readWords([array, columns, first, step]: Cell, view: DataView, at: number) {
  for (let col = 0; col < columns; col++) array[first + col * step] = view.getUint32(at + 4 * col, true);
  return at + 4 * columns;
}

function readDoubles([array, columns, first, step]: Cell, view: DataView, at: number) {
  for (let col = 0; col < columns; col++) array[first + col * step] = view.getFloat64(at + 8 * col, true);
  return at + 8 * columns;
}

/** Placeholder ids for the scratch store that packs rows (they never leave it). */
function slotId(i: number): string {
  return `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

/** Adds or replaces a profile in `to` with row `slot` of `from` (a store of the same layout), cell for cell. */
export function copyRow(
  from: ProfileStore,
  slot: number,
  to: ProfileStore,
  profile: Omit<IndexedProfile, 'answers'>,
): number {
  if (from.layout !== to.layout) throw new Error('copyRow: the stores have different layouts');
  // The cells are found inside `fill`: claiming a row can grow (replace) the target's arrays.
  return to.write(profile, (target) => {
    const source = cellsOf(from, slot);
    cellsOf(to, target).forEach(([array, columns, first, step], i) => {
      const [fromArray, , fromFirst, fromStep] = source[i]!;
      for (let col = 0; col < columns; col++)
        array[first + col * step] = fromArray[fromFirst + col * fromStep]!;
    });
  });
}
