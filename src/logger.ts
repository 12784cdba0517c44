import type { FastifyServerOptions } from 'fastify';
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
 * Database errors wrapped by drizzle carry the query parameters (keys' hashes, contact details) in
 * their message; the driver's own error underneath says what went wrong without them.
 */
export function loggableError(error: unknown): unknown {
  return error instanceof DrizzleQueryError ? (error.cause ?? { message: 'database query failed' }) : error;
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
