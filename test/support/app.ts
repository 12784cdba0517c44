import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { buildCatalog, loadQuestionnaires } from '../../src/questionnaires/loader.ts';
import { createTestDatabase, type DatabaseKind, openMigratedDatabase } from './database.ts';

export const PLATFORM_KEY = 'platform-key-for-tests-0123456789';
export const ADMIN_KEY = 'admin-key-for-tests-0123456789abcd';

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  config: Config;
  close(): Promise<void>;
}

/** The real questionnaires plus the small fixture ones tests reason about by hand. */
export async function testQuestionnaires() {
  const real = await loadQuestionnaires('questionnaires');
  const fixtures = await loadQuestionnaires('test/fixtures/questionnaires');
  return buildCatalog([...real.list(), ...fixtures.list()]);
}

/**
 * The app on a database of its own (`kind`), on one the caller opened and closes (`database`), or
 * on the database at `databaseUrl` (a faulty server's: see private-postgres.ts), migrated first.
 */
export async function createTestApp(
  options: {
    kind?: DatabaseKind;
    env?: Record<string, string>;
    database?: Database;
    databaseUrl?: string;
    logger?: unknown;
  } = {},
): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    BOOTSTRAP_PLATFORM_KEY: PLATFORM_KEY,
    BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    ...options.env,
  });
  const database =
    options.database ??
    (options.databaseUrl
      ? await openMigratedDatabase(options.databaseUrl)
      : await createTestDatabase(options.kind));
  const app = await buildApp({
    config,
    database,
    questionnaires: await testQuestionnaires(),
    logger: (options.logger ?? false) as false,
  });
  await app.ready();
  return {
    app,
    database,
    config,
    close: async () => {
      await app.close();
      if (!options.database) await database.close();
    },
  };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/**
 * A test app built before the enclosing describe block's tests and closed after them. The fields
 * are read when a test runs, so the object can be used throughout the block.
 */
export function useTestApp(options: Parameters<typeof createTestApp>[0] = {}): TestApp {
  let built: TestApp | undefined;
  beforeAll(async () => {
    built = await createTestApp(options);
  });
  afterAll(async () => {
    await built?.close();
  });
  const current = () => {
    if (!built) throw new Error('the test app is built in beforeAll');
    return built;
  };
  return {
    get app() {
      return current().app;
    },
    get database() {
      return current().database;
    },
    get config() {
      return current().config;
    },
    close: () => current().close(),
  };
}

/** Plain requests: GET with an optional key and headers, POST of a JSON body with a key. */
export function plainRequests(t: Pick<TestApp, 'app'>) {
  return {
    get: (url: string, key?: string, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'GET', url, headers: { ...(key ? bearer(key) : {}), ...headers } }),
    post: (url: string, key: string, payload: object) =>
      t.app.inject({ method: 'POST', url, headers: bearer(key), payload }),
  };
}
