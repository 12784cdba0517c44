/**
 * Failed authentications per client address over a sliding window, so trying one invalid key
 * after another is limited however many keys are tried (the request rate limit counts per key).
 * Each address keeps the times of its last `limit` failures only, and at most `maxAddresses`
 * addresses are tracked (the longest unseen is forgotten first), so memory stays bounded.
 */
export class AuthFailureLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #maxAddresses: number;
  readonly #now: () => number;

  constructor(options: { limit: number; windowMs: number; maxAddresses?: number; now?: () => number }) {
    this.#limit = options.limit;
    this.#windowMs = options.windowMs;
    this.#maxAddresses = options.maxAddresses ?? 100_000;
    this.#now = options.now ?? Date.now;
  }

  /** Milliseconds until this address may try again, or 0 when it may now. */
  blockedFor(address: string): number {
    const times = this.#failures.get(address);
    if (!times || times.length < this.#limit) return 0;
    return Math.max(0, times[0]! + this.#windowMs - this.#now());
  }

  recordFailure(address: string): void {
    const times = this.#failures.get(address) ?? [];
    this.#failures.delete(address);
    times.push(this.#now());
    if (times.length > this.#limit) times.shift();
    this.#failures.set(address, times);
    if (this.#failures.size > this.#maxAddresses) {
      this.#failures.delete(this.#failures.keys().next().value!);
    }
  }
}
