import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.ts';

/**
 * PostgreSQL text cannot hold U+0000; refusing it up front (in the path, query and body) turns a
 * database error into a 400.
 */
export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const path =
      findNul(request.params, 'params') ??
      findNul(request.query, 'querystring') ??
      findNul(request.body, 'body');
    if (path) {
      throw new AppError('validation_failed', `${path}: must not contain the NUL character (U+0000)`, {
        errors: [{ path, message: 'must not contain the NUL character (U+0000)' }],
      });
    }
  });
}

function findNul(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = key.includes('\u0000') ? `${path}.${key}` : findNul(child, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}
