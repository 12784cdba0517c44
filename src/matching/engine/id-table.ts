/** A table this full starts growing (see IdTable): it moves into a larger one a few entries a write. */
const GROW_AT = 3 / 8;
/**
 * Positions of the table being left moved per write: the new table (twice the ids held, at
 * GROW_AT) takes at least 3/16 of the old table's size in new ids before it grows again, and
 * moving the old one takes a sixteenth of that at 16 a write.
 */
const MOVE_PER_WRITE = 16;
/** A position's content: 0 empty, -1 a tombstone (keeps later keys of the same probe chain reachable), else slot + 1. */
const EMPTY = 0;
const TOMBSTONE = -1;

/**
 * id → row, open addressing over an Int32Array (a JS Map of a million string keys would cost more
 * than the profiles themselves). Keys are the ids' words (see uuid-words.ts), compared against the
 * store's ids array, so the table holds row numbers only.
 *
 * Growing moves every entry to a table twice as large or more: at two million ids, 0.6–0.9 s in
 * one go. So it is incremental: once the table is GROW_AT full, a new one is made (zeroed memory:
 * empty, its pages mapped in as they are written) and each write moves MOVE_PER_WRITE positions of
 * the old one into it; meanwhile an id is looked up in the new table, then in the old. An entry is
 * in one of them only: moving it leaves a tombstone behind.
 */
export class IdTable {
  private table: Int32Array;
  /** Positions of `table` not empty: entries and tombstones. */
  private used = 0;
  private live = 0;
  /** The table being left while growing, and how many of its positions have moved. */
  private leaving: Int32Array | undefined;
  private moved = 0;

  /** Room for `rows` ids before the first growth (a staged store of one profile needs 16 slots, not 2,048). */
  constructor(rows = 1024) {
    this.table = new Int32Array(sizeFor(rows, 16));
  }

  byteSize(): number {
    return this.table.byteLength + (this.leaving?.byteLength ?? 0);
  }

  /** Whether entries are still moving to a larger table (see the class). */
  get growing(): boolean {
    return this.leaving !== undefined;
  }

  get(words: Uint32Array, ids: Uint32Array): number {
    const at = positionOf(this.table, words, ids);
    if (at >= 0) return this.table[at]! - 1;
    const left = this.leaving && positionOf(this.leaving, words, ids);
    return left === undefined || left < 0 ? -1 : this.leaving![left]! - 1;
  }

  set(words: Uint32Array, slot: number, ids: Uint32Array): void {
    if (this.leaving) this.moveSome(ids, MOVE_PER_WRITE);
    else if (this.used + 1 > this.table.length * GROW_AT) this.startGrowth(0);
    // Never half full: a growth that could not keep up (not with MOVE_PER_WRITE) is done at once.
    if ((this.used + 1) * 2 > this.table.length) this.growNow(ids);
    if (insert(this.table, hashWords(words, 0), slot)) this.used++;
    this.live++;
  }

  delete(words: Uint32Array, ids: Uint32Array): void {
    const at = positionOf(this.table, words, ids);
    const table = at >= 0 ? this.table : this.leaving;
    const found = at >= 0 ? at : this.leaving ? positionOf(this.leaving, words, ids) : -1;
    if (found < 0) return;
    table![found] = TOMBSTONE;
    this.live--;
  }

  /** Makes room for `rows` ids in all, so filling up to them grows nothing (at once: a load, not a write). */
  reserve(rows: number, ids: Uint32Array): void {
    if (this.leaving) this.moveSome(ids, Number.POSITIVE_INFINITY);
    if (rows <= this.table.length * GROW_AT) return;
    this.startGrowth(rows);
    this.moveSome(ids, Number.POSITIVE_INFINITY);
  }

  private growNow(ids: Uint32Array): void {
    if (this.leaving) this.moveSome(ids, Number.POSITIVE_INFINITY);
    this.startGrowth(0);
    this.moveSome(ids, Number.POSITIVE_INFINITY);
  }

  private startGrowth(rows: number): void {
    this.leaving = this.table;
    this.moved = 0;
    // Twice the ids held: as many writes again before the next growth.
    this.table = new Int32Array(sizeFor(Math.max(rows, (this.live + 1) * 2), this.table.length));
    this.used = 0;
  }

  /** Moves up to `count` positions of the table being left; drops it once all have moved. */
  private moveSome(ids: Uint32Array, count: number): void {
    const leaving = this.leaving!;
    const end = Math.min(leaving.length, this.moved + count);
    for (let at = this.moved; at < end; at++) {
      const entry = leaving[at]!;
      if (entry <= EMPTY) continue;
      if (insert(this.table, hashWords(ids, (entry - 1) * 4), entry - 1)) this.used++;
      leaving[at] = TOMBSTONE;
    }
    this.moved = end;
    if (end === leaving.length) this.leaving = undefined;
  }
}

/** A power of two, at least `least`, that holds `rows` before it grows. */
function sizeFor(rows: number, least: number): number {
  let size = least;
  while (rows > size * GROW_AT) size *= 2;
  return size;
}

/** The position holding the id `words`, or -1. */
function positionOf(table: Int32Array, words: Uint32Array, ids: Uint32Array): number {
  const mask = table.length - 1;
  for (let i = hashWords(words, 0) & mask; ; i = (i + 1) & mask) {
    const entry = table[i]!;
    if (entry === EMPTY) return -1;
    if (entry > 0 && sameId(ids, entry - 1, words)) return i;
  }
}

/** Puts `slot` at the first free position of its chain; true when that position was empty (not a tombstone). */
function insert(table: Int32Array, hash: number, slot: number): boolean {
  const mask = table.length - 1;
  let i = hash & mask;
  while (table[i]! > 0) i = (i + 1) & mask;
  const wasEmpty = table[i] === EMPTY;
  table[i] = slot + 1;
  return wasEmpty;
}

/** The hash of the four words of `words` from `at`. */
function hashWords(words: Uint32Array, at: number): number {
  let h = 0x811c9dc5;
  for (let w = at; w < at + 4; w++) h = Math.imul(h ^ words[w]!, 0x01000193);
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
