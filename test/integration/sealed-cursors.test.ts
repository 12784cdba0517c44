import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { serviceSecret } from '../../src/db/service-secrets.ts';
import { openCursor, sealCursor } from '../../src/http/sealed-cursor.ts';
import { availableDatabaseKinds, createTestDatabase } from '../support/database.ts';

describe('sealed cursors', () => {
  const key = randomBytes(32);

  it('open to the position they were sealed with, the same position to the same cursor', () => {
    // A fixed key: under a random one, two adjacent bytes of the cursor spell "42" by chance (1 in
    // 65,536 per pair of bytes; it happened in a CI run of 2026-12-04).
    const fixed = Buffer.alloc(32, 7);
    const cursor = sealCursor(fixed, { seq: 42, of: 'a' });
    expect(openCursor(fixed, cursor)).toEqual({ seq: 42, of: 'a' });
    expect(sealCursor(fixed, { seq: 42, of: 'a' })).toBe(cursor);
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toContain('42');
  });

  it('give two positions different ivs', () => {
    const ivOf = (cursor: string) => Buffer.from(cursor, 'base64url').subarray(0, 12).toString('hex');
    const ivs = new Set(Array.from({ length: 1000 }, (_, seq) => ivOf(sealCursor(key, { seq }))));
    expect(ivs.size).toBe(1000);
  });

  it('refuse a changed byte, another key, and what was never sealed', () => {
    const cursor = sealCursor(key, { seq: 7 });
    const bytes = Buffer.from(cursor, 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const changed = Buffer.from(bytes);
      changed[i]! ^= 0x01;
      expect(openCursor(key, changed.toString('base64url'))).toBeUndefined();
    }
    expect(openCursor(randomBytes(32), cursor)).toBeUndefined();
    for (const made of ['', 'nope', Buffer.from('{"seq":7}').toString('base64url'), 'A'.repeat(200)])
      expect(openCursor(key, made)).toBeUndefined();
  });
});

describe.each(availableDatabaseKinds())('the installation secret on %s', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(() => database?.close());

  it('is made once and read by every process that asks, even when they ask at once', async () => {
    const replicas = Array.from({ length: 4 }, () => serviceSecret(database.db, 'test-secret'));
    const keys = await Promise.all(replicas.map((load) => load()));
    expect(keys[0]).toHaveLength(32);
    for (const key of keys) expect(key.equals(keys[0]!)).toBe(true);
    expect((await serviceSecret(database.db, 'test-secret')()).equals(keys[0]!)).toBe(true);
    expect((await serviceSecret(database.db, 'other-secret')()).equals(keys[0]!)).toBe(false);
  });
});
