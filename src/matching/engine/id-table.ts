/**
 * id → row, open addressing over an Int32Array (a JS Map of a million string keys would cost more
 * than the profiles themselves). Keys are the ids' words (see uuid-words.ts), compared against the
 * store's ids array, so the table holds row numbers only.
 */
export class IdTable {
  private table: Int32Array;
  private used = 0;

  /** Room for `rows` ids before the first rehash (a staged store of one profile needs 16 slots, not 2,048). */
  constructor(rows = 1024) {
    let size = 16;
    while (size < rows * 2) size *= 2;
    this.table = new Int32Array(size).fill(-1);
  }

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

  /** Makes room for `rows` ids in all, so filling up to them rehashes nothing. */
  reserve(rows: number, ids: Uint32Array): void {
    if (rows * 2 > this.table.length) this.rehash(ids, rows);
  }

  private rehash(ids: Uint32Array, rows = 0): void {
    const old = this.table;
    let live = 0;
    for (const slot of old) if (slot >= 0) live++;
    let size = old.length;
    while ((live + 1) * 2 > size / 2 || rows * 2 > size) size *= 2;
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
