import type { AnswerSet, MultiAnswer, NumberAnswer, ScaleAnswer, SingleAnswer } from '../answers/types.ts';
import {
  type Layout,
  LEVEL_WEIGHTS,
  levelOf,
  MODE_ALL,
  MULTI,
  NUMBER,
  PROFILE,
  SCALE,
  SINGLE,
} from './layout.ts';
import { fitsLayout, unpackInto } from './packed-row.ts';

export const MISSING_CODE = 255;
const INITIAL_CAPACITY = 1024;

export type SharedStore = Pick<
  ProfileStore,
  | 'capacity'
  | 'end'
  | 'size'
  | 'active'
  | 'ids'
  | 'codes'
  | 'masks'
  | 'nums'
  | 'ratings'
  | 'levels'
  | 'acceptMasks'
  | 'acceptNums'
>;

/** One profile as the index takes it in. */
export interface IndexedProfile {
  id: string;
  minScore: number;
  answers: AnswerSet;
  /** jobs only: the employer, reported with candidate-side matches */
  employerId?: string | undefined;
}

/**
 * The profiles of one side of one market (workspace × questionnaire version), packed into typed
 * arrays: a row per profile for its values, its expectations (importance levels, accepted
 * option masks, step and number bounds) and its id. Removed rows go on a free list.
 */
export class ProfileStore {
  readonly layout: Layout;
  capacity = 0;
  /** rows in use or free: the scan covers 0..end */
  end = 0;
  size = 0;
  private free: number[] = [];
  private readonly slotById = new IdTable();
  private employerIds: string[] = [];
  private employerRefByIdentifier = new Map<string, number>();

  active = new Uint8Array(0);
  ids = new Uint32Array(0);
  employerRef = new Int32Array(0);
  // Values, column-major (column × capacity + row): a pass over one criterion reads memory in order.
  codes = new Uint8Array(0);
  masks = new Uint32Array(0);
  nums = new Float64Array(0);
  ratings = new Uint8Array(0);
  // Expectations, one record per row (layout.record): views of one buffer, indexed
  // row × record.bytes (.words, .doubles) + criterion (levels) or layout.acceptAt.
  levels = new Uint8Array(0);
  /** the same bytes as `levels` (scale bounds follow the levels in the record) */
  acceptSteps = new Uint8Array(0);
  acceptMasks = new Uint32Array(0);
  acceptNums = new Float64Array(0);

  constructor(layout: Layout, initialCapacity = INITIAL_CAPACITY) {
    this.layout = layout;
    this.grow(initialCapacity);
  }

  /** What a rank worker thread needs to read this store: its sizes and its arrays (shared, not copied). */
  shared(): SharedStore {
    const { capacity, end, size, active, ids, codes, masks, nums, ratings, levels, acceptMasks, acceptNums } =
      this;
    return { capacity, end, size, active, ids, codes, masks, nums, ratings, levels, acceptMasks, acceptNums };
  }

  /** A read-only view, in a worker thread, of a store shared by another thread. */
  static view(layout: Layout, shared: SharedStore): ProfileStore {
    const store = new ProfileStore(layout, 1);
    Object.assign(store, shared, { acceptSteps: shared.levels });
    return store;
  }

  has(id: string): boolean {
    return this.slotOf(id) >= 0;
  }

  slotOf(id: string): number {
    return this.slotById.get(idToWords(id, scratchWords), this.ids);
  }

  /** Adds or replaces a profile; returns its row. */
  upsert(profile: IndexedProfile): number {
    const slot = this.claim(profile);
    encodeAnswers(this, slot, profile.answers);
    this.weighExpectations(slot);
    return slot;
  }

  /** Adds or replaces a profile from its packed row; false (and nothing changed) if it does not fit. */
  upsertPacked(profile: Omit<IndexedProfile, 'answers'>, bytes: Uint8Array): boolean {
    if (!fitsLayout(this.layout, bytes)) return false;
    const slot = this.claim(profile);
    unpackInto(this, slot, bytes);
    this.weighExpectations(slot);
    return true;
  }

  minScoreOf(slot: number): number {
    const { doubles, minScore } = this.layout.record;
    return this.acceptNums[slot * doubles + minScore]!;
  }

  /** Σ of the row's expectations' weights (every criterion): a bound on what it can still add up. */
  expectationWeightOf(slot: number): number {
    const { doubles, weight } = this.layout.record;
    return this.acceptNums[slot * doubles + weight]!;
  }

  private weighExpectations(slot: number): void {
    const { bytes, doubles, weight } = this.layout.record;
    let sum = 0;
    for (let c = 0; c < this.layout.count; c++) sum += LEVEL_WEIGHTS[this.levels[slot * bytes + c]! & 7]!;
    this.acceptNums[slot * doubles + weight] = sum;
  }

  private claim(profile: Omit<IndexedProfile, 'answers'>): number {
    const words = idToWords(profile.id, scratchWords);
    let slot = this.slotById.get(words, this.ids);
    if (slot < 0) {
      slot = this.free.pop() ?? this.end++;
      if (slot >= this.capacity) this.grow(Math.max(INITIAL_CAPACITY, Math.ceil(this.capacity * 1.5)));
      this.ids.set(words, slot * 4);
      this.slotById.set(words, slot, this.ids);
      this.size++;
    }
    this.active[slot] = 1;
    this.acceptNums[slot * this.layout.record.doubles + this.layout.record.minScore] = profile.minScore;
    this.employerRef[slot] = profile.employerId === undefined ? -1 : this.employerRefOf(profile.employerId);
    return slot;
  }

  remove(id: string): boolean {
    const words = idToWords(id, scratchWords);
    const slot = this.slotById.get(words, this.ids);
    if (slot < 0) return false;
    this.slotById.delete(words, this.ids);
    this.active[slot] = 0;
    this.free.push(slot);
    this.size--;
    return true;
  }

  idAt(slot: number): string {
    return readId(this.ids, slot);
  }

  employerIdAt(slot: number): string | undefined {
    const ref = this.employerRef[slot]!;
    return ref < 0 ? undefined : this.employerIds[ref];
  }

  /** Bytes held by this store's arrays (allocated, not only used). */
  byteSize(): number {
    const arrays = [
      this.active,
      this.ids,
      this.employerRef,
      this.levels,
      this.codes,
      this.masks,
      this.nums,
      this.ratings,
    ];
    return arrays.reduce((sum, a) => sum + a.byteLength, 0) + this.slotById.byteSize();
  }

  /** Gives back the room kept for growth (after the bulk load at start-up). */
  trim(): void {
    if (this.free.length === 0 && this.end < this.capacity) this.grow(Math.max(this.end, 1));
  }

  private employerRefOf(employerId: string): number {
    let ref = this.employerRefByIdentifier.get(employerId);
    if (ref === undefined) {
      ref = this.employerIds.push(employerId) - 1;
      this.employerRefByIdentifier.set(employerId, ref);
    }
    return ref;
  }

  private grow(capacity: number): void {
    const s = this.layout.strides;
    const from = this.capacity;
    this.active = resize(this.active, capacity);
    this.ids = resize(this.ids, capacity * 4);
    this.employerRef = resize(this.employerRef, capacity);
    this.codes = regrow(this.codes, s.codes, from, capacity);
    this.masks = regrow(this.masks, s.masks, from, capacity);
    this.nums = regrow(this.nums, s.nums, from, capacity);
    this.ratings = regrow(this.ratings, s.ratings, from, capacity);
    const records = resize(this.levels, capacity * this.layout.record.bytes).buffer;
    this.levels = new Uint8Array(records);
    this.acceptSteps = this.levels;
    this.acceptMasks = new Uint32Array(records);
    this.acceptNums = new Float64Array(records);
    this.capacity = capacity;
  }
}

/** Column-major arrays: resizing moves every column to its new offset. */
function regrow<T extends Uint8Array | Uint32Array | Float64Array>(
  array: T,
  columns: number,
  from: number,
  to: number,
): T {
  const next = sharedLike(array, columns * to);
  const rows = Math.min(from, to);
  for (let col = 0; col < columns; col++) {
    next.set(array.subarray(col * from, col * from + rows) as never, col * to);
  }
  return next;
}

function resize<T extends Uint8Array | Uint32Array | Int32Array | Float32Array | Float64Array>(
  array: T,
  length: number,
): T {
  const next = sharedLike(array, length);
  next.set(array.subarray(0, Math.min(array.length, length)) as never);
  return next;
}

/**
 * An array of the same type on shared memory: rank worker threads read the store's arrays
 * without a copy (see rank-pool.ts).
 */
function sharedLike<T extends Uint8Array | Uint32Array | Int32Array | Float32Array | Float64Array>(
  array: T,
  length: number,
): T {
  const Type = array.constructor as (new (buffer: SharedArrayBuffer) => T) & { BYTES_PER_ELEMENT: number };
  return new Type(new SharedArrayBuffer(length * Type.BYTES_PER_ELEMENT));
}

/** Writes one profile's answers into its row; every field of the row is overwritten. */
function encodeAnswers(store: ProfileStore, slot: number, answers: AnswerSet): void {
  const layout = store.layout;
  const C = layout.count;
  const { bytes, words, doubles } = layout.record;
  for (let c = 0; c < C; c++) {
    const criterion = layout.criteria[c]!;
    const answer = Object.hasOwn(answers, criterion.id) ? answers[criterion.id] : undefined;
    const level = answer ? levelOf[answer.importance] : 0;
    const v = layout.valueSlot[c]!;
    const a = layout.acceptAt[c]!;
    let levelByte = LEVEL_WEIGHTS[level]! > 0 ? level : 0;
    switch (layout.kinds[c]) {
      case SINGLE: {
        const options = layout.optionIndex[c]!;
        const single = answer as SingleAnswer | undefined;
        store.codes[v * store.capacity + slot] =
          single?.value === undefined ? MISSING_CODE : options.get(single.value)!;
        store.acceptMasks[slot * words + a] = maskOf(single?.accept ?? [], options);
        break;
      }
      case MULTI: {
        const options = layout.optionIndex[c]!;
        const multi = answer as MultiAnswer | undefined;
        store.masks[v * store.capacity + slot] = maskOf(multi?.value ?? [], options);
        store.acceptMasks[slot * words + a] = maskOf(multi?.accept?.options ?? [], options);
        if (multi?.accept?.mode === 'all') levelByte |= MODE_ALL;
        break;
      }
      case SCALE: {
        const scale = answer as ScaleAnswer | undefined;
        store.codes[v * store.capacity + slot] = scale?.value ?? MISSING_CODE;
        store.acceptSteps[slot * bytes + a] = scale?.accept?.min ?? 0;
        store.acceptSteps[slot * bytes + a + 1] = scale?.accept?.max ?? 0;
        break;
      }
      case NUMBER: {
        const number = answer as NumberAnswer | undefined;
        store.nums[v * store.capacity + slot] = number?.value ?? Number.NaN;
        store.acceptNums[slot * doubles + a] = number?.accept?.min ?? Number.NEGATIVE_INFINITY;
        store.acceptNums[slot * doubles + a + 1] = number?.accept?.max ?? Number.POSITIVE_INFINITY;
        break;
      }
      case PROFILE: {
        const ratings = (answer?.value as number[] | undefined) ?? [];
        const dims = layout.dims[c]!;
        for (let d = 0; d < dims; d++) store.ratings[(v + d) * store.capacity + slot] = ratings[d] ?? 0;
        break;
      }
    }
    // An expectation without the data it needs scores nothing, as in the reference scorer.
    if (answer && levelByte !== 0 && !hasExpectation(layout.kinds[c]!, answer)) levelByte = 0;
    store.levels[slot * bytes + c] = levelByte;
  }
}

function hasExpectation(kind: number, answer: { value?: unknown; accept?: unknown }): boolean {
  return kind === PROFILE ? answer.value !== undefined : answer.accept !== undefined;
}

function maskOf(ids: readonly string[], options: ReadonlyMap<string, number>): number {
  let mask = 0;
  for (const id of ids) mask |= 1 << options.get(id)!;
  return mask >>> 0;
}

// Ids: UUIDs kept as four big-endian 32-bit words, so comparing words compares the strings.

function readId(ids: Uint32Array, slot: number): string {
  let hex = '';
  for (let w = 0; w < 4; w++) hex += ids[slot * 4 + w]!.toString(16).padStart(8, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** id order of two rows (possibly of two stores): negative when a's id sorts first. */
export function compareIds(aIds: Uint32Array, a: number, bIds: Uint32Array, b: number): number {
  for (let w = 0; w < 4; w++) {
    const x = aIds[a * 4 + w]!;
    const y = bIds[b * 4 + w]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * id → row, open addressing over an Int32Array (a JS Map of a million string keys would cost more
 * than the profiles themselves). Keys are compared against the ids array.
 */
class IdTable {
  private table = new Int32Array(2048).fill(-1);
  private used = 0;

  byteSize(): number {
    return this.table.byteLength;
  }

  get(words: Uint32Array, ids: Uint32Array): number {
    const mask = this.table.length - 1;
    for (let i = hashWords(words) & mask; ; i = (i + 1) & mask) {
      const slot = this.table[i]!;
      if (slot === -1) return -1;
      if (slot >= 0 && sameId(ids, slot, words)) return slot;
    }
  }

  set(words: Uint32Array, slot: number, ids: Uint32Array): void {
    if ((this.used + 1) * 2 > this.table.length) this.rehash(ids);
    const mask = this.table.length - 1;
    let i = hashWords(words) & mask;
    while (this.table[i]! >= 0) i = (i + 1) & mask;
    if (this.table[i] === -1) this.used++;
    this.table[i] = slot;
  }

  delete(words: Uint32Array, ids: Uint32Array): void {
    const mask = this.table.length - 1;
    for (let i = hashWords(words) & mask; ; i = (i + 1) & mask) {
      const slot = this.table[i]!;
      if (slot === -1) return;
      if (slot >= 0 && sameId(ids, slot, words)) {
        this.table[i] = -2; // a tombstone keeps later keys of the same probe chain reachable
        return;
      }
    }
  }

  private rehash(ids: Uint32Array): void {
    const old = this.table;
    let live = 0;
    for (const slot of old) if (slot >= 0) live++;
    let size = old.length;
    while ((live + 1) * 2 > size / 2) size *= 2;
    this.table = new Int32Array(size).fill(-1);
    this.used = 0;
    const mask = size - 1;
    for (const slot of old) {
      if (slot < 0) continue;
      let i = hashWords(ids.subarray(slot * 4, slot * 4 + 4)) & mask;
      while (this.table[i] !== -1) i = (i + 1) & mask;
      this.table[i] = slot;
      this.used++;
    }
  }
}

/** Reused for look-ups (everything here runs synchronously); callers that keep words pass none. */
const scratchWords = new Uint32Array(4);

/** A UUID's 128 bits as four big-endian words, parsed without intermediate strings. */
export function idToWords(id: string, words = new Uint32Array(4)): Uint32Array {
  let at = 0;
  for (let w = 0; w < 4; w++) {
    let word = 0;
    for (let digit = 0; digit < 8; digit++) {
      let code = id.charCodeAt(at++);
      if (code === 45) code = id.charCodeAt(at++); // '-'
      word = (word << 4) | HEX_VALUE[code]!;
    }
    words[w] = word >>> 0;
  }
  return words;
}

const HEX_VALUE = new Uint8Array(128);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[65 + i] = 10 + i;
  HEX_VALUE[97 + i] = 10 + i;
}

function hashWords(words: Uint32Array): number {
  let h = 0x811c9dc5;
  for (const word of words) h = Math.imul(h ^ word, 0x01000193);
  return (h ^ (h >>> 15)) >>> 0;
}

function sameId(ids: Uint32Array, slot: number, words: Uint32Array): boolean {
  return (
    ids[slot * 4] === words[0] &&
    ids[slot * 4 + 1] === words[1] &&
    ids[slot * 4 + 2] === words[2] &&
    ids[slot * 4 + 3] === words[3]
  );
}
