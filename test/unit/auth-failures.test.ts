import { describe, expect, it } from 'vitest';
import { AuthFailureLimiter } from '../../src/auth/failures.ts';

describe('AuthFailureLimiter', () => {
  const setup = (maxAddresses?: number) => {
    let now = 1_000_000;
    const limiter = new AuthFailureLimiter({ limit: 3, windowMs: 10_000, now: () => now, maxAddresses });
    return { limiter, advance: (ms: number) => (now += ms) };
  };

  it('blocks an address after `limit` failures within the window, until the oldest leaves it', () => {
    const { limiter, advance } = setup();
    limiter.recordFailure('a');
    advance(1_000);
    limiter.recordFailure('a');
    expect(limiter.blockedFor('a')).toBe(0);
    limiter.recordFailure('a');
    expect(limiter.blockedFor('a')).toBe(9_000);
    expect(limiter.blockedFor('b')).toBe(0);
    advance(9_000);
    expect(limiter.blockedFor('a')).toBe(0);
    // One more failure refills the window: the rate stays at `limit` per window.
    limiter.recordFailure('a');
    expect(limiter.blockedFor('a')).toBe(1_000);
  });

  it('does not block failures spread wider than the window', () => {
    const { limiter, advance } = setup();
    for (let i = 0; i < 10; i++) {
      limiter.recordFailure('a');
      advance(5_000);
      expect(limiter.blockedFor('a')).toBe(0);
    }
  });

  it('forgets the longest unseen address first when tracking too many', () => {
    const { limiter } = setup(2);
    for (const address of ['a', 'a', 'a', 'b', 'c']) limiter.recordFailure(address);
    expect(limiter.blockedFor('a')).toBe(0);
  });
});
