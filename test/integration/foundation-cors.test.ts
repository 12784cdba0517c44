import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, bearer, useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';

describe.each(availableDatabaseKinds())('CORS on %s', (kind) => {
  const withCors = useTestApp({ kind, env: { CORS_ORIGINS: 'https://partner.example' } });

  const preflight = (origin: string) =>
    withCors.app.inject({
      method: 'OPTIONS',
      url: '/v1/questionnaires',
      headers: {
        origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });

  it('allows a preflight from a configured origin', async () => {
    const response = await preflight('https://partner.example');
    expect(response.statusCode).toBeLessThan(300);
    expect(response.headers['access-control-allow-origin']).toBe('https://partner.example');
    expect(String(response.headers['access-control-allow-headers'])).toMatch(/authorization/i);
  });

  it('gives no allow-origin to a preflight from another origin', async () => {
    const response = await preflight('https://evil.example');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sets allow-origin on an actual request from a configured origin', async () => {
    const response = await withCors.app.inject({
      method: 'GET',
      url: '/v1/questionnaires',
      headers: { origin: 'https://partner.example', ...bearer(ADMIN_KEY) },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe('https://partner.example');
  });
});
