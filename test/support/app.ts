import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { buildCatalog, loadQuestionnaires } from '../../src/questionnaires/loader.ts';
import { createTestDatabase, type DatabaseKind } from './database.ts';

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

export async function createTestApp(
  options: { kind?: DatabaseKind; env?: Record<string, string>; database?: Database; logger?: unknown } = {},
): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    BOOTSTRAP_PLATFORM_KEY: PLATFORM_KEY,
    BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    ...options.env,
  });
  const database = options.database ?? (await createTestDatabase(options.kind));
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
