import { describe, expect, it } from 'vitest';
import { createTestApp, PLATFORM_KEY, useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { caller, createCandidate, createWorkspace, expectProblem, unique } from '../support/factories.ts';

const GLOBAL_ORIGIN = 'https://partner.example';
const newOrigin = () => `https://${unique('jobs')}.example`;

describe.each(availableDatabaseKinds())('per-workspace browser origins on %s', (kind) => {
  const t = useTestApp({ kind, env: { CORS_ORIGINS: GLOBAL_ORIGIN } });

  const preflight = (origin: string, app = t.app) =>
    app.inject({
      method: 'OPTIONS',
      url: '/v1/candidates',
      headers: {
        origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });

  const getFrom = (origin: string, key: string, url = '/v1/workspace') =>
    t.app.inject({ method: 'GET', url, headers: { origin, authorization: `Bearer ${key}` } });

  async function workspaceAllowing(...origins: string[]) {
    const created = await createWorkspace(t.app);
    const response = await created.admin.patch(`/v1/workspaces/${created.workspace.id}`, {
      allowedOrigins: origins,
    });
    expect(response.statusCode, response.body).toBe(200);
    return created;
  }

  it('lets an admin set and read its own workspace’s allowed origins', async () => {
    const origin = newOrigin();
    const { workspace, admin } = await createWorkspace(t.app);
    const patched = await admin.patch(`/v1/workspaces/${workspace.id}`, {
      allowedOrigins: [origin, 'http://localhost:5173'],
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().workspace).toMatchObject({
      id: workspace.id,
      name: workspace.name,
      allowedOrigins: [origin, 'http://localhost:5173'],
    });
    const read = await admin.get(`/v1/workspaces/${workspace.id}`);
    expect(read.json().workspace.allowedOrigins).toEqual([origin, 'http://localhost:5173']);
  });

  it('answers 404 to an admin of another workspace and to candidate keys; the platform key reaches any', async () => {
    const { workspace, adminKey } = await createWorkspace(t.app);
    const other = await createWorkspace(t.app);
    expectProblem(await other.admin.get(`/v1/workspaces/${workspace.id}`), 404, 'not_found');
    expectProblem(
      await other.admin.patch(`/v1/workspaces/${workspace.id}`, { allowedOrigins: [newOrigin()] }),
      404,
      'not_found',
    );
    const candidate = await createCandidate(t.app, adminKey);
    const session = (await caller(t.app, adminKey).post('/v1/sessions', { candidateId: candidate.id })).json()
      .session;
    expectProblem(await caller(t.app, session.token).get(`/v1/workspaces/${workspace.id}`), 404, 'not_found');
    const byPlatform = await caller(t.app, PLATFORM_KEY).patch(`/v1/workspaces/${workspace.id}`, {
      allowedOrigins: [],
    });
    expect(byPlatform.statusCode, byPlatform.body).toBe(200);
  });

  it('refuses origins that are not exact http(s) origins, duplicates, and more than 20', async () => {
    const { workspace, admin } = await createWorkspace(t.app);
    const tooMany = Array.from({ length: 21 }, (_, i) => `https://site${i}.example`);
    for (const allowedOrigins of [
      ['https://jobs.example/'],
      ['https://jobs.example/path'],
      ['https://jobs.example?q=1'],
      ['ftp://jobs.example'],
      ['https://Jobs.example'],
      ['jobs.example'],
      ['https://jobs.example', 'https://jobs.example'],
      tooMany,
    ]) {
      expectProblem(
        await admin.patch(`/v1/workspaces/${workspace.id}`, { allowedOrigins }),
        400,
        'validation_failed',
      );
    }
  });

  it('answers a preflight from an origin some workspace allows, and no other', async () => {
    const origin = newOrigin();
    const { workspace, admin } = await workspaceAllowing(origin);
    const allowed = await preflight(origin);
    expect(allowed.statusCode).toBeLessThan(300);
    expect(allowed.headers['access-control-allow-origin']).toBe(origin);
    expect(String(allowed.headers['access-control-allow-headers'])).toMatch(/authorization/i);
    expect((await preflight(GLOBAL_ORIGIN)).headers['access-control-allow-origin']).toBe(GLOBAL_ORIGIN);
    expect((await preflight(newOrigin())).headers['access-control-allow-origin']).toBeUndefined();

    await admin.patch(`/v1/workspaces/${workspace.id}`, { allowedOrigins: [] });
    expect((await preflight(origin)).headers['access-control-allow-origin']).toBeUndefined();
  });

  it('gives an actual request allow-origin only when the origin is allowed for the caller’s workspace', async () => {
    const originA = newOrigin();
    const a = await workspaceAllowing(originA);
    const b = await workspaceAllowing(newOrigin());

    const own = await getFrom(originA, a.adminKey);
    expect(own.statusCode).toBe(200);
    expect(own.headers['access-control-allow-origin']).toBe(originA);

    const foreign = await getFrom(originA, b.adminKey);
    expect(foreign.statusCode).toBe(200);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();

    expect((await getFrom(GLOBAL_ORIGIN, b.adminKey)).headers['access-control-allow-origin']).toBe(
      GLOBAL_ORIGIN,
    );
    expect(
      (await getFrom(originA, PLATFORM_KEY, `/v1/workspaces/${a.workspace.id}`)).headers[
        'access-control-allow-origin'
      ],
    ).toBeUndefined();
  });

  it('lets a session token be used from its workspace’s origin, and its 401 be read there once expired or wrong', async () => {
    const origin = newOrigin();
    const { adminKey } = await workspaceAllowing(origin);
    const candidate = await createCandidate(t.app, adminKey);
    const session = (await caller(t.app, adminKey).post('/v1/sessions', { candidateId: candidate.id })).json()
      .session;
    const used = await getFrom(origin, session.token, `/v1/candidates/${candidate.id}`);
    expect(used.statusCode, used.body).toBe(200);
    expect(used.headers['access-control-allow-origin']).toBe(origin);

    const refused = await getFrom(origin, 'mfs_not-a-session', `/v1/candidates/${candidate.id}`);
    expectProblem(refused, 401, 'unauthorized');
    expect(refused.headers['access-control-allow-origin']).toBe(origin);
  });

  it('another replica learns a workspace’s new origins when it refreshes', async () => {
    const replica = await createTestApp({ database: t.database, env: { CORS_ORIGINS: GLOBAL_ORIGIN } });
    try {
      const origin = newOrigin();
      await workspaceAllowing(origin);
      expect((await preflight(origin, replica.app)).headers['access-control-allow-origin']).toBeUndefined();
      await replica.app.allowedOrigins.refresh();
      expect((await preflight(origin, replica.app)).headers['access-control-allow-origin']).toBe(origin);
    } finally {
      await replica.close();
    }
  });
});
