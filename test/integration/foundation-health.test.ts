import { describe, expect, it } from 'vitest';
import { plainRequests, useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';

describe.each(availableDatabaseKinds())('health checks on %s', (kind) => {
  const t = useTestApp({ kind });
  const { get } = plainRequests(t);

  it('answers /healthz without a key', async () => {
    const response = await get('/healthz');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('reports ready on /readyz once the database answers and the match index is loaded', async () => {
    const response = await get('/readyz');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', checks: { database: 'ok', matchIndex: 'ok' } });
  });
});
