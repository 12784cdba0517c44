import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import type { RouteOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { errorStatus } from './errors.ts';

/** What every operation shares, said once here rather than in each operation's description. */
export const apiDescription = [
  'Two-sided expectation matching for hiring: reciprocal scores, explanations, stable allocation and double opt-in introductions.',
  '',
  "- Authenticate with `Authorization: Bearer <key>`; anything outside the key's reach answers 404, never 403.",
  '- Errors are `application/problem+json` with a stable `code` and the `requestId` (also the `X-Request-Id` header).',
  '- While the database is unreachable, requests that need it answer 503 `database_unavailable` with `Retry-After`.',
  '- Requests are rate-limited per key (per address without one): every answer carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`; a 429 also `Retry-After`.',
  '- POSTs honour `Idempotency-Key` for 24 h. Lists take `limit` (1..100) and an opaque `cursor`, and return `nextCursor`.',
].join('\n');

/** What decides which shared error responses an operation can give. */
export interface RouteFacts {
  /** Needs an API key (not `config.public`). */
  authenticated: boolean;
  /** Counted by the rate limit (not `config.rateLimit: false`). */
  rateLimited: boolean;
  /** Reads a request body. */
  hasBody: boolean;
  /** Takes params, a query string, a body or an Idempotency-Key: it can be refused as invalid. */
  hasInput: boolean;
  /** An authenticated POST: honours Idempotency-Key. */
  idempotent: boolean;
  /** Has path parameters: a path over the length limit is refused with 414. */
  hasParams: boolean;
}

/**
 * The error statuses every operation documents beside its own, by what the operation is. Each is
 * answered by shared machinery (authentication, rate limit, body parsing, idempotency, the error
 * handler), not by the route. Add a status here when new shared machinery can answer it.
 */
export const commonErrors: ReadonlyArray<{ status: number; when: (route: RouteFacts) => boolean }> = [
  { status: 400, when: (r) => r.hasInput },
  { status: 401, when: (r) => r.authenticated },
  // Wrong role or another tenant's object: the same 404 as for nothing there.
  { status: 404, when: (r) => r.authenticated },
  // Idempotency-Key: the first request with the key is still being handled.
  { status: 409, when: (r) => r.idempotent },
  // Idempotency-Key: what the first request wrote was erased since (a candidate's erasure).
  { status: 410, when: (r) => r.idempotent },
  // A body sent too slowly (REQUEST_TIMEOUT_MS).
  { status: 408, when: (r) => r.hasBody },
  { status: 413, when: (r) => r.hasBody },
  { status: 414, when: (r) => r.hasParams },
  { status: 415, when: (r) => r.hasBody },
  // Idempotency-Key reused with another request.
  { status: 422, when: (r) => r.idempotent },
  { status: 429, when: (r) => r.rateLimited },
  { status: 500, when: () => true },
  // PostgreSQL unreachable: `database_unavailable` with Retry-After.
  { status: 503, when: (r) => r.authenticated },
];

const PROBLEM_MEDIA_TYPE = 'application/problem+json';
const problemRef = { $ref: '#/components/schemas/Problem' };

const integerHeader = (description: string) => ({
  type: 'integer',
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  format: 'int64',
  description,
});
const alwaysHeaders = {
  'Access-Control-Allow-Origin': {
    type: 'string',
    maxLength: 2000,
    description: 'Only for a request whose Origin is one of CORS_ORIGINS: that origin (or `*`)',
  },
  'X-Request-Id': {
    type: 'string',
    maxLength: 64,
    pattern: '^[A-Za-z0-9._-]{1,64}$',
    description: 'The request id (the one sent, when it was safe, else a new one); also in every problem',
  },
};
const rateLimitHeaders = {
  'RateLimit-Limit': integerHeader('Requests allowed per window for this key (or address, without a key)'),
  'RateLimit-Remaining': integerHeader('Requests left in the current window'),
  'RateLimit-Reset': integerHeader('Seconds until the window resets'),
};
const retryAfterHeader = { 'Retry-After': integerHeader('Seconds to wait before retrying') };
const replayedHeader = {
  'Idempotent-Replayed': {
    type: 'string',
    enum: ['true'],
    description: 'Present on the replay of an earlier answer to the same Idempotency-Key',
  },
};

const idempotencyKeyHeader = {
  type: 'object',
  properties: {
    'Idempotency-Key': {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7e]+$',
      description:
        'Makes the POST safe to retry for 24 h: the same request with the same key replays the first answer; another request with it is a 422',
    },
  },
};

function factsOf(route: RouteOptions, schema: Record<string, unknown>): RouteFacts {
  const config = (route.config ?? {}) as { public?: boolean; rateLimit?: unknown };
  const authenticated = config.public !== true;
  const hasBody = schema.body !== undefined;
  const idempotent = authenticated && route.method === 'POST';
  return {
    authenticated,
    rateLimited: config.rateLimit !== false,
    hasBody,
    hasInput: hasBody || idempotent || schema.params !== undefined || schema.querystring !== undefined,
    idempotent,
    hasParams: schema.params !== undefined,
  };
}

/** The codes a status can carry, for its description. */
function describeStatus(status: number): string {
  const codes = Object.entries(errorStatus)
    .filter(([, s]) => s === status)
    .map(([code]) => `\`${code}\``);
  return `Problem (code ${codes.join(' or ')})`;
}

type JsonSchema = Record<string, unknown>;

/**
 * One documented response: its media types, its headers and the schema of its body. A route that
 * answers something else than JSON says so with `produces`, or with `content` on the response.
 */
function toResponse(status: number, schema: JsonSchema, facts: RouteFacts, produces: string[]): JsonSchema {
  const headers = {
    ...alwaysHeaders,
    ...(facts.rateLimited ? rateLimitHeaders : {}),
    ...(status === 429 || status === 503 || (status === 409 && facts.idempotent) ? retryAfterHeader : {}),
    ...(facts.idempotent && status < 400 ? replayedHeader : {}),
  };
  if (schema.content) {
    return { description: 'Success', ...schema, headers: { ...headers, ...(schema.headers as object) } };
  }
  if (status >= 400) {
    return { description: describeStatus(status), headers, content: { [PROBLEM_MEDIA_TYPE]: { schema } } };
  }
  if (schema.type === 'null') return { type: 'null', description: 'No content', headers };
  const content = Object.fromEntries(produces.map((mediaType) => [mediaType, { schema }]));
  return { description: 'Success', headers, content };
}

/**
 * Per route: the zod schemas as JSON Schema, plus the error responses the shared machinery can
 * give (problem+json), the headers every response carries and the Idempotency-Key header on POSTs.
 */
export const documentRoute: SwaggerTransform = (input) => {
  const transformed = jsonSchemaTransform(input as Parameters<typeof jsonSchemaTransform>[0]);
  const schema = transformed.schema as Record<string, unknown>;
  if (schema.hide) return transformed;
  const facts = factsOf(input.route, schema);
  const produces =
    Array.isArray(schema.produces) && schema.produces.length > 0
      ? (schema.produces as string[])
      : ['application/json'];
  const declared = (schema.response ?? {}) as Record<string, JsonSchema>;
  const statuses = new Map<number, JsonSchema>();
  for (const [status, body] of Object.entries(declared)) statuses.set(Number(status), body);
  for (const { status, when } of commonErrors) {
    if (when(facts) && !statuses.has(status)) statuses.set(status, problemRef);
  }
  const response = Object.fromEntries(
    [...statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, body]) => [String(status), toResponse(status, body, facts, produces)]),
  );
  const headers = facts.idempotent ? { headers: idempotencyKeyHeader } : {};
  return { ...transformed, schema: { ...schema, ...headers, response } };
};

/** The whole document: the zod components, then what only the document as a whole can tell. */
export const documentObject: SwaggerTransformObject = (input) => {
  const document = jsonSchemaTransformObject(input) as JsonSchema;
  return finishDocument(document);
};

const tagDescriptions: Record<string, string> = {
  health: 'Liveness and readiness probes (no key, not rate-limited)',
  questionnaires: 'The questionnaires both sides answer, localized',
  workspaces: 'Workspaces (marketplaces) and their settings',
  'api-keys': 'API keys of a workspace: admin, employer and candidate keys',
  employers: 'Employers, who own jobs',
  jobs: 'Jobs: the employer side of a match',
  candidates: 'Candidates: pseudonymous profiles with contact details kept apart',
  answers: "Each side's answers to a questionnaire",
  bulk: 'NDJSON bulk upserts by externalId',
  matching: 'Reciprocally acceptable matches and their explanations',
  allocation: 'Stable assignment of candidates to jobs',
  introductions: 'Double opt-in introductions',
  webhooks: 'Signed event delivery (Standard Webhooks)',
};

function finishDocument(document: JsonSchema): JsonSchema {
  const paths = (document.paths ?? {}) as Record<string, Record<string, { tags?: string[] }>>;
  const used = new Set(
    Object.values(paths).flatMap((item) => Object.values(item).flatMap((op) => op.tags ?? [])),
  );
  const tags = [...used].sort().map((name) => ({ name, description: tagDescriptions[name] ?? name }));
  const components = document.components as { schemas?: Record<string, JsonSchema> };
  const schemas = components.schemas ?? {};
  const shared = shareResponses(paths);
  documentOptionalBodies(paths);
  const finished = {
    ...document,
    tags,
    components: { ...components, schemas: usedSchemas([paths, shared], schemas), ...shared },
  };
  annotate(finished);
  return finished;
}

/**
 * A route whose body may be left out takes it as `.nullish()` (Fastify hands it `null`): documented
 * as an optional request body of the object's schema rather than a required one that may be null.
 */
function documentOptionalBodies(paths: Record<string, Record<string, unknown>>) {
  for (const operation of Object.values(paths).flatMap((item) => Object.values(item))) {
    const body = (operation as { requestBody?: { required?: boolean; content?: Record<string, JsonSchema> } })
      .requestBody;
    for (const media of Object.values(body?.content ?? {})) {
      const variants = (media.schema as JsonSchema | undefined)?.anyOf as JsonSchema[] | undefined;
      if (variants?.length !== 2 || !variants.some((v) => v.type === 'null')) continue;
      media.schema = variants.find((v) => v.type !== 'null');
      body!.required = false;
    }
  }
}

const statusNames: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  404: 'NotFound',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  422: 'UnprocessableContent',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

/**
 * Headers and error responses are the same on many operations: each is written once under
 * components and referred to, so the document stays readable. Variants get a number.
 */
function shareResponses(paths: Record<string, Record<string, unknown>>) {
  const headers: Record<string, JsonSchema> = {};
  const responses: Record<string, JsonSchema> = {};
  const share = (store: Record<string, JsonSchema>, base: string, value: JsonSchema, prefix: string) => {
    const json = JSON.stringify(value);
    for (let n = 1; ; n++) {
      const name = n === 1 ? base : `${base}${n}`;
      const existing = store[name];
      if (existing === undefined) store[name] = value;
      else if (JSON.stringify(existing) !== json) continue;
      return { $ref: `${prefix}${name}` };
    }
  };
  for (const item of Object.values(paths)) {
    for (const operation of Object.values(item) as { responses?: Record<string, JsonSchema> }[]) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const own = (response.headers ?? {}) as Record<string, JsonSchema>;
        for (const [name, header] of Object.entries(own)) {
          own[name] = share(headers, name.replaceAll('-', ''), header, '#/components/headers/');
        }
        const name = statusNames[Number(status)];
        if (name && Number(status) >= 400) {
          const variant = own['RateLimit-Limit'] ? name : `${name}NotRateLimited`;
          operation.responses![status] = share(responses, variant, response, '#/components/responses/');
        }
      }
    }
  }
  return { headers, responses };
}

/** Only the component schemas some operation reaches: zod registers an input and an output twin of each. */
function usedSchemas(roots: unknown[], schemas: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const reached = new Set<string>();
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
        const name = value.slice('#/components/schemas/'.length);
        if (!reached.has(name)) {
          reached.add(name);
          visit(schemas[name]);
        }
      } else visit(value);
    }
  };
  visit(roots);
  return Object.fromEntries(Object.entries(schemas).filter(([name]) => reached.has(name)));
}

const INT32 = 2 ** 31;

/** Facts a format implies: a uuid is 36 characters, an ISO date-time under 30; integers say their width. */
function annotate(node: unknown): void {
  if (typeof node !== 'object' || node === null) return;
  const schema = node as JsonSchema;
  if (schema.type === 'string' && schema.maxLength === undefined) {
    if (schema.format === 'uuid') schema.maxLength = 36;
    if (schema.format === 'date-time') schema.maxLength = 30;
  }
  if (schema.type === 'integer' && schema.format === undefined) {
    const min = typeof schema.minimum === 'number' ? schema.minimum : -Infinity;
    const max = typeof schema.maximum === 'number' ? schema.maximum : Infinity;
    schema.format = min >= -INT32 && max < INT32 ? 'int32' : 'int64';
  }
  for (const value of Object.values(schema)) annotate(value);
}
