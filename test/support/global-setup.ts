import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/client.ts';
import { runMigrations } from '../../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A real PostgreSQL server and the migrated template each test file clones; null: PGlite only. */
    postgresServer: { adminUrl: string; template: string } | null;
    /** A migrated PGlite data directory (a `dumpDataDir` tarball) each PGlite test database starts from. */
    pgliteImage: string;
  }
}

/**
 * Finds a real PostgreSQL server for the tests: TEST_DATABASE_URL when set, else a
 * testcontainers PostgreSQL when a container runtime answers, else none (PGlite only).
 * It migrates one template database; each test file then clones it (fast, isolated).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const image = await writePgliteImage(project);
  project.provide('pgliteImage', image);
  const server = await findServer();
  if (!server) {
    project.provide('postgresServer', null);
    return () => rm(image, { force: true });
  }
  // Each vitest project (api, chromium) runs this setup: one template each, named apart.
  const templateName = `mutualfit_template_${process.pid}_${project.name.replace(/\W/g, '_')}`;
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
    await rm(image, { force: true });
    await dropDatabase(server.url, templateName);
    await server.stop();
  };
}

/**
 * PGlite's counterpart of the template: one database migrated here, its data directory written to
 * a file. A test database loaded from it skips initdb (a second WebAssembly instance) and the
 * migrations, about two thirds of the time a fresh one takes.
 */
async function writePgliteImage(project: TestProject): Promise<string> {
  const database = await openDatabase({ DATA_DIR: 'memory' });
  await runMigrations(database);
  const client = (database as { client: PGlite }).client;
  const image = await client.dumpDataDir('none');
  await database.close();
  const file = path.join(
    os.tmpdir(),
    `mutualfit-pglite-${process.pid}-${project.name.replace(/\W/g, '_')}.tar`,
  );
  await writeFile(file, Buffer.from(await image.arrayBuffer()));
  return file;
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

/**
 * Drops a test database with whatever is still connected to it. An autovacuum worker busy in it
 * makes `with (force)` refuse a role that is not a superuser (PostgreSQL may not signal it), so
 * the drop is tried again a few times, then without force (which waits for autovacuum to leave).
 */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await withAdminClient(adminUrl, (client) =>
        client.query(`drop database if exists ${name} with (force)`),
      );
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '42501') throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  await withAdminClient(adminUrl, (client) => client.query(`drop database if exists ${name}`));
}
