import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, PLATFORM_KEY, plainRequests, useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { expectTracedProblem, uuidPattern } from '../support/factories.ts';

describe.each(availableDatabaseKinds())('workspaces on %s', (kind) => {
  const t = useTestApp({ kind });
  const { get, post } = plainRequests(t);

  it('lets the platform key create a workspace whose admin key sees only that workspace', async () => {
    const created = await post('/v1/workspaces', PLATFORM_KEY, { name: 'Acme jobs' });
    expect(created.statusCode).toBe(201);
    const { workspace, adminKey } = created.json();
    expect(workspace).toMatchObject({ id: expect.stringMatching(uuidPattern), name: 'Acme jobs' });
    expect(adminKey).toMatch(/^mf_/);

    const seen = await get('/v1/workspace', adminKey);
    expect(seen.statusCode).toBe(200);
    expect(seen.json().workspace).toMatchObject({ id: workspace.id, name: 'Acme jobs' });
    expect(seen.json().workspace.name).not.toBe('default');
  });

  it('answers 404, not 403, when an admin key calls a platform endpoint', async () => {
    const response = await post('/v1/workspaces', ADMIN_KEY, { name: 'Sneaky' });
    expectTracedProblem(response, 404, 'not_found');
  });

  it('answers 404 when the platform key asks for a workspace of its own', async () => {
    expectTracedProblem(await get('/v1/workspace', PLATFORM_KEY), 404, 'not_found');
  });
});
