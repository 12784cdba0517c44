import type { FastifyServerOptions } from 'fastify';
import pino from 'pino';
import type { Config } from './config.ts';
import { DrizzleQueryError } from './db/orm.ts';

/** Secrets and contact details never reach the logs. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'key',
  '*.key',
  'adminKey',
  '*.adminKey',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'contact',
  '*.contact',
  'email',
  'phone',
  '*.email',
  '*.phone',
  '*.*.contact',
  '*.*.email',
  '*.*.phone',
  'err.params',
];

/**
 * Database errors as the logs keep them. Drizzle's wrapper carries the query parameters (keys'
 * hashes, contact details) in its message, and the driver's error its `detail` ("Failing row
 * contains (…, ann@example.com, …)", "Key (…)=(…) already exists"), `where`, and on PGlite the
 * query and its parameters: of a database error only what says which kind and where is kept.
 */
function loggableError(error: unknown): unknown {
  const cause =
    error instanceof DrizzleQueryError ? (error.cause ?? { message: 'database query failed' }) : error;
  return isDatabaseError(cause) ? withoutData(cause) : cause;
}

/** The fields of a PostgreSQL error that name its kind and place, never a value. */
const placeFields = [
  'code',
  'severity',
  'schema',
  'table',
  'column',
  'constraint',
  'dataType',
  'routine',
] as const;

type DatabaseError = Error & { code: string } & Partial<Record<(typeof placeFields)[number], unknown>>;

/** An error the server sent (pg and PGlite alike): a five-character SQLSTATE and a severity. */
function isDatabaseError(error: unknown): error is DatabaseError {
  if (!(error instanceof Error)) return false;
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string';
}

function withoutData(error: DatabaseError): Record<string, unknown> {
  const kept: Record<string, unknown> = { type: error.name };
  for (const field of placeFields) if (error[field] !== undefined) kept[field] = error[field];
  // Class 22 (data exception) messages quote the value refused: 'invalid input syntax … "…"'.
  const quotesData = error.code.startsWith('22');
  kept.message = quotesData ? `data exception (SQLSTATE ${error.code})` : error.message;
  if (!quotesData && error.stack) kept.stack = error.stack;
  return kept;
}

/** Query parameters whose values say nothing about a person or a secret; others are logged as `…`. */
const plainQueryParams = new Set(['limit', 'cursor', 'locale', 'version', 'status', 'side', 'employerId']);

/**
 * A request's URL as the log keeps it: the path, and of the query only the values of the plain
 * parameters. An externalId can be an email address, and a client may put a token where it does
 * not belong (`?access_token=`); the logs are no place for either.
 */
export function loggableUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=', 1)[0]!;
      return plainQueryParams.has(name) || !pair.includes('=') ? pair : `${name}=…`;
    });
  return `${url.slice(0, at)}?${query.join('&')}`;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number | undefined } | null;
}

export function loggerOptions(
  config: Pick<Config, 'LOG_LEVEL' | 'NODE_ENV'>,
): FastifyServerOptions['logger'] {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    serializers: {
      // Whatever logs a database error, directly or not, logs it without its data.
      err: (error: Error) => {
        const kept = loggableError(error);
        return kept instanceof Error
          ? pino.stdSerializers.err(kept)
          : (kept as ReturnType<typeof pino.stdSerializers.err>);
      },
      req: (request: LoggedRequest) => ({
        method: request.method,
        url: typeof request.url === 'string' ? loggableUrl(request.url) : undefined,
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
    },
    ...(process.stdout.isTTY && config.NODE_ENV !== 'production'
      ? { transport: { target: 'pino-pretty', options: { singleLine: true } } }
      : {}),
  };
}
