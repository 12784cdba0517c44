import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/client.ts';
import { runMigrations } from '../../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A real PostgreSQL server and the migrated template each test file clones; null: PGlite only. */
    postgresServer: { adminUrl: string; template: string } | null;
  }
}

/**
 * Finds a real PostgreSQL server for the tests: TEST_DATABASE_URL when set, else a
 * testcontainers PostgreSQL when a container runtime answers, else none (PGlite only).
 * It migrates one template database; each test file then clones it (fast, isolated).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await findServer();
  if (!server) {
    project.provide('postgresServer', null);
    return async () => {};
  }
  const templateName = `mutualfit_template_${process.pid}`;
  await withAdminClient(server.url, async (client) => {
    await client.query(`drop database if exists ${templateName}`);
    await client.query(`create database ${templateName}`);
  });
  const templateUrl = withDatabase(server.url, templateName);
  const database = await openDatabase({ DATABASE_URL: templateUrl, DATA_DIR: 'memory', poolMax: 1 });
  await runMigrations(database);
  await database.close();
  project.provide('postgresServer', { adminUrl: server.url, template: templateName });

  return async () => {
    await withAdminClient(server.url, (client) =>
      client.query(`drop database if exists ${templateName} with (force)`),
    );
    await server.stop();
  };
}

async function findServer(): Promise<{ url: string; stop(): Promise<void> } | null> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) return { url, stop: async () => {} };
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
  } catch {
    return null;
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer('postgres:17').start();
  return { url: container.getConnectionUri(), stop: async () => void (await container.stop()) };
}

export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export async function withAdminClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
