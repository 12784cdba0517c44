import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.ts';

// OPTIONS is left out: the CORS preflight route answers it on every path.
const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * A request for a known path with a method it does not serve answers 405 `method_not_allowed`
 * with `Allow`, rather than the 404 of a path that does not exist.
 */
export function registerMethodNotAllowed(app: FastifyInstance): void {
  // onRequest of the not-found handler too: there it runs only when no route matched.
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url !== undefined) return;
    const path = request.url.split('?')[0]!;
    const allowed = methods.filter((method) => app.findRoute({ method, url: path }) !== null);
    if (allowed.length === 0) return;
    reply.header('allow', allowed.join(', '));
    throw new AppError(
      'method_not_allowed',
      `${request.method} is not served at ${path}; use ${allowed.join(', ')}.`,
      { extra: { allowedMethods: allowed } },
    );
  });
}
