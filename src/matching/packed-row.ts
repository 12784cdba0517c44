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

/** Writes a packed row (checked with fitsLayout) into row `slot` of the store. */
export function unpackInto(store: ProfileStore, slot: number, bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  for (const [array, columns] of cellsOf(store)) {
    for (let col = 0; col < columns; col++) {
      const index = col * store.capacity + slot;
      if (array instanceof Uint8Array) {
        array[index] = view.getUint8(at);
        at += 1;
      } else if (array instanceof Uint32Array) {
        array[index] = view.getUint32(at, true);
        at += 4;
      } else {
        array[index] = view.getFloat64(at, true);
        at += 8;
      }
    }
  }
}

/** Placeholder ids for the scratch store that packs rows (they never leave it). */
function slotId(i: number): string {
  return `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}
