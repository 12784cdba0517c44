import { IdNumbering } from '../id-numbering.ts';
import { wordsToId } from '../matching/engine/uuid-words.ts';
import type { IndexSide } from '../matching/index.ts';
import type { Turns } from './turns.ts';

/** One pair above an alerting subject's threshold: `alertOf` says whose alert it is for. */
export interface AlertPair {
  alertOf: IndexSide;
  jobId: string;
  candidateId: string;
  score: number;
}

/** Pairs compared between pauses (see Turns): a job's own alert can find hundreds of thousands. */
const PIECE = 4_096;

/**
 * The pairs an evaluation found, without a string per pair: the changed profile (an owner,
 * numbered once per evaluation), whose alert it is for, the other profile by its id's four words
 * (uuid-words.ts, copied from its store's row as found, so a slot reused later cannot change it),
 * and the score. A write's pairs after and before it are compared as such; ids become strings only
 * for the crossings (`crossings`, `all`): a job write finds tens of thousands of pairs, nearly all of
 * them in both.
 */
export class FoundPairs {
  /** The changed profiles' side: owners are its jobs, or its candidates. */
  readonly side: IndexSide;
  length = 0;
  private readonly owners = new IdNumbering();
  /** Per pair: its key, the owner's number × 2, + 1 when the pair is for the owner's own alert. */
  private keys: Int32Array;
  /** Per pair: the other profile's id, four words. */
  private words: Uint32Array;
  private scores: Float64Array;
  /** The pair pairAt last made, and its other profile's id. */
  private lastMade = -1;
  private lastOther = '';

  constructor(side: IndexSide) {
    this.side = side;
    [this.scores, this.words, this.keys] = pairArrays(256);
  }

  /** The number of a changed profile, for `add`. */
  owner(id: string): number {
    return this.owners.of(id);
  }

  ownerId(owner: number): string {
    return this.owners.ids[owner]!;
  }

  /** Room for `more` pairs beyond those held (a scan thread's answer is added in one go). */
  reserve(more: number): void {
    if (this.length + more > this.keys.length) this.grow(this.length + more);
  }

  /** A pair of owner `owner` and the other side's profile at row `slot` of `ids` (its store's ids). */
  add(alertOf: IndexSide, owner: number, ids: Uint32Array, slot: number, score: number): void {
    const i = this.length++;
    if (i === this.keys.length) this.grow();
    this.keys[i] = owner * 2 + (alertOf === this.side ? 1 : 0);
    const words = this.words;
    words[i * 4] = ids[slot * 4]!;
    words[i * 4 + 1] = ids[slot * 4 + 1]!;
    words[i * 4 + 2] = ids[slot * 4 + 2]!;
    words[i * 4 + 3] = ids[slot * 4 + 3]!;
    this.scores[i] = score;
  }

  /** Every pair, with its ids as strings, in turns (a bulk batch at 1M finds hundreds of thousands). */
  async all(turns: Turns): Promise<AlertPair[]> {
    const pairs: AlertPair[] = [];
    for (let i = 0; i < this.length; i++) {
      pairs.push(this.pairAt(i));
      if (i % PIECE === PIECE - 1) await turns.pause();
    }
    return pairs;
  }

  /**
   * A write's crossings, these being its pairs after it and `before` its pairs before it: the
   * positions of the pairs only after (`created`, in these) and only before (`removed`, in
   * `before`), each in order, in turns. Positions, not pairs: closing a job with an alert of its
   * own removes hundreds of thousands, and an object and id string each kept the collector busy
   * for hundreds of ms. One table, over `before`.
   */
  async crossings(before: FoundPairs, turns: Turns): Promise<CrossingPositions> {
    if (before.side !== this.side)
      throw new Error('Pairs of changed jobs compared with pairs of changed candidates.');
    // New profiles (a bulk ingest) had no pairs: everything found is new, nothing is gone.
    if (before.length === 0)
      return { created: await positions(new Uint8Array(this.length), turns), removed: new Int32Array(0) };
    // Before's keys in this numbering of owners (-1: an owner these do not have, matching nothing).
    const numbers = before.owners.ids.map((id) => this.owners.numberOf(id) ?? -1);
    const keyOf = (j: number) => {
      const n = numbers[before.keys[j]! >> 1]!;
      return n < 0 ? -1 : n * 2 + (before.keys[j]! & 1);
    };
    // The table and the marks of the pairs before that stay: one buffer.
    const size = tableSize(before.length);
    const buffer = new ArrayBuffer(size * 4 + before.length);
    const table = new Int32Array(buffer, 0, size).fill(-1);
    const kept = new Uint8Array(buffer, size * 4, before.length);
    const mask = size - 1;
    for (let j = 0; j < before.length; j++) {
      const key = keyOf(j);
      if (key >= 0) {
        let at = hashOf(before.words, j, key) & mask;
        while (table[at] !== -1) at = (at + 1) & mask;
        table[at] = j;
      }
      if (j % PIECE === PIECE - 1) await turns.pause();
    }
    // 1: a pair after that was there before too.
    const found = new Uint8Array(this.length);
    for (let i = 0; i < this.length; i++) {
      const key = this.keys[i]!;
      // Every entry of the chain equal to this pair stays (a set difference, duplicates or not).
      for (let at = hashOf(this.words, i, key) & mask; table[at] !== -1; at = (at + 1) & mask) {
        const j = table[at]!;
        if (keyOf(j) === key && sameWords(this.words, i, before.words, j)) {
          kept[j] = 1;
          found[i] = 1;
        }
      }
      if (i % PIECE === PIECE - 1) await turns.pause();
    }
    return { created: await positions(found, turns), removed: await positions(kept, turns) };
  }

  /** Whose alert pair `i` is for. */
  alertOfAt(i: number): IndexSide {
    return (this.keys[i]! & 1) === 1 ? this.side : this.side === 'job' ? 'candidate' : 'job';
  }

  /** The number of pair `i`'s changed profile (see `owner`). */
  ownerAt(i: number): number {
    return this.keys[i]! >> 1;
  }

  /** Whether pairs `i` and `j` have the same other profile. */
  sameOtherAt(i: number, j: number): boolean {
    return sameWords(this.words, i, this.words, j);
  }

  /** Pair `i`'s other profile's id. */
  otherIdAt(i: number): string {
    return wordsToId(this.words, i);
  }

  /** Pair `i`'s other profile's id as its four words, into `words` (for a store's slotOfWords). */
  otherWordsAt(i: number, words: Uint32Array): Uint32Array {
    for (let w = 0; w < 4; w++) words[w] = this.words[i * 4 + w]!;
    return words;
  }

  /** Pair `i`'s other profile's id as uuid_send gives its 16 bytes, into `bytes` at byte `at`. */
  writeOtherId(i: number, bytes: DataView, at: number): void {
    for (let w = 0; w < 4; w++) bytes.setUint32(at + 4 * w, this.words[i * 4 + w]!);
  }

  scoreAt(i: number): number {
    return this.scores[i]!;
  }

  /** Pair `i` with its ids as strings (an object each: for a few at a time). */
  pairAt(i: number): AlertPair {
    const key = this.keys[i]!;
    const own = this.owners.ids[key >> 1]!;
    // A run of pairs of one other profile (an alerting row's scan of a bulk batch) shares its id:
    // made once, and one string for the feed's maps to hash.
    const same = this.lastMade >= 0 && sameWords(this.words, i, this.words, this.lastMade);
    const other = same ? this.lastOther : wordsToId(this.words, i);
    this.lastMade = i;
    this.lastOther = other;
    const alertOf = this.alertOfAt(i);
    const score = this.scores[i]!;
    return this.side === 'job'
      ? { alertOf, jobId: own, candidateId: other, score }
      : { alertOf, jobId: other, candidateId: own, score };
  }

  private grow(least = 0): void {
    const [scores, words, keys] = pairArrays(Math.max(this.keys.length * 2, least));
    keys.set(this.keys);
    words.set(this.words);
    scores.set(this.scores);
    this.keys = keys;
    this.words = words;
    this.scores = scores;
  }
}

/** A write's crossings as positions: of the pairs after it only (created), and before it only (removed). */
export interface CrossingPositions {
  created: Int32Array;
  removed: Int32Array;
}

/** The positions not marked in `marks`, in order, in turns. */
async function positions(marks: Uint8Array, turns: Turns): Promise<Int32Array> {
  const unmarked = new Int32Array(marks.length);
  let n = 0;
  for (let i = 0; i < marks.length; i++) {
    if (marks[i] === 0) unmarked[n++] = i;
    if (i % PIECE === PIECE - 1) await turns.pause();
  }
  return unmarked.slice(0, n);
}

/**
 * Scores, words and keys for `capacity` pairs, views of one buffer: each typed array's own buffer
 * is an allocation outside the heap the collector must track, a few µs each, and a candidate
 * write makes two of these and grows them.
 */
function pairArrays(capacity: number): [Float64Array, Uint32Array, Int32Array] {
  const buffer = new ArrayBuffer(capacity * 28);
  return [
    new Float64Array(buffer, 0, capacity),
    new Uint32Array(buffer, capacity * 8, capacity * 4),
    new Int32Array(buffer, capacity * 24, capacity),
  ];
}

/** A power of two at least twice `n`: probe chains stay short. */
function tableSize(n: number): number {
  let size = 16;
  while (size < n * 2) size *= 2;
  return size;
}

function hashOf(words: Uint32Array, i: number, key: number): number {
  let h = Math.imul(0x811c9dc5 ^ key, 0x01000193);
  for (let w = 0; w < 4; w++) h = Math.imul(h ^ words[i * 4 + w]!, 0x01000193);
  return (h ^ (h >>> 15)) >>> 0;
}

function sameWords(a: Uint32Array, i: number, b: Uint32Array, j: number): boolean {
  return (
    a[i * 4] === b[j * 4] &&
    a[i * 4 + 1] === b[j * 4 + 1] &&
    a[i * 4 + 2] === b[j * 4 + 2] &&
    a[i * 4 + 3] === b[j * 4 + 3]
  );
}
