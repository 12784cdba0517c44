import type { ProfileStore } from '../matching/engine/columnar-store.ts';
import { idToWords } from '../matching/engine/uuid-words.ts';
import type { IndexSide } from '../matching/index.ts';

/**
 * A workspace's alerting subjects as of one alert generation (docs/architecture.md#alerts): a
 * process keeps it across evaluations and loads it again only when the workspace's
 * `alert_generation` (which every change to its alerts moves, in PostgreSQL) is no longer the one
 * it was loaded at.
 */
export class AlertRegistry {
  readonly generation: number;
  private readonly sides: Record<IndexSide, AlertingSide>;

  constructor(generation: number, thresholds: Record<IndexSide, ReadonlyMap<string, number>>) {
    this.generation = generation;
    this.sides = { job: new AlertingSide(thresholds.job), candidate: new AlertingSide(thresholds.candidate) };
  }

  side(side: IndexSide): AlertingSide {
    return this.sides[side];
  }
}

/** One side's alerting subjects: their thresholds by id, and their rows in each store they are looked for in. */
export class AlertingSide {
  readonly thresholds: ReadonlyMap<string, number>;
  private readonly ids: string[];
  private readonly words: Uint32Array;
  private readonly values: Float64Array;
  private readonly stores = new WeakMap<ProfileStore, AlertingRows>();

  constructor(thresholds: ReadonlyMap<string, number>) {
    this.thresholds = thresholds;
    this.ids = [...thresholds.keys()];
    this.words = new Uint32Array(this.ids.length * 4);
    this.values = new Float64Array(this.ids.length);
    this.ids.forEach((id, i) => {
      this.words.set(idToWords(id), i * 4);
      this.values[i] = thresholds.get(id)!;
    });
  }

  get size(): number {
    return this.ids.length;
  }

  /** The subjects' rows in `store`, brought up to date with the store's slots. */
  rowsIn(store: ProfileStore): AlertingRows {
    let rows = this.stores.get(store);
    if (!rows) {
      rows = new AlertingRows(this.ids);
      this.stores.set(store, rows);
    }
    if (rows.seen !== store.slotMoves || rows.only.length < store.end) this.follow(rows, store);
    return rows;
  }

  /**
   * Every subject still at the slot it was found at keeps it (its id is compared word by word);
   * the others (moved, removed, or not there before) are looked up again.
   */
  private follow(rows: AlertingRows, store: ProfileStore): void {
    rows.reserve(store.capacity);
    const { slotOf, only, thresholdAt, subjectAt } = rows;
    const lost: number[] = [];
    for (let i = 0; i < this.ids.length; i++) {
      const s = slotOf[i]!;
      if (s >= 0 && store.active[s] === 1 && sameId(store.ids, s, this.words, i)) continue;
      if (s >= 0) {
        only[s] = 0;
        thresholdAt[s] = Number.NaN;
        subjectAt[s] = -1;
      }
      lost.push(i);
    }
    for (const i of lost) {
      const s = store.slotOf(this.ids[i]!);
      slotOf[i] = s;
      if (s < 0) continue;
      only[s] = 1;
      thresholdAt[s] = this.values[i]!;
      subjectAt[s] = i;
    }
    rows.count = 0;
    rows.least = 1;
    for (let i = 0; i < this.ids.length; i++) {
      const s = slotOf[i]!;
      if (s < 0) continue;
      rows.slots[rows.count] = s;
      rows.thresholds[rows.count++] = this.values[i]!;
      rows.least = Math.min(rows.least, this.values[i]!);
    }
    rows.seen = store.slotMoves;
  }
}

/** The alerting subjects found in one store: a list of their rows, and marks by slot for scans. */
export class AlertingRows {
  /** The alerting rows' slots and thresholds, `count` of them. */
  readonly slots: Int32Array;
  readonly thresholds: Float64Array;
  count = 0;
  /** The lowest of their thresholds (1 when there is none). */
  least = 1;
  /** By slot: 1 for an alerting row (a scan's `only`). */
  only = new Uint8Array(0);
  /** By slot: the alerting row's threshold, NaN for every other row. */
  thresholdAt = new Float64Array(0);
  /** By slot: the alerting row's subject (an index into `ids`), -1 for every other row. */
  subjectAt = new Int32Array(0);
  /** The subjects' ids (strings made once, not per pair found). */
  readonly ids: readonly string[];
  /** Per subject (in the AlertingSide's order): its slot, -1 when it is not in the store. */
  readonly slotOf: Int32Array;
  /** The store's slotMoves when last followed. */
  seen = -1;

  constructor(ids: readonly string[]) {
    this.ids = ids;
    this.slots = new Int32Array(ids.length);
    this.thresholds = new Float64Array(ids.length);
    this.slotOf = new Int32Array(ids.length).fill(-1);
  }

  /** The id of the alerting row at `slot`. */
  idAt(slot: number): string {
    return this.ids[this.subjectAt[slot]!]!;
  }

  /** Marks for `capacity` slots, keeping the ones set. */
  reserve(capacity: number): void {
    if (this.only.length >= capacity) return;
    const only = new Uint8Array(capacity);
    only.set(this.only);
    const thresholdAt = new Float64Array(capacity).fill(Number.NaN);
    thresholdAt.set(this.thresholdAt);
    const subjectAt = new Int32Array(capacity).fill(-1);
    subjectAt.set(this.subjectAt);
    this.only = only;
    this.thresholdAt = thresholdAt;
    this.subjectAt = subjectAt;
  }
}

function sameId(ids: Uint32Array, slot: number, words: Uint32Array, i: number): boolean {
  const a = slot * 4;
  const b = i * 4;
  return (
    ids[a] === words[b] &&
    ids[a + 1] === words[b + 1] &&
    ids[a + 2] === words[b + 2] &&
    ids[a + 3] === words[b + 3]
  );
}
