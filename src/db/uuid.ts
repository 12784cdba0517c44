import { randomFillSync } from 'node:crypto';

let lastMs = 0;

/**
 * `count` UUIDv7 ids from one call for random bytes (the bulk path makes thousands at once), in
 * ascending order, each batch after the previous one: ids follow the order rows were given in.
 */
export function uuidv7Batch(count: number): string[] {
  const random = randomFillSync(Buffer.alloc(count * 10));
  lastMs = Math.max(Date.now(), lastMs + 1);
  const time = lastMs.toString(16).padStart(12, '0');
  const ids: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const r = random.subarray(i * 10, i * 10 + 10);
    r[0] = (r[0]! & 0x0f) | 0x70; // version 7
    r[2] = (r[2]! & 0x3f) | 0x80; // RFC 4122 variant
    const hex = r.toString('hex');
    ids[i] =
      `${time.slice(0, 8)}-${time.slice(8, 12)}-${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 20)}`;
  }
  return ids.sort();
}
