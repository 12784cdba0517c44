import { describe, expect, it } from 'vitest';
import { workspaces } from '../../src/db/schema.ts';
import { bearer, PLATFORM_KEY, useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { expectTracedProblem } from '../support/factories.ts';

describe.each(availableDatabaseKinds())('a 2 kB body limit on %s', (kind) => {
  const limited = useTestApp({ kind, env: { BODY_LIMIT_BYTES: '2048' } });

  const createWorkspace = (payload: string) =>
    limited.app.inject({
      method: 'POST',
      url: '/v1/workspaces',
      headers: { ...bearer(PLATFORM_KEY), 'content-type': 'application/json' },
      payload,
    });
  const workspaceNames = async () =>
    (await limited.database.db.select({ name: workspaces.name }).from(workspaces)).map((row) => row.name);

  it('answers 400 validation_failed naming an unknown field, and creates nothing', async () => {
    const response = await createWorkspace(JSON.stringify({ name: 'Acme', colour: 'blue' }));
    const problem = expectTracedProblem(response, 400, 'validation_failed');
    expect(JSON.stringify(problem.errors)).toContain('colour');
    expect(await workspaceNames()).toEqual(['default']);
  });

  it('answers 400 validation_failed for invalid JSON, and creates nothing', async () => {
    expectTracedProblem(await createWorkspace('{ "name": "Acme", '), 400, 'validation_failed');
    expect(await workspaceNames()).toEqual(['default']);
  });

  it('answers 413 payload_too_large for a body over the limit, and creates nothing', async () => {
    const response = await createWorkspace(JSON.stringify({ name: 'x'.repeat(5000) }));
    expectTracedProblem(response, 413, 'payload_too_large');
    expect(await workspaceNames()).toEqual(['default']);
  });
});
