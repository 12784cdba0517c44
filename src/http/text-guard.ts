import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.ts';

export const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';
const LONE_SURROGATE_MESSAGE = 'must be well-formed Unicode (it holds a lone surrogate)';

/**
 * Text PostgreSQL cannot store as sent, refused up front (in params, query or body) with a 400
 * naming where: U+0000, which text cannot hold (a database error otherwise), and a lone surrogate
 * (`"\ud800"`), which the driver's UTF-8 encoding would turn into U+FFFD without a word.
 */
export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    // Only what the route reads: a query string a route ignores stays ignored.
    const schema = request.routeOptions.schema ?? {};
    const found =
      (schema.params ? findBadText(request.params, 'params') : undefined) ??
      (schema.querystring ? findBadText(request.query, 'querystring') : undefined) ??
      findBadText(request.body, 'body');
    if (found) {
      throw new AppError('validation_failed', `${found.path}: ${found.message}`, { errors: [found] });
    }
  });
}

/** The path of the first string or key in `value` that holds U+0000 (`path` for `value` itself), if any. */
export function findNul(value: unknown, path: string): string | undefined {
  return findText(value, path, (text) => (text.includes('\u0000') ? NUL_MESSAGE : undefined))?.path;
}

function findBadText(value: unknown, path: string) {
  return findText(value, path, (text) =>
    text.includes('\u0000') ? NUL_MESSAGE : text.isWellFormed() ? undefined : LONE_SURROGATE_MESSAGE,
  );
}

/** The first string or key in `value` (depth first) that `problem` finds fault with, and where. */
function findText(
  value: unknown,
  path: string,
  problem: (text: string) => string | undefined,
): { path: string; message: string } | undefined {
  if (typeof value === 'string') {
    const message = problem(value);
    return message ? { path, message } : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const at = `${path}.${key}`;
    const message = problem(key);
    const found = message ? { path: at, message } : findText(child, at, problem);
    if (found) return found;
  }
  return undefined;
}
