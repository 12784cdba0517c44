import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, bearer, useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { expectTracedProblem } from '../support/factories.ts';

describe.each(availableDatabaseKinds())('a rate limit of 3 requests on %s', (kind) => {
  const limited = useTestApp({ kind, env: { RATE_LIMIT_MAX: '3' } });

  it('answers the 4th request of a key with 429 rate_limited and Retry-After, but not another key', async () => {
    const call = (key: string) =>
      limited.app.inject({ method: 'GET', url: '/v1/workspace', headers: bearer(key) });
    const minted = await limited.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: bearer(ADMIN_KEY),
      payload: { role: 'admin' },
    });
    expect(minted.statusCode).toBe(201);
    expect((await call(ADMIN_KEY)).statusCode).toBe(200);
    expect((await call(ADMIN_KEY)).statusCode).toBe(200);

    const limitedResponse = await call(ADMIN_KEY);
    expectTracedProblem(limitedResponse, 429, 'rate_limited');
    const retryAfter = Number(limitedResponse.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    // The window is the configured one (RATE_LIMIT_WINDOW_MS, 1 minute by default), not the time left.
    expect(limitedResponse.json().detail).toBe(
      `Rate limit of 3 requests per 1 minute reached; retry in ${retryAfter} second${retryAfter === 1 ? '' : 's'} (Retry-After).`,
    );

    expect((await call(minted.json().apiKey.key)).statusCode).toBe(200);
    expect((await limited.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
