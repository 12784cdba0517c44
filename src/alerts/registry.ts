import type { ProfileStore } from '../matching/engine/columnar-store.ts';
import { IdTable } from '../matching/engine/id-table.ts';
import { idToWords } from '../matching/engine/uuid-words.ts';
import type { IndexSide } from '../matching/index.ts';
import type { Thresholds } from './evaluate.ts';

/**
 * A workspace's alerting subjects as of one alert generation (docs/architecture.md#alerts): a
 * process keeps it across evaluations and loads it again only when the workspace's
 * `alert_generation` (which every change to its alerts moves, in PostgreSQL) is no longer the one
 * it was loaded at.
 */
export class AlertRegistry {
  readonly generation: number;
  private readonly sides: Record<IndexSide, AlertingSide>;

  constructor(generation: number, subjects: Record<IndexSide, SubjectThresholds>) {
    this.generation = generation;
    this.sides = { job: new AlertingSide(subjects.job), candidate: new AlertingSide(subjects.candidate) };
  }

  side(side: IndexSide): AlertingSide {
    return this.sides[side];
  }

  /** What an evaluation of changed profiles `ids` of `side` scores against: their own alerts' thresholds and the other side's. */
  thresholds(side: IndexSide, ids: readonly string[]): Thresholds {
    const mine = this.sides[side];
    const own = new Map<string, number>();
    for (const id of ids) {
      const threshold = mine.thresholdOf(id);
      if (threshold !== undefined) own.set(id, threshold);
    }
    return { own, others: this.sides[side === 'job' ? 'candidate' : 'job'] };
  }
}

/**
 * One side's alerting subjects, by their ids' words (uuid-words.ts) and thresholds, as the
 * registry's load reads them (repository.ts, alertingSubjectsOf): no string per subject.
 */
export interface SubjectThresholds {
  /** Four words a subject. */
  words: Uint32Array;
  /** A threshold a subject, in the same order. */
  values: Float64Array;
}

/** One side's alerting subjects: their thresholds, and their rows in each store they are looked for in. */
export class AlertingSide {
  private readonly words: Uint32Array;
  private readonly values: Float64Array;
  /** Subject by id (its words), for thresholdOf. */
  private readonly byId: IdTable;
  private readonly stores = new WeakMap<ProfileStore, AlertingRows>();

  /** From the subjects' words and thresholds, or (tests, benches) a map of thresholds by id. */
  constructor(subjects: SubjectThresholds | ReadonlyMap<string, number>) {
    const { words, values } =
      subjects instanceof Map ? subjectsOf(subjects) : (subjects as SubjectThresholds);
    this.words = words;
    this.values = values;
    this.byId = new IdTable(values.length);
    for (let i = 0; i < values.length; i++) this.byId.set(wordsAt(words, i), i, words);
  }

  get size(): number {
    return this.values.length;
  }

  /** The subject's threshold, or undefined when it has no alert. */
  thresholdOf(id: string): number | undefined {
    const i = this.byId.get(idToWords(id), this.words);
    return i < 0 ? undefined : this.values[i];
  }

  /** The subjects' rows in `store`, brought up to date with the store's slots. */
  rowsIn(store: ProfileStore): AlertingRows {
    let rows = this.stores.get(store);
    if (!rows) {
      rows = new AlertingRows(this.size);
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
    const { slotOf, only, thresholdAt } = rows;
    const lost: number[] = [];
    for (let i = 0; i < this.size; i++) {
      const s = slotOf[i]!;
      if (s >= 0 && store.active[s] === 1 && sameId(store.ids, s, this.words, i)) continue;
      if (s >= 0) {
        only[s] = 0;
        thresholdAt[s] = Number.NaN;
      }
      lost.push(i);
    }
    for (const i of lost) {
      const s = store.slotOfWords(wordsAt(this.words, i));
      slotOf[i] = s;
      if (s < 0) continue;
      only[s] = 1;
      thresholdAt[s] = this.values[i]!;
    }
    rows.count = 0;
    rows.least = 1;
    for (let i = 0; i < this.size; i++) {
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
  /** Per subject (in the AlertingSide's order): its slot, -1 when it is not in the store. */
  readonly slotOf: Int32Array;
  /** The store's slotMoves when last followed. */
  seen = -1;

  constructor(subjects: number) {
    this.slots = new Int32Array(subjects);
    this.thresholds = new Float64Array(subjects);
    this.slotOf = new Int32Array(subjects).fill(-1);
  }

  /** Marks for `capacity` slots, keeping the ones set. */
  reserve(capacity: number): void {
    if (this.only.length >= capacity) return;
    const only = new Uint8Array(capacity);
    only.set(this.only);
    const thresholdAt = new Float64Array(capacity).fill(Number.NaN);
    thresholdAt.set(this.thresholdAt);
    this.only = only;
    this.thresholdAt = thresholdAt;
  }
}

/** Subject i's four words (a view). */
const wordsAt = (words: Uint32Array, i: number) => words.subarray(i * 4, i * 4 + 4);

function subjectsOf(thresholds: ReadonlyMap<string, number>): SubjectThresholds {
  const words = new Uint32Array(thresholds.size * 4);
  const values = new Float64Array(thresholds.size);
  let i = 0;
  for (const [id, threshold] of thresholds) {
    words.set(idToWords(id), i * 4);
    values[i++] = threshold;
  }
  return { words, values };
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
