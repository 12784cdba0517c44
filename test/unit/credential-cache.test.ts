import { describe, expect, it } from 'vitest';
import { type Credential, CredentialCache } from '../../src/auth/credential-cache.ts';

const key = (keyId: string): Credential => ({
  kind: 'key',
  principal: { role: 'admin', workspaceId: 'w', keyId },
});
const session = (keyId: string): Credential => ({
  kind: 'session',
  principal: { role: 'candidate', workspaceId: 'w', keyId, candidateId: 'c' },
  expiresAt: new Date(0),
});

function listeningCache(options: { ttlMs?: number; max?: number } = {}) {
  let now = 1_000;
  const cache = new CredentialCache({
    ttlMs: options.ttlMs ?? 30_000,
    max: options.max ?? 100,
    now: () => now,
  });
  cache.setListening(true);
  const put = (hash: string, credential: Credential) => cache.set(hash, credential, cache.begin());
  return { cache, put, advance: (ms: number) => (now += ms) };
}

describe('credential cache', () => {
  it('answers a credential looked up before, until its TTL is over', () => {
    const { cache, put, advance } = listeningCache({ ttlMs: 1_000 });
    put('h1', key('k1'));
    expect(cache.get('h1')).toEqual(key('k1'));
    advance(999);
    expect(cache.get('h1')).toEqual(key('k1'));
    advance(1);
    expect(cache.get('h1')).toBeUndefined();
  });

  it('forgets a revoked key or deleted session by id, leaving the others', () => {
    const { cache, put } = listeningCache();
    put('h1', key('k1'));
    put('h2', key('k2'));
    put('h3', session('k1'));
    cache.forget('key', 'k1');
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h2')).toEqual(key('k2'));
    expect(cache.get('h3')).toEqual(session('k1'));
    cache.onNotification('session:k1');
    expect(cache.get('h3')).toBeUndefined();
  });

  it('does not store what a look-up read before a revocation it overlapped', () => {
    const { cache } = listeningCache();
    const generation = cache.begin();
    cache.forget('key', 'k1');
    cache.set('h1', key('k1'), generation);
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds at most `max` credentials, the least recently used going first', () => {
    const { cache, put } = listeningCache({ max: 2 });
    put('h1', key('k1'));
    put('h2', key('k2'));
    cache.get('h1');
    put('h3', key('k3'));
    expect(cache.size).toBe(2);
    expect(cache.get('h2')).toBeUndefined();
    expect(cache.get('h1')).toEqual(key('k1'));
    expect(cache.get('h3')).toEqual(key('k3'));
  });

  it('is empty and unused while notifications could be missed, and starts empty when they cannot', () => {
    const { cache, put } = listeningCache();
    put('h1', key('k1'));
    cache.setListening(false);
    expect(cache.enabled).toBe(false);
    expect(cache.get('h1')).toBeUndefined();
    put('h2', key('k2'));
    cache.setListening(true);
    expect(cache.size).toBe(0);
    expect(cache.get('h2')).toBeUndefined();
  });

  it('empties itself on a notification it cannot read', () => {
    const { cache, put } = listeningCache();
    put('h1', key('k1'));
    cache.onNotification('');
    expect(cache.size).toBe(0);
  });

  it('caches nothing with a TTL of 0', () => {
    const { cache, put } = listeningCache({ ttlMs: 0 });
    put('h1', key('k1'));
    expect(cache.get('h1')).toBeUndefined();
  });
});
