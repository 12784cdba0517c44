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
 * The pairs an evaluation found, in typed arrays: the changed profile (an owner, numbered once per
 * evaluation), the other profile by its id's four words (uuid-words.ts, copied from its store as
 * found, so a slot reused later cannot change it), whose alert it is for, and the score. A write's
 * pairs after and before it are compared as such; ids become strings only for the crossings
 * (`notIn`, `all`): a job write finds tens of thousands of pairs, nearly all of them in both.
 */
export class FoundPairs {
  /** The changed profiles' side: owners are its jobs, or its candidates. */
  readonly side: IndexSide;
  length = 0;
  private readonly ownerIds: string[] = [];
  private readonly ownerNumbers = new Map<string, number>();
  private owners = new Int32Array(64);
  /** 1 when the pair is for the alert of the changed profile's side, 0 for the other side's. */
  private ownAlert = new Uint8Array(64);
  private words = new Uint32Array(256);
  private scores = new Float64Array(64);

  constructor(side: IndexSide) {
    this.side = side;
  }

  /** The number of a changed profile, for `add`. */
  owner(id: string): number {
    let n = this.ownerNumbers.get(id);
    if (n === undefined) {
      n = this.ownerIds.push(id) - 1;
      this.ownerNumbers.set(id, n);
    }
    return n;
  }

  ownerId(owner: number): string {
    return this.ownerIds[owner]!;
  }

  /** A pair of owner `owner` and the other side's profile at row `slot` of `ids` (its store's ids). */
  add(alertOf: IndexSide, owner: number, ids: Uint32Array, slot: number, score: number): void {
    const i = this.length++;
    if (i === this.owners.length) this.grow();
    this.owners[i] = owner;
    this.ownAlert[i] = alertOf === this.side ? 1 : 0;
    this.words[i * 4] = ids[slot * 4]!;
    this.words[i * 4 + 1] = ids[slot * 4 + 1]!;
    this.words[i * 4 + 2] = ids[slot * 4 + 2]!;
    this.words[i * 4 + 3] = ids[slot * 4 + 3]!;
    this.scores[i] = score;
  }

  /** Every pair, with its ids as strings. */
  all(): AlertPair[] {
    return Array.from({ length: this.length }, (_, i) => this.pairAt(i));
  }

  /** The pairs of these not among `others` (same alert, same two profiles), in turns. */
  async notIn(others: FoundPairs, turns: Turns): Promise<AlertPair[]> {
    if (others.side !== this.side)
      throw new Error('Pairs of changed jobs compared with pairs of changed candidates.');
    // Others' owners in this numbering (-1: an owner these do not have, so no pair of it matches).
    const owners = others.ownerIds.map((id) => this.ownerNumbers.get(id) ?? -1);
    const table = new Int32Array(tableSize(others.length)).fill(-1);
    const mask = table.length - 1;
    for (let j = 0; j < others.length; j++) {
      const owner = owners[others.owners[j]!]!;
      if (owner < 0) continue;
      let at = hashOf(others.words, j, owner, others.ownAlert[j]!) & mask;
      while (table[at] !== -1) at = (at + 1) & mask;
      table[at] = j;
      if (j % PIECE === PIECE - 1) await turns.pause();
    }
    const missing: AlertPair[] = [];
    for (let i = 0; i < this.length; i++) {
      const owner = this.owners[i]!;
      const own = this.ownAlert[i]!;
      let at = hashOf(this.words, i, owner, own) & mask;
      let found = false;
      for (let j = table[at]!; j !== -1; at = (at + 1) & mask, j = table[at]!) {
        if (
          owners[others.owners[j]!] === owner &&
          others.ownAlert[j] === own &&
          sameWords(this.words, i, others.words, j)
        ) {
          found = true;
          break;
        }
      }
      if (!found) missing.push(this.pairAt(i));
      if (i % PIECE === PIECE - 1) await turns.pause();
    }
    return missing;
  }

  private pairAt(i: number): AlertPair {
    const own = this.ownerIds[this.owners[i]!]!;
    const other = wordsToId(this.words, i);
    const alertOf: IndexSide = this.ownAlert[i] === 1 ? this.side : this.side === 'job' ? 'candidate' : 'job';
    return this.side === 'job'
      ? { alertOf, jobId: own, candidateId: other, score: this.scores[i]! }
      : { alertOf, jobId: other, candidateId: own, score: this.scores[i]! };
  }

  private grow(): void {
    const size = this.owners.length * 2;
    this.owners = copied(new Int32Array(size), this.owners);
    this.ownAlert = copied(new Uint8Array(size), this.ownAlert);
    this.words = copied(new Uint32Array(size * 4), this.words);
    this.scores = copied(new Float64Array(size), this.scores);
  }
}

function copied<T extends Int32Array | Uint8Array | Uint32Array | Float64Array>(into: T, from: T): T {
  into.set(from as never);
  return into;
}

/** A power of two at least twice `n`: open addressing stays short. */
function tableSize(n: number): number {
  let size = 16;
  while (size < n * 2) size *= 2;
  return size;
}

function hashOf(words: Uint32Array, i: number, owner: number, own: number): number {
  let h = Math.imul(0x811c9dc5 ^ (owner * 2 + own), 0x01000193);
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
