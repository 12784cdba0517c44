import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { ADMIN_KEY, PLATFORM_KEY, testQuestionnaires } from '../support/app.ts';
import { createTestDatabase } from '../support/database.ts';
import { createConformance, type Operation, operationsOf } from '../support/openapi-conformance.ts';
import { type ArbitraryContext, arbitraryFor, type Schema } from '../support/schema-arbitrary.ts';
import { brokenFor } from '../support/schema-mutations.ts';

/** Requests in all (FUZZ_REQUESTS for more), within a time budget so a busy machine still finishes. */
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 1500);
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 40_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_202);
const BODY_LIMIT = 16_384;

interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

interface Seeded {
  ids: string[];
  keys: { employer: string; candidate: string };
}

const answers = {
  contract: { value: 'permanent', accept: ['permanent', 'fixed-term'], importance: 'very' },
  'remote-work': { value: 2, accept: { min: 1, max: 3 }, importance: 'somewhat' },
  salary: { value: 3600, accept: { min: 3000 }, importance: 'little' },
};

describe('requests generated from openapi.yaml against a listening server', () => {
  let app: FastifyInstance;
  let database: Database;
  let base: string;
  let document: Schema;
  let seeded: Seeded;

  const call = async (method: string, path: string, body?: unknown, key = ADMIN_KEY) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await response.json()) as Record<string, Record<string, string>>;
    if (response.status >= 300)
      throw new Error(`seeding ${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };

  async function seed(): Promise<Seeded> {
    const employer = (await call('POST', '/v1/employers', { name: 'Fuzz employer', externalId: 'fuzz-e' }))
      .employer!.id!;
    const jobs: string[] = [];
    const candidates: string[] = [];
    for (const n of [1, 2]) {
      const job = (await call('POST', '/v1/jobs', { employerId: employer, title: `Job ${n}`, capacity: 2 }))
        .job!.id!;
      await call('PUT', `/v1/jobs/${job}/answers`, { questionnaireId: 'work-fit', answers });
      jobs.push(job);
      const candidate = (
        await call('POST', '/v1/candidates', { contact: { name: `Person ${n}`, email: `p${n}@example.com` } })
      ).candidate!.id!;
      await call('PUT', `/v1/candidates/${candidate}/answers`, { questionnaireId: 'work-fit', answers });
      candidates.push(candidate);
    }
    const employerKey = (await call('POST', '/v1/api-keys', { role: 'employer', employerId: employer }))
      .apiKey!;
    const candidateKey = (
      await call('POST', '/v1/api-keys', { role: 'candidate', candidateId: candidates[0] })
    ).apiKey!;
    const webhook = (
      await call('POST', '/v1/webhooks', { url: 'https://hooks.example.com/h', eventTypes: ['match.mutual'] })
    ).webhook!.id!;
    const allocation = (await call('POST', '/v1/allocations', { source: 'matches' })).allocation!.id!;
    await call('POST', `/v1/jobs/${jobs[0]}/introductions/${candidates[0]}`, {
      action: 'interested',
      side: 'employer',
    });
    return {
      ids: [employer, ...jobs, ...candidates, employerKey.id!, candidateKey.id!, webhook, allocation],
      keys: { employer: employerKey.key!, candidate: candidateKey.key! },
    };
  }

  beforeAll(async () => {
    document = parse(await readFile('openapi.yaml', 'utf8'));
    database = await createTestDatabase();
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      BOOTSTRAP_PLATFORM_KEY: PLATFORM_KEY,
      BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
      RATE_LIMIT_MAX: '1000000',
      BODY_LIMIT_BYTES: String(BODY_LIMIT),
      BULK_BODY_LIMIT_BYTES: String(4 * BODY_LIMIT),
      MATCH_WORKERS: '0',
    });
    app = await buildApp({
      config,
      database,
      questionnaires: await testQuestionnaires(),
      logger: false,
      webhookWorker: false,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    seeded = await seed();
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('answers each with a documented status, media type, headers and body, and never with a 5xx', async () => {
    const conform = createConformance(document);
    const operations = operationsOf(document);
    const context: ArbitraryContext = {
      resolve: (ref) =>
        ref
          .slice(2)
          .split('/')
          .reduce((node: Schema, part) => node[part], document),
      knownIds: seeded.ids,
      hints: {
        questionnaireId: ['work-fit'],
        id: ['work-fit', ...seeded.ids],
        url: ['https://hooks.example.com/x'],
      },
    };
    const keys = [ADMIN_KEY, ADMIN_KEY, ADMIN_KEY, seeded.keys.employer, seeded.keys.candidate, PLATFORM_KEY];
    const bodyOf = (path: string) =>
      document.paths[path].post.requestBody.content['application/json'].schema as Schema;
    const ndjsonLine = {
      '/v1/candidates:bulk': arbitraryFor(bodyOf('/v1/candidates'), context),
      '/v1/jobs:bulk': arbitraryFor(bodyOf('/v1/jobs'), context),
    };

    const perOperation = Math.ceil(REQUESTS / operations.length);
    const batches = operations.map((op, index) => ({
      op,
      requests: fc.sample(requestFor(op, context, keys, ndjsonLine[op.path as keyof typeof ndjsonLine]), {
        numRuns: perOperation,
        seed: SEED + index,
      }),
    }));
    // Deletes come last, so that the seeded objects (and keys) serve every other operation first.
    const phases = [
      { batches: batches.filter((b) => b.op.method !== 'DELETE'), until: 0.8 * BUDGET_MS },
      { batches: batches.filter((b) => b.op.method === 'DELETE'), until: BUDGET_MS },
    ];

    const failures = new Map<string, string>();
    const statuses = new Map<number, number>();
    const started = Date.now();
    let sent = 0;
    for (const phase of phases) {
      // The first round always runs whole: every operation is tried at least once.
      for (
        let round = 0;
        round < perOperation && (round === 0 || Date.now() - started < phase.until);
        round++
      ) {
        for (const { op, requests } of phase.batches) {
          const request = requests[round]!;
          const response = await fetch(`${base}${request.url}`, {
            method: request.method,
            headers: request.headers,
            ...(request.body === undefined ? {} : { body: request.body }),
          });
          const text = await response.text();
          sent++;
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          const problem =
            response.status >= 500
              ? `a ${response.status}`
              : conform(op.operation, response.status, response.headers, text);
          const key = `${op.method} ${op.path} ${response.status} ${problem?.slice(0, 80)}`;
          if (problem && !failures.has(key)) {
            failures.set(
              key,
              `${request.method} ${request.url} ${JSON.stringify(request.headers)} ${request.body?.slice(0, 300) ?? ''}\n  → ${response.status}: ${problem}\n  ${text.slice(0, 400)}`,
            );
          }
        }
      }
    }

    expect([...failures.values()]).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(operations.length);
    const successes = [...statuses].filter(([status]) => status < 300).reduce((n, [, count]) => n + count, 0);
    expect(successes).toBeGreaterThan(0);
  }, 180_000);
});

/** One request for the operation: from its schemas, or broken in one place (about a third of them). */
function requestFor(
  { method, path, operation }: Operation,
  context: ArbitraryContext,
  keys: string[],
  ndjsonLine: fc.Arbitrary<unknown> | undefined,
): fc.Arbitrary<FuzzRequest> {
  const parameters = (operation.parameters ?? []) as Schema[];
  const inPath = parameters.filter((p) => p.in === 'path');
  const inQuery = parameters.filter((p) => p.in === 'query');
  const mediaTypes = Object.entries(
    (operation.requestBody?.content ?? {}) as Record<string, { schema: Schema }>,
  );
  const value = (p: Schema, broken: boolean) =>
    broken ? brokenFor(p.schema, context) : arbitraryFor(p.schema, context);

  const pathValues = fc.tuple(
    ...inPath.map((p) =>
      fc.oneof({ weight: 9, arbitrary: value(p, false) }, { weight: 1, arbitrary: value(p, true) }),
    ),
  );
  const query = fc.record<Record<string, unknown>>(
    Object.fromEntries(
      inQuery.map((p) => [
        p.name,
        fc.oneof({ weight: 8, arbitrary: value(p, false) }, { weight: 1, arbitrary: value(p, true) }),
      ]),
    ),
    { requiredKeys: inQuery.filter((p) => p.required).map((p) => p.name as string) },
  );
  const auth = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...keys).map((key) => `Bearer ${key}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<string | undefined>(undefined, 'Bearer not-a-key-at-all', 'Basic abc'),
    },
  );
  const idempotency = fc.option(fc.constantFrom('fuzz-key-1', 'fuzz-key-2', 'bad key with spaces'), {
    freq: 4,
  });
  return fc
    .record({ pathValues, query, auth, idempotency, body: bodyFor(mediaTypes, context, ndjsonLine) })
    .map(({ pathValues: values, query: q, auth: authorization, idempotency: key, body }) => {
      let url = path;
      inPath.forEach((p, i) => {
        // An empty segment would be another route (`/v1/jobs/` is the list), not this operation.
        url = url.replace(`{${p.name}}`, encodeURIComponent(String(values[i]) || ' '));
      });
      const search = new URLSearchParams(
        Object.entries(q).map(([name, v]): [string, string] => [
          name,
          typeof v === 'string' ? v : JSON.stringify(v),
        ]),
      ).toString();
      return {
        method,
        url: search ? `${url}?${search}` : url,
        headers: {
          ...(authorization ? { authorization } : {}),
          ...(key && method === 'POST' ? { 'idempotency-key': key } : {}),
          ...(body ? { 'content-type': body.contentType } : {}),
        },
        ...(body ? { body: body.text } : {}),
      };
    });
}

function bodyFor(
  mediaTypes: [string, { schema: Schema }][],
  context: ArbitraryContext,
  ndjsonLine: fc.Arbitrary<unknown> | undefined,
): fc.Arbitrary<{ contentType: string; text: string } | undefined> {
  const [first] = mediaTypes;
  if (!first) return fc.constant(undefined);
  const [mediaType, { schema }] = first;
  const text =
    ndjsonLine !== undefined
      ? fc
          .array(
            fc.oneof(
              fc
                .tuple(ndjsonLine, fc.string({ minLength: 1, maxLength: 8 }))
                .map(([line, externalId]) => JSON.stringify({ ...(line as object), externalId })),
              fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
            ),
            { minLength: 1, maxLength: 5 },
          )
          .map((lines) => lines.join('\n'))
      : arbitraryFor(schema, context).map((v) => JSON.stringify(v));
  const broken = fc.oneof(
    brokenFor(schema, context).map((v) => JSON.stringify(v)),
    fc.constantFrom('{"unterminated": ', '', 'null', '[]', `{"big":"${'x'.repeat(4 * BODY_LIMIT)}"}`),
  );
  return fc.oneof(
    { weight: 6, arbitrary: text.map((t) => ({ contentType: mediaType, text: t })) },
    { weight: 3, arbitrary: broken.map((t) => ({ contentType: mediaType, text: t })) },
    { weight: 1, arbitrary: text.map((t) => ({ contentType: 'application/xml', text: t })) },
  );
}
