import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.d.ts';

export type Schemas = components['schemas'];
export type Api = Client<paths>;

/** What every failed call becomes: the problem's stable `code` and `detail`, or a transport failure. */
export class ApiError extends Error {
  readonly status: number;
  /** A problem `code` from the API, or `network_error` / `unexpected_response` from the client. */
  readonly code: string;
  readonly detail: string;
  readonly requestId: string | undefined;
  readonly errors: { path: string; message: string }[];
  /** Seconds to wait before a retry, from `Retry-After` (a 429 or 503 sends it). */
  readonly retryAfter: number | undefined;

  constructor(init: {
    status: number;
    code: string;
    detail: string;
    requestId?: string | undefined;
    errors?: { path: string; message: string }[] | undefined;
    retryAfter?: number | undefined;
  }) {
    super(init.detail);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.requestId = init.requestId;
    this.errors = init.errors ?? [];
    this.retryAfter = init.retryAfter;
  }

  /** The session is expired or revoked: the page should ask for a new link. */
  get sessionEnded(): boolean {
    return this.status === 401;
  }
}

/** A client for one API base and one session token (sent only as the Bearer credential). */
export function createApi(apiBase: string, session: string, fetchImpl?: typeof fetch): Api {
  return createClient<paths>({
    baseUrl: apiBase.replace(/\/+$/, ''),
    headers: { Authorization: `Bearer ${session}` },
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}

/** Maps a parsed error body (problem+json or not) and its response to an ApiError. */
export function toApiError(body: unknown, response: Response): ApiError {
  const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
  if (isProblem(body)) {
    return new ApiError({
      status: response.status,
      code: body.code,
      detail: body.detail,
      requestId: typeof body.requestId === 'string' ? body.requestId : undefined,
      errors: Array.isArray(body.errors) ? body.errors : undefined,
      retryAfter,
    });
  }
  return new ApiError({
    status: response.status,
    code: 'unexpected_response',
    detail: `The service answered ${response.status} ${response.statusText}`.trim(),
    requestId: response.headers.get('x-request-id') ?? undefined,
    retryAfter,
  });
}

/** `Retry-After` in seconds; the HTTP-date form (which the service never sends) is left out. */
function retryAfterSeconds(header: string | null): number | undefined {
  return header !== null && /^\d+$/.test(header.trim()) ? Number(header.trim()) : undefined;
}

function isProblem(
  body: unknown,
): body is { code: string; detail: string; requestId?: unknown; errors?: [] } {
  if (typeof body !== 'object' || body === null) return false;
  const { code, detail } = body as Record<string, unknown>;
  return typeof code === 'string' && typeof detail === 'string';
}

interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Awaits an openapi-fetch call and returns its data, or throws an ApiError: a problem from the
 * API, or `network_error` when no answer arrived.
 */
export async function must<T>(call: Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await call;
  } catch (cause) {
    throw new ApiError({
      status: 0,
      code: 'network_error',
      detail: cause instanceof Error ? cause.message : 'The service could not be reached',
    });
  }
  if (!outcome.response.ok) throw toApiError(outcome.error, outcome.response);
  return outcome.data as T;
}
