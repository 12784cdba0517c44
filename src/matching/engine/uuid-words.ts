/**
 * Profile ids in the store: a UUID's 128 bits as four big-endian 32-bit words (16 bytes a row, not
 * a string), so comparing words compares the ids as strings.
 */

/** A UUID's four words, parsed without intermediate strings (into `words` when given). */
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

/** The UUID of row `slot` of `ids` (four words a row), lowercase. */
export function wordsToId(ids: Uint32Array, slot: number): string {
  const a = ids[slot * 4]!;
  const b = ids[slot * 4 + 1]!;
  const c = ids[slot * 4 + 2]!;
  const d = ids[slot * 4 + 3]!;
  // Byte by byte from a table: several times faster than toString(16) and padding per word.
  return (
    `${HEX[a >>> 24]}${HEX[(a >>> 16) & 255]}${HEX[(a >>> 8) & 255]}${HEX[a & 255]}-` +
    `${HEX[b >>> 24]}${HEX[(b >>> 16) & 255]}-${HEX[(b >>> 8) & 255]}${HEX[b & 255]}-` +
    `${HEX[c >>> 24]}${HEX[(c >>> 16) & 255]}-${HEX[(c >>> 8) & 255]}${HEX[c & 255]}` +
    `${HEX[d >>> 24]}${HEX[(d >>> 16) & 255]}${HEX[(d >>> 8) & 255]}${HEX[d & 255]}`
  );
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** id order of two rows (possibly of two stores): negative when a's id sorts first. */
export function compareIds(aIds: Uint32Array, a: number, bIds: Uint32Array, b: number): number {
  for (let w = 0; w < 4; w++) {
    const x = aIds[a * 4 + w]!;
    const y = bIds[b * 4 + w]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
