import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.ts';

/**
 * Request bodies are taken uncompressed only. A body sent with a Content-Encoding (gzip, br…) is
 * refused with 415 naming it (and `Accept-Encoding: identity`, RFC 7694) before it is read, rather
 * than parsed as if it were plain JSON and reported as invalid JSON full of binary. Registered after
 * authentication (also preParsing), so a key outside a route's roles still gets its 404 first.
 */
export function refuseEncodedBodies(app: FastifyInstance): void {
  app.addHook('preParsing', async (request, reply) => {
    const encoding = request.headers['content-encoding'];
    if (encoding === undefined || !request.routeOptions.url || !hasBody(request.headers)) return;
    const codings = encoding.split(',').map((coding) => coding.trim().toLowerCase());
    if (codings.every((coding) => coding === 'identity' || coding === '')) return;
    reply.header('accept-encoding', 'identity');
    throw new AppError(
      'unsupported_media_type',
      `Content-Encoding "${encoding.slice(0, 64)}" is not accepted: send the body uncompressed.`,
    );
  });
}

export function hasBody(headers: { 'content-length'?: string; 'transfer-encoding'?: string }): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}
