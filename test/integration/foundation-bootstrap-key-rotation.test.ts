import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { workspaces } from '../../src/db/schema.ts';
import { ADMIN_KEY, bearer, createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds, createTestDatabase } from '../support/database.ts';
import { expectTracedProblem } from '../support/factories.ts';

describe.each(availableDatabaseKinds())('bootstrap admin key rotation on %s', (kind) => {
  let database: Database;
  const apps: TestApp[] = [];
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await database.close();
  });

  it('revokes the old bootstrap key when the app starts with another one', async () => {
    const first = await createTestApp({ kind, database });
    apps.push(first);
    const oldKey = await first.app.inject({
      method: 'GET',
      url: '/v1/workspace',
      headers: bearer(ADMIN_KEY),
    });
    expect(oldKey.json().workspace.name).toBe('default');

    const newAdminKey = 'rotated-admin-key-for-tests-0123456789';
    const second = await createTestApp({ kind, database, env: { BOOTSTRAP_ADMIN_KEY: newAdminKey } });
    apps.push(second);
    const stale = await second.app.inject({
      method: 'GET',
      url: '/v1/workspace',
      headers: bearer(ADMIN_KEY),
    });
    expectTracedProblem(stale, 401, 'unauthorized');
    const fresh = await second.app.inject({
      method: 'GET',
      url: '/v1/workspace',
      headers: bearer(newAdminKey),
    });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json().workspace).toEqual(oldKey.json().workspace);
    const names = await database.db.select({ name: workspaces.name }).from(workspaces);
    expect(names).toEqual([{ name: 'default' }]);
  });
});
