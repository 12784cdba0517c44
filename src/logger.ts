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

export function loggerOptions(
  config: Pick<Config, 'LOG_LEVEL' | 'NODE_ENV'>,
): FastifyServerOptions['logger'] {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    ...(process.stdout.isTTY && config.NODE_ENV !== 'production'
      ? { transport: { target: 'pino-pretty', options: { singleLine: true } } }
      : {}),
  };
}
