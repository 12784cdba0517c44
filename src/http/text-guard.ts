import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.ts';

const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';
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
      (schema.params ? findUnstorableText(request.params, 'params') : undefined) ??
      (schema.querystring ? findUnstorableText(request.query, 'querystring') : undefined) ??
      findUnstorableText(request.body, 'body');
    if (found) {
      throw new AppError('validation_failed', `${found.path}: ${found.message}`, { errors: [found] });
    }
  });
}

/**
 * The first string or key in `value` that PostgreSQL cannot store as sent (U+0000, a lone
 * surrogate), where it is (`path` for `value` itself) and what is wrong; undefined if none.
 */
export function findUnstorableText(value: unknown, path: string) {
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
