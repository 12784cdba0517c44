import type { FastifyServerOptions } from 'fastify';
import type { Config } from './config.ts';

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
  'contact',
  '*.contact',
  '*.email',
  '*.phone',
];

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
