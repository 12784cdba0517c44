import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * What sets the route's body limit, as the 413's detail says it after the limit ("set by
     * BULK_BODY_LIMIT_BYTES"); a route without one has the server's, set by BODY_LIMIT_BYTES.
     */
    bodyLimitSource?: string;
  }
}

const MiB = 1024 * 1024;

/** The detail of a 413: the limit the body broke, and the setting that raises it. */
export function tooLargeDetail(request: FastifyRequest): string {
  const { bodyLimit, config } = request.routeOptions;
  const source = config?.bodyLimitSource ?? 'set by BODY_LIMIT_BYTES';
  return `The request body is over the limit of ${bytesText(bodyLimit)} ${source}.`;
}

/** `1048576 bytes (1 MiB)`; below a MiB, the bytes alone. */
export function bytesText(bytes: number): string {
  return bytes < MiB ? `${bytes} bytes` : `${bytes} bytes (${Number((bytes / MiB).toFixed(2))} MiB)`;
}
