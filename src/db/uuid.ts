import { randomFillSync } from 'node:crypto';

let lastMs = 0;

/**
 * `count` UUIDv7 ids from one call for random bytes (the bulk path makes thousands at once), in
 * ascending order, each batch after the previous one: ids follow the order rows were given in.
 */
export function uuidv7Batch(count: number): string[] {
  const random = randomFillSync(Buffer.alloc(count * 10));
  for (let at = 0; at < random.length; at += 10) {
    random[at] = (random[at]! & 0x0f) | 0x70; // version 7
    random[at + 2] = (random[at + 2]! & 0x3f) | 0x80; // RFC 4122 variant
  }
  // One hex string for the batch, 20 digits an id: no buffer and no string of its own per id.
  const hex = random.toString('hex');
  lastMs = Math.max(Date.now(), lastMs + 1);
  const time = lastMs.toString(16).padStart(12, '0');
  const prefix = `${time.slice(0, 8)}-${time.slice(8, 12)}-`;
  const ids: string[] = new Array(count);
  for (let i = 0, at = 0; i < count; i++, at += 20) {
    ids[i] = `${prefix}${hex.slice(at, at + 4)}-${hex.slice(at + 4, at + 8)}-${hex.slice(at + 8, at + 20)}`;
  }
  return ids.sort();
}
