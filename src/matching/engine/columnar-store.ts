import type { AnswerSet } from '../../answers/types.ts';
import { IdTable } from './id-table.ts';
import type { Layout } from './layout.ts';
import { LEVEL_WEIGHTS } from './levels.ts';
import { encodeAnswers } from './row-encoding.ts';
import { idToWords, wordsToId } from './uuid-words.ts';

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
  /** Counts every id given a slot or taking leave of one: a cache of ids' slots holds while it stays. */
  slotMoves = 0;
  private free: number[] = [];
  private readonly slotById: IdTable;
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
    this.slotById = new IdTable(initialCapacity);
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

  slotOf(id: string): number {
    return this.slotById.get(idToWords(id, scratchWords), this.ids);
  }

  /** slotOf for an id given as its four words (uuid-words.ts). */
  slotOfWords(words: Uint32Array): number {
    return this.slotById.get(words, this.ids);
  }

  /** Adds or replaces a profile; returns its row. */
  upsert(profile: IndexedProfile): number {
    return this.write(profile, (slot) => encodeAnswers(this, slot, profile.answers));
  }

  /**
   * Adds or replaces a profile whose row `fill` writes (every cell of it: answer encoding or a
   * packed row, see packed-row.ts); returns its row.
   */
  write(profile: Omit<IndexedProfile, 'answers'>, fill: (slot: number) => void): number {
    const slot = this.claim(profile);
    fill(slot);
    this.weighExpectations(slot);
    return slot;
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
      this.slotMoves++;
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
    this.slotMoves++;
    return true;
  }

  idAt(slot: number): string {
    return wordsToId(this.ids, slot);
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

  /** Makes room for `rows` rows at once: a load that knows its size copies nothing while it fills. */
  reserve(rows: number): void {
    if (rows > this.capacity) this.grow(rows);
    this.slotById.reserve(rows, this.ids);
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
 * without a copy (see slice-pool.ts).
 */
function sharedLike<T extends Uint8Array | Uint32Array | Int32Array | Float32Array | Float64Array>(
  array: T,
  length: number,
): T {
  const Type = array.constructor as (new (buffer: SharedArrayBuffer) => T) & { BYTES_PER_ELEMENT: number };
  return new Type(new SharedArrayBuffer(length * Type.BYTES_PER_ELEMENT));
}

/** Reused for look-ups (everything here runs synchronously); callers that keep words pass none. */
const scratchWords = new Uint32Array(4);
