import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Db } from '../../src/db/client.ts';
import { rowsOf } from '../../src/db/rows.ts';
import { bearer, PLATFORM_KEY } from './app.ts';

/** Small factories that create data through the HTTP API, as a client would. */

export interface Employer {
  id: string;
  name: string;
  externalId: string | null;
}
export interface Job {
  id: string;
  employerId: string;
  title: string;
  capacity: number;
  status: 'open' | 'closed';
  minScore: number;
  externalId: string | null;
}
export interface Contact {
  name: string;
  email: string;
  phone: string | null;
}
export interface Candidate {
  id: string;
  headline: string | null;
  minScore: number;
  externalId: string | null;
  contact?: Contact;
}
export interface MintedKey {
  id: string;
  role: 'admin' | 'employer' | 'candidate';
  key: string;
  keyPrefix: string;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A string no other test (or other run against the same server) will produce. */
export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export const uniqueEmail = () => `${unique('person')}@example.com`;

/** One caller (one API key) of the app, with plain JSON requests. */
export function caller(app: FastifyInstance, key: string) {
  const call = (method: Method, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method,
      url,
      headers: { ...bearer(key), ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  return {
    get: (url: string) => call('GET', url),
    post: (url: string, payload: unknown, headers?: Record<string, string>) =>
      call('POST', url, payload, headers),
    put: (url: string, payload: unknown) => call('PUT', url, payload),
    patch: (url: string, payload: unknown) => call('PATCH', url, payload),
    delete: (url: string) => call('DELETE', url),
  };
}
export type Caller = ReturnType<typeof caller>;

/** Asserts an RFC 9457 problem with this status and code, and returns its body. */
export function expectProblem(response: LightMyRequestResponse, status: number, code: string) {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = response.json();
  expect(problem).toMatchObject({
    status,
    code,
    type: expect.stringContaining(code.replaceAll('_', '-')),
    title: expect.any(String),
    detail: expect.any(String),
    requestId: expect.any(String),
  });
  return problem as { code: string; detail: string; errors?: { path: string; message: string }[] };
}

/** expectProblem, and the problem's requestId is the one in the x-request-id header. */
export function expectTracedProblem(response: LightMyRequestResponse, status: number, code: string) {
  const problem = expectProblem(response, status, code) as ReturnType<typeof expectProblem> & {
    requestId: string;
  };
  expect(problem.requestId).toBe(response.headers['x-request-id']);
  return problem;
}

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function created<T>(response: LightMyRequestResponse, field: string): T {
  expect(response.statusCode, response.body).toBe(201);
  return response.json()[field] as T;
}

/** A fresh workspace (so lists in it hold only what the test puts there) and its admin key. */
export async function createWorkspace(app: FastifyInstance, name = unique('workspace')) {
  const response = await caller(app, PLATFORM_KEY).post('/v1/workspaces', { name });
  expect(response.statusCode, response.body).toBe(201);
  const body = response.json() as { workspace: { id: string; name: string }; adminKey: string };
  return { workspace: body.workspace, adminKey: body.adminKey, admin: caller(app, body.adminKey) };
}

export async function createEmployer(
  app: FastifyInstance,
  key: string,
  fields: Record<string, unknown> = {},
): Promise<Employer> {
  const response = await caller(app, key).post('/v1/employers', { name: unique('Employer'), ...fields });
  return created<Employer>(response, 'employer');
}

export async function createJob(
  app: FastifyInstance,
  key: string,
  employerId: string,
  fields: Record<string, unknown> = {},
): Promise<Job> {
  const response = await caller(app, key).post('/v1/jobs', {
    employerId,
    title: unique('Job'),
    ...fields,
  });
  return created<Job>(response, 'job');
}

export async function createCandidate(
  app: FastifyInstance,
  key: string,
  fields: Record<string, unknown> = {},
): Promise<Candidate & { contact: Contact }> {
  const response = await caller(app, key).post('/v1/candidates', {
    headline: 'Backend developer',
    contact: { name: 'Test Person', email: uniqueEmail() },
    ...fields,
  });
  return created<Candidate & { contact: Contact }>(response, 'candidate');
}

export async function mintKey(
  app: FastifyInstance,
  adminKey: string,
  body:
    | { role: 'admin' }
    | { role: 'employer'; employerId: string }
    | { role: 'candidate'; candidateId: string; label?: string },
): Promise<MintedKey> {
  const response = await caller(app, adminKey).post('/v1/api-keys', body);
  return created<MintedKey>(response, 'apiKey');
}

/** A valid answer set for the `mini` fixture questionnaire: one criterion of each kind. */
export function miniAnswers() {
  return {
    questionnaireId: 'mini',
    answers: {
      contract: { value: 'permanent', accept: ['permanent', 'fixed-term'], importance: 'very' },
      languages: { value: ['nl', 'en'], accept: { mode: 'any', options: ['nl'] }, importance: 'somewhat' },
      remote: { value: 1, accept: { min: 0, max: 2 }, importance: 'little' },
      salary: { value: 3500, accept: { min: 3000 }, importance: 'dealbreaker' },
      values: { value: [5, 3, 1], importance: 'somewhat' },
    },
  };
}

/** Every id of a list walked page by page with `limit`, following nextCursor to the end. */
export async function walkList(
  api: Caller,
  path: string,
  field: string,
  limit: number,
  between?: (page: number) => Promise<void>,
): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 10_000; page++) {
    const separator = path.includes('?') ? '&' : '?';
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await api.get(`${path}${separator}limit=${limit}${query}`);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json() as Record<string, unknown> & { nextCursor: string | null };
    const items = body[field] as { id: string }[];
    expect(items.length).toBeLessThanOrEqual(limit);
    ids.push(...items.map((item) => item.id));
    cursor = body.nextCursor;
    if (cursor === null) return ids;
    await between?.(page);
  }
  throw new Error(`${path} never reached the end`);
}

/** The public tables of the database, and how many rows of each mention `needle` anywhere. */
export async function tablesMentioning(db: Db, needle: string): Promise<Record<string, number>> {
  const tables = rowsOf<{ table_name: string }>(
    await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public'`),
  );
  expect(tables.length).toBeGreaterThan(5);
  const counts: Record<string, number> = {};
  for (const { table_name: name } of tables) {
    const [row] = rowsOf<{ count: number | string }>(
      await db.execute(
        sql`select count(*)::int as count from ${sql.identifier(name)} t where t::text ilike '%' || ${needle} || '%'`,
      ),
    );
    counts[name] = Number(row?.count);
  }
  return counts;
}
