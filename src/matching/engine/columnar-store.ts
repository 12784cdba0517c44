import type { AnswerSet } from '../../answers/types.ts';
import { IdTable } from './id-table.ts';
import { rangeCodeOf } from './kinds/range-codes.ts';
import type { Layout } from './layout.ts';
import { LEVEL_WEIGHTS } from './levels.ts';
import { prefault } from './prefault.ts';
import { noteDealbreaker } from './reverse-dealbreakers.ts';
import { encodeAnswers } from './row-encoding.ts';
import { idToWords, wordsToId } from './uuid-words.ts';

const INITIAL_CAPACITY = 1024;
/** A full store grows to this many times its rows. */
const GROWTH = 1.5;
/** Room kept for new rows by a load (reserve, trim): the first writes after a start do not copy the store. */
const HEADROOM = 1 / 16;
/**
 * The next arrays of a store this large (about 30,000 profiles) are made ready once it is this
 * full: their pages mapped in by a helper thread (see prefault.ts), so that growing copies bytes
 * only. A smaller store grows in a few milliseconds anyway.
 */
const PREPARE_FROM_BYTES = 8 * 1024 * 1024;
const PREPARE_WHEN_FULL = 31 / 32;

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
  /** The arrays to grow into, their pages already mapped in (see prepareGrowth). */
  private prepared: StoreArrays | undefined;
  /** Set while the next arrays are being made ready; settles when they are ready or given up. */
  preparing: Promise<void> | undefined;

  active = new Uint8Array(0);
  ids = new Uint32Array(0);
  /** per row: its employer's index in employerIds, −1 for none; empty in a store that never had one (candidates) */
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
    this.codeRanges(slot);
    noteDealbreaker(this, slot);
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

  /** The row's range codes, from its values (kinds/range-codes.ts): every way of writing a row derives them here. */
  private codeRanges(slot: number): void {
    const { rangeCoded, rangeCodeSlot, rangeEdges, valueSlot } = this.layout;
    for (let i = 0; i < rangeCoded.length; i++) {
      const c = rangeCoded[i]!;
      const x = this.nums[valueSlot[c]! * this.capacity + slot]!;
      this.codes[rangeCodeSlot[c]! * this.capacity + slot] = rangeCodeOf(rangeEdges[c]!, x);
    }
  }

  private claim(profile: Omit<IndexedProfile, 'answers'>): number {
    const words = idToWords(profile.id, scratchWords);
    let slot = this.slotById.get(words, this.ids);
    if (slot < 0) {
      slot = this.free.pop() ?? this.end++;
      if (slot >= this.capacity) this.grow(Math.max(INITIAL_CAPACITY, Math.ceil(this.capacity * GROWTH)));
      else if (this.end >= this.capacity * PREPARE_WHEN_FULL) this.prepareGrowth();
      this.ids.set(words, slot * 4);
      this.slotById.set(words, slot, this.ids);
      this.size++;
      this.slotMoves++;
    }
    this.active[slot] = 1;
    this.acceptNums[slot * this.layout.record.doubles + this.layout.record.minScore] = profile.minScore;
    if (profile.employerId !== undefined || this.employerRef.length > 0) {
      if (this.employerRef.length === 0)
        this.employerRef = sharedLike(this.employerRef, this.capacity).fill(-1);
      this.employerRef[slot] = profile.employerId === undefined ? -1 : this.employerRefOf(profile.employerId);
    }
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
    const ref = this.employerRef[slot] ?? -1;
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

  /**
   * Makes room for `rows` rows at once, and a sixteenth more: a load that knows its size copies
   * nothing while it fills, and the first writes after it do not copy the store either.
   */
  reserve(rows: number): void {
    const capacity = Math.ceil(rows * (1 + HEADROOM));
    if (capacity > this.capacity) this.grow(capacity);
    this.slotById.reserve(capacity, this.ids);
  }

  /** Gives back the room kept for growth (after the bulk load at start-up) but a sixteenth. */
  trim(): void {
    const capacity = Math.max(1, Math.ceil(this.end * (1 + HEADROOM)));
    if (this.free.length === 0 && capacity < this.capacity) this.grow(capacity);
  }

  /** The capacity the store grows to next, once its arrays are ready (undefined: none prepared). */
  get preparedCapacity(): number | undefined {
    return this.prepared?.capacity;
  }

  /**
   * Allocates the arrays of the next growth and has a helper thread map their pages in, so that
   * growing (on the event loop) copies bytes only: at a million profiles 35–60 ms instead of
   * 0.7–1.0 s. Until they are ready, or if the thread fails, the store grows as before.
   */
  private prepareGrowth(): void {
    if (this.preparing || this.prepared || this.byteSize() < PREPARE_FROM_BYTES) return;
    const next = this.allocate(Math.ceil(this.capacity * GROWTH));
    this.preparing = prefault(buffersOf(next)).then((ready) => {
      this.preparing = undefined;
      if (ready && next.capacity > this.capacity) this.prepared = next;
    });
  }

  private employerRefOf(employerId: string): number {
    let ref = this.employerRefByIdentifier.get(employerId);
    if (ref === undefined) {
      ref = this.employerIds.push(employerId) - 1;
      this.employerRefByIdentifier.set(employerId, ref);
    }
    return ref;
  }

  /** Moves the rows to arrays for `capacity` rows: the prepared ones if they are of that size. */
  private grow(capacity: number): void {
    const prepared = this.prepared;
    this.prepared = undefined;
    const fits =
      prepared?.capacity === capacity && prepared.employerRef.length > 0 === this.employerRef.length > 0;
    this.moveTo(fits ? prepared : this.allocate(capacity));
  }

  /** Zeroed arrays for `capacity` rows (their pages are mapped in when first touched). */
  private allocate(capacity: number): StoreArrays {
    const s = this.layout.strides;
    return {
      capacity,
      active: sharedLike(this.active, capacity),
      ids: sharedLike(this.ids, capacity * 4),
      // Only a store of jobs has employers: a store of candidates keeps none (4 bytes a row).
      employerRef: sharedLike(this.employerRef, this.employerRef.length > 0 ? capacity : 0),
      codes: sharedLike(this.codes, (s.codes + s.rangeCodes + s.noted) * capacity),
      masks: sharedLike(this.masks, (s.masks + s.noted) * capacity),
      nums: sharedLike(this.nums, s.nums * capacity),
      ratings: sharedLike(this.ratings, s.ratings * capacity),
      records: sharedLike(this.levels, capacity * this.layout.record.bytes),
    };
  }

  /** Copies every row into `next` and reads and writes them there from now on. */
  private moveTo(next: StoreArrays): void {
    const s = this.layout.strides;
    const from = this.capacity;
    const { capacity } = next;
    this.active = copied(this.active, next.active);
    this.ids = copied(this.ids, next.ids);
    this.employerRef = copied(this.employerRef, next.employerRef);
    this.codes = regrow(this.codes, next.codes, s.codes + s.rangeCodes + s.noted, from, capacity);
    this.masks = regrow(this.masks, next.masks, s.masks + s.noted, from, capacity);
    this.nums = regrow(this.nums, next.nums, s.nums, from, capacity);
    this.ratings = regrow(this.ratings, next.ratings, s.ratings, from, capacity);
    this.levels = copied(this.levels, next.records);
    this.acceptSteps = this.levels;
    this.acceptMasks = new Uint32Array(next.records.buffer);
    this.acceptNums = new Float64Array(next.records.buffer);
    this.capacity = capacity;
  }
}

/** A store's arrays for `capacity` rows, on shared memory: rank worker threads read them without a copy (see slice-pool.ts). */
type StoreArrays = Pick<
  ProfileStore,
  'capacity' | 'active' | 'ids' | 'employerRef' | 'codes' | 'masks' | 'nums' | 'ratings'
> & {
  /** the rows' expectation records (levels and accepts, see layout.ts) */
  records: ProfileStore['levels'];
};

function buffersOf(arrays: StoreArrays): SharedArrayBuffer[] {
  const { active, ids, employerRef, codes, masks, nums, ratings, records } = arrays;
  return [active, ids, employerRef, codes, masks, nums, ratings, records].map(
    (array) => array.buffer as unknown as SharedArrayBuffer,
  );
}

/** Column-major arrays: moving to `next` puts every column at its new offset. */
function regrow<T extends Uint8Array | Uint32Array | Float64Array>(
  array: T,
  next: T,
  columns: number,
  from: number,
  to: number,
): T {
  const rows = Math.min(from, to);
  for (let col = 0; col < columns; col++) {
    next.set(array.subarray(col * from, col * from + rows) as never, col * to);
  }
  return next;
}

/**
 * An array of the same type on shared memory: rank worker threads read the store's arrays
 * without a copy (see slice-pool.ts).
 */
function sharedLike<T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(
  array: T,
  length: number,
): T {
  const Type = array.constructor as (new (buffer: SharedArrayBuffer) => T) & { BYTES_PER_ELEMENT: number };
  return new Type(new SharedArrayBuffer(length * Type.BYTES_PER_ELEMENT));
}

/** `next` with the start of `array` (all of it, or as much as fits) copied in. */
function copied<T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(array: T, next: T): T {
  next.set(array.subarray(0, Math.min(array.length, next.length)) as never);
  return next;
}

/** Reused for look-ups (everything here runs synchronously); callers that keep words pass none. */
const scratchWords = new Uint32Array(4);
