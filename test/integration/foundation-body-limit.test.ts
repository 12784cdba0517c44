import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { workspaces } from '../../src/db/schema.ts';
import { ADMIN_KEY, bearer, PLATFORM_KEY, useTestApp } from '../support/app.ts';
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
    const problem = expectTracedProblem(response, 413, 'payload_too_large');
    expect(problem.detail).toBe('The request body is over the limit of 2048 bytes set by BODY_LIMIT_BYTES.');
    expect(await workspaceNames()).toEqual(['default']);
  });
});

describe.each(availableDatabaseKinds())('a 4 kB bulk body limit on %s', (kind) => {
  const limited = useTestApp({ kind, env: { BULK_BODY_LIMIT_BYTES: '4096' } });
  const lines = Array.from({ length: 100 }, (_, i) =>
    JSON.stringify({ externalId: `c-${i}`, headline: 'A candidate with a long enough headline' }),
  ).join('\n');
  const bulkDetail = 'The request body is over the limit of 4096 bytes set by BULK_BODY_LIMIT_BYTES.';

  it.each([
    ['announced by Content-Length', lines],
    ['streamed without a length', () => Readable.from([lines])],
  ])('names BULK_BODY_LIMIT_BYTES in the 413 of a bulk body over it, %s', async (_case, body) => {
    const response = await limited.app.inject({
      method: 'POST',
      url: '/v1/candidates:bulk',
      headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/x-ndjson' },
      payload: typeof body === 'string' ? body : body(),
    });
    expect(expectTracedProblem(response, 413, 'payload_too_large').detail).toBe(bulkDetail);
    expect(
      (await limited.app.inject({ url: '/v1/candidates', headers: bearer(ADMIN_KEY) })).json(),
    ).toMatchObject({
      candidates: [],
    });
  });

  it('keeps BODY_LIMIT_BYTES for a JSON body, so a body over the bulk limit is taken', async () => {
    const response = await limited.app.inject({
      method: 'POST',
      url: '/v1/candidates',
      headers: bearer(ADMIN_KEY),
      payload: { headline: 'x'.repeat(5000) },
    });
    expect(response.statusCode, response.body).not.toBe(413);
  });

  it('names BULK_BODY_LIMIT_BYTES in the 413 of an allocation over it', async () => {
    const response = await limited.app.inject({
      method: 'POST',
      url: '/v1/allocations',
      headers: bearer(ADMIN_KEY),
      payload: { jobs: 'x'.repeat(5000) },
    });
    expect(expectTracedProblem(response, 413, 'payload_too_large').detail).toBe(bulkDetail);
  });
});
