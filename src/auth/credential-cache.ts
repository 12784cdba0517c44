import type { WorkspacePrincipal } from './principal.ts';

/** What a key or session token resolved to; a session also expires. */
export interface Credential {
  kind: 'key' | 'session';
  principal: WorkspacePrincipal;
  expiresAt?: Date | undefined;
}

interface Entry {
  credential: Credential;
  cachedAt: number;
}

/** The NOTIFY channel revocations are told on (the triggers in migrations/0007 name it too). */
export const CREDENTIALS_CHANNEL = 'mutualfit_credentials';

/**
 * API keys and session tokens already looked up, by their hash, so a request needs no query to
 * know its caller. Correct because whatever ends a credential tells every process: the revoking
 * request forgets it here before it answers, and a trigger NOTIFYs every process at commit
 * (`forget` on `key:<id>` / `session:<id>`). While the LISTEN connection is down nothing is
 * cached or served from here (`setListening`); once it listens again the cache starts empty, so
 * no revocation made meanwhile is missed. The TTL bounds what a half-open LISTEN connection (lost
 * but not yet noticed) could let through; at most `max` credentials are held, least recently used
 * going first.
 *
 * A look-up that read the database before a revocation must not store its stale answer after
 * it: `begin()` takes the generation a look-up starts in, and `set` only stores in that one.
 */
export class CredentialCache {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;
  #generation = 0;
  #listening = false;

  constructor(options: { ttlMs: number; max: number; now?: () => number }) {
    this.#ttlMs = options.ttlMs;
    this.#max = options.max;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get enabled(): boolean {
    return this.#listening && this.#ttlMs > 0 && this.#max > 0;
  }

  get(hash: string): Credential | undefined {
    if (!this.enabled) return undefined;
    const entry = this.#entries.get(hash);
    if (!entry) return undefined;
    this.#entries.delete(hash);
    if (this.#now() - entry.cachedAt >= this.#ttlMs) return undefined;
    this.#entries.set(hash, entry);
    return entry.credential;
  }

  /** The generation a database look-up starts in (pass it to `set`). */
  begin(): number {
    return this.#generation;
  }

  set(hash: string, credential: Credential, generation: number): void {
    if (!this.enabled || generation !== this.#generation) return;
    this.#entries.delete(hash);
    this.#entries.set(hash, { credential, cachedAt: this.#now() });
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** Drops a revoked or deleted key or session (by its id), and any look-up still in flight. */
  forget(kind: Credential['kind'], id: string): void {
    this.#generation++;
    for (const [hash, entry] of this.#entries) {
      if (entry.credential.kind === kind && entry.credential.principal.keyId === id)
        this.#entries.delete(hash);
    }
  }

  /**
   * Drops every credential acting as this candidate or employer, and any look-up still in flight:
   * erasing the one or deleting the other takes its keys and sessions along, and the process that
   * did it must refuse them before it answers, not when the trigger's NOTIFY comes round.
   */
  forgetHolder(holder: { candidateId: string } | { employerId: string }): void {
    this.#generation++;
    for (const [hash, { credential }] of this.#entries) {
      const { principal } = credential;
      const held =
        'candidateId' in holder
          ? principal.role === 'candidate' && principal.candidateId === holder.candidateId
          : principal.role === 'employer' && principal.employerId === holder.employerId;
      if (held) this.#entries.delete(hash);
    }
  }

  /** A notification as the trigger sends it: `key:<id>` or `session:<id>`. */
  onNotification(payload: string | undefined): void {
    const [kind, id] = payload?.split(':') ?? [];
    if ((kind === 'key' || kind === 'session') && id) this.forget(kind, id);
    else this.clear();
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }

  /** Off, and empty, while revocations could be missed; on again (empty) once they cannot. */
  setListening(listening: boolean): void {
    this.clear();
    this.#listening = listening;
  }
}
