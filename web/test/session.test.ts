import { describe, expect, it } from 'vitest';
import { forgetSession, takeSession } from '../src/app/session.ts';

function place(hash: string, stored?: string) {
  const replaced: string[] = [];
  const store = new Map<string, string>(stored ? [['mutualfit.session', stored]] : []);
  return {
    replaced,
    store,
    location: { hash, pathname: '/app/', search: '?lang=nl' },
    history: {
      replaceState: (_data: unknown, _unused: string, url?: string | URL | null) =>
        replaced.push(String(url)),
    },
    storage: {
      getItem: (key: string) => store.get(key) ?? null,
      setItem: (key: string, value: string) => void store.set(key, value),
      removeItem: (key: string) => void store.delete(key),
    },
  };
}

describe('the app’s session from the URL fragment', () => {
  it('takes the token from #session= and removes the fragment from the address bar at once', () => {
    const p = place('#session=mfs_abc');
    expect(takeSession(p)).toBe('mfs_abc');
    expect(p.replaced).toEqual(['/app/?lang=nl']);
    expect(p.store.get('mutualfit.session')).toBe('mfs_abc');
  });

  it('falls back to the token this tab kept, and forgets it on request', () => {
    const p = place('', 'mfs_kept');
    expect(takeSession(p)).toBe('mfs_kept');
    expect(p.replaced).toEqual([]);
    forgetSession(p.storage);
    expect(takeSession(p)).toBeUndefined();
  });
});
