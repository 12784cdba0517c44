import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

/** Deeper than any body this API takes (answers nest 4 levels); deeper bodies are refused. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether a JSON text nests arrays and objects deeper than `max`: one pass over the characters,
 * without parsing or recursion, so a body of 10,000 nested arrays costs no more than its length.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * JSON bodies, parsed as Fastify does (prototype poisoning refused) but refused with a 400 when
 * nested too deep, and with the position of a syntax error. Plain-text bodies are refused (415):
 * no route takes them.
 */
export function registerJsonBodies(app: FastifyInstance): void {
  const secureParse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    // Refused rather than decoded with U+FFFD in place of the bad bytes: a name would be stored mangled.
    if (!isUtf8(bytes)) return done(new AppError('validation_failed', 'The body is not valid UTF-8.'));
    const text = bytes.toString('utf8');
    if (text.length === 0) return secureParse(request, text, done);
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      return done(
        new AppError('validation_failed', `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`),
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return done(new AppError('validation_failed', `The body is not valid JSON: ${describe(error, text)}`));
    }
    // Only a text naming these can poison a prototype; it is parsed again the careful way, and
    // since it is valid JSON, what that refuses is the key, which the answer says.
    if (text.includes('__proto__') || text.includes('constructor')) {
      return secureParse(request, text, (error, parsed) =>
        error
          ? done(
              new AppError(
                'validation_failed',
                'The body has a "__proto__" key or a "constructor" key holding "prototype", which this service refuses (they could change every object of the process); rename the key.',
              ),
            )
          : done(null, parsed),
      );
    }
    done(null, value);
  });
}

/** JSON.parse's message, with the line and column where V8's own message leaves them out. */
function describe(error: unknown, text: string): string {
  const message = (error as Error).message;
  if (message.includes('(line ')) return message;
  const position = errorPosition(message, text);
  if (position === undefined) return message;
  const before = text.slice(0, position).split('\n');
  return `${message} at position ${position} (line ${before.length} column ${before.at(-1)!.length + 1})`;
}

/**
 * Where V8 stopped: the end of the input, or the middle of the excerpt it quotes around an
 * unexpected token (10 characters either side, with "..." where it cut the text).
 */
function errorPosition(message: string, text: string): number | undefined {
  if (message.startsWith('Unexpected end of JSON input')) return text.length;
  const quoted = /^Unexpected token .*?, (\.\.\.)?"([\s\S]*)"(\.\.\.)? is not valid JSON$/.exec(message);
  if (!quoted) return undefined;
  const [, cutBefore, excerpt = '', cutAfter] = quoted;
  if (cutBefore) {
    const start = text.indexOf(excerpt);
    return start < 0 ? undefined : start + 10;
  }
  return cutAfter ? excerpt.length - 11 : undefined;
}

/** What a 415 says: the media types the route takes. */
export function acceptedMedia(request: FastifyRequest): string {
  const consumes = (request.routeOptions.schema?.consumes as string[] | undefined) ?? ['application/json'];
  const sent = request.headers['content-type']?.slice(0, 100) ?? 'none';
  return `Content-Type ${sent} is not accepted here; send ${consumes.join(' or ')}.`;
}
