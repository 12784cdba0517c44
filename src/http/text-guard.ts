import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.ts';

/** PostgreSQL text cannot hold U+0000; refusing it up front (in params, query or body) turns a database error into a 400. */
export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    // Only what the route reads: a query string a route ignores stays ignored.
    const schema = request.routeOptions.schema ?? {};
    const path =
      (schema.params ? findNul(request.params, 'params') : undefined) ??
      (schema.querystring ? findNul(request.query, 'querystring') : undefined) ??
      findNul(request.body, 'body');
    if (path) {
      throw new AppError('validation_failed', `${path}: must not contain the NUL character (U+0000)`, {
        errors: [{ path, message: 'must not contain the NUL character (U+0000)' }],
      });
    }
  });
}

/** The path of the first string or key in `value` that holds U+0000 (`path` for `value` itself), if any. */
export function findNul(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = key.includes('\u0000') ? `${path}.${key}` : findNul(child, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}
