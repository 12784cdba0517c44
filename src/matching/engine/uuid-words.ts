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
