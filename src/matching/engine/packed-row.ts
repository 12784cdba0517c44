import type { AnswerSet } from '../../answers/types.ts';
import { type IndexedProfile, ProfileStore } from './columnar-store.ts';
import { kindOf } from './kinds/index.ts';
import type { Layout } from './layout.ts';
import { encodeAnswers } from './row-encoding.ts';

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

/** The bytes of a packed row of `layout`. */
export function packedSize(layout: Layout): number {
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

/**
 * The packed row of each answer set, encoded exactly as the index encodes answers: into the one
 * row of a scratch store, whose every cell encodeAnswers overwrites, then copied out.
 */
export function packAnswers(layout: Layout, answerSets: AnswerSet[]): Buffer[] {
  const scratch = scratchOf(layout);
  const size = packedSize(layout);
  const all = Buffer.allocUnsafe(size * answerSets.length);
  return answerSets.map((answers, i) => {
    encodeAnswers(scratch.store, 0, answers);
    const bytes = all.subarray(i * size, (i + 1) * size);
    scratch.copyOut(bytes);
    return bytes;
  });
}

/** A store of one row, and how its cells are copied out in packed order. */
interface Scratch {
  store: ProfileStore;
  copyOut: (bytes: Buffer) => void;
}

const scratches = new WeakMap<Layout, Scratch>();

function scratchOf(layout: Layout): Scratch {
  let scratch = scratches.get(layout);
  if (!scratch) {
    const store = new ProfileStore(layout, 1);
    scratch = { store, copyOut: LITTLE_ENDIAN ? blockCopier(store) : cellCopier(store) };
    scratches.set(layout, scratch);
  }
  return scratch;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * With room for one row, a row's cells of each array sit side by side: on a little-endian machine
 * (all that Node runs on but s390x) their bytes are the packed ones, copied as eight blocks.
 */
export function blockCopier(store: ProfileStore): (bytes: Buffer) => void {
  if (store.capacity !== 1) throw new Error('blockCopier: a store of one row only');
  const blocks = cellsOf(store, 0).map(
    ([array, columns, first]) =>
      new Uint8Array(
        array.buffer,
        array.byteOffset + first * array.BYTES_PER_ELEMENT,
        columns * array.BYTES_PER_ELEMENT,
      ),
  );
  return (bytes) => {
    let at = 0;
    for (const block of blocks) {
      bytes.set(block, at);
      at += block.byteLength;
    }
  };
}

/** Cell by cell, little-endian whatever the machine (exported for the test that holds it equal to blockCopier). */
export function cellCopier(store: ProfileStore): (bytes: Buffer) => void {
  return (bytes) => {
    let at = 0;
    for (const [array, columns, first, step] of cellsOf(store, 0)) {
      for (let col = 0; col < columns; col++) {
        const value = array[first + col * step]!;
        if (array instanceof Uint8Array) at = bytes.writeUInt8(value, at);
        else if (array instanceof Uint32Array) at = bytes.writeUInt32LE(value, at);
        else at = bytes.writeDoubleLE(value, at);
      }
    }
  };
}

/** Adds or replaces a profile from its packed row; false (and nothing changed) if it does not fit. */
export function upsertPacked(
  store: ProfileStore,
  profile: Omit<IndexedProfile, 'answers'>,
  bytes: Uint8Array,
): boolean {
  if (bytes.length !== packedSize(store.layout)) return false;
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
