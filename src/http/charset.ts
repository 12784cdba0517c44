import type { FastifyInstance } from 'fastify';
import { hasBody } from './content-encoding.ts';
import { AppError } from './errors.ts';

/** Charsets a body is read in: UTF-8, and US-ASCII, which is a subset of it. */
const acceptedCharsets = new Set(['utf-8', 'utf8', 'us-ascii']);

/** The `charset` parameter of a Content-Type (unquoted, lower case); undefined when none is given. */
export function charsetOf(contentType: string): string | undefined {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType);
  if (!match) return undefined;
  return (match[1] ?? match[2] ?? '').trim().toLowerCase();
}

/**
 * Every body (JSON and NDJSON alike) is read as UTF-8, so one declared in another charset is
 * refused with 415 naming it, before it is read, rather than decoded as if it were UTF-8: a
 * Latin-1 "é" would be refused as bad UTF-8, and an ASCII-only body would pass by luck.
 * Registered with the Content-Encoding check, after authentication.
 */
export function refuseForeignCharsets(app: FastifyInstance): void {
  app.addHook('preParsing', async (request) => {
    const contentType = request.headers['content-type'];
    if (contentType === undefined || !request.routeOptions.url || !hasBody(request.headers)) return;
    const charset = charsetOf(contentType);
    if (charset === undefined || acceptedCharsets.has(charset)) return;
    throw new AppError(
      'unsupported_media_type',
      `Charset "${charset.slice(0, 64)}" is not accepted: send the body as UTF-8 (charset=utf-8, or no charset).`,
    );
  });
}
