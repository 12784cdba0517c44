const STORAGE_KEY = 'mutualfit.session';

interface Place {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState'>;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined;
}

/**
 * The session token from `#session=<token>`, removed from the address bar at once (so it is not
 * in the history, a bookmark or a screenshot) and kept in this tab's sessionStorage so a reload
 * still works. Without a fragment, the token this tab kept before, if any.
 */
export function takeSession({ location, history, storage }: Place): string | undefined {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const token = fragment.get('session');
  if (token) {
    history.replaceState(null, '', `${location.pathname}${location.search}`);
    try {
      storage?.setItem(STORAGE_KEY, token);
    } catch {
      // Storage may be disabled; the token then lives in memory only, until the tab reloads.
    }
    return token;
  }
  try {
    return storage?.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Forgets the kept token (after an erasure or an expired session). */
export function forgetSession(storage: Place['storage']): void {
  try {
    storage?.removeItem(STORAGE_KEY);
  } catch {
    // Nothing kept.
  }
}
