import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { isConnectionError, isResourceExhausted } from '../db/faults.ts';
import { tooLargeDetail } from './body-limit.ts';
import { AppError, type ErrorCode, type FieldProblem, toProblem } from './errors.ts';
import { acceptedMedia } from './json-body.ts';

/** Fastify's own error codes that are the client's fault, and what they mean to the client. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'validation_failed',
  FST_ERR_CTP_INVALID_JSON_BODY: 'validation_failed',
  FST_ERR_VALIDATION: 'validation_failed',
  // @fastify/static (the API reference's assets) refusing a path that climbs out of its folder.
  FST_STATIC_FORBIDDEN_PATH: 'route_not_found',
};

/**
 * A plugin's error that carries a 4xx status is the client's, whatever its code: answered as the
 * nearest problem, never as a 500 (which anyone could then raise, and which pages an operator).
 */
const clientStatusCodes: Partial<Record<number, ErrorCode>> = {
  404: 'route_not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  431: 'header_too_large',
};

/** Seconds a client is asked to wait when the database is unreachable (the pool reconnects by itself). */
const DATABASE_RETRY_AFTER_S = 5;

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  code: ErrorCode,
  detail: string,
  options: { errors?: FieldProblem[] | undefined; extra?: Record<string, unknown> | undefined } = {},
) {
  const problem = toProblem(code, detail, request.id, options);
  // RFC 9110: a 401 names the scheme that would authenticate (RFC 6750's Bearer).
  if (problem.status === 401) reply.header('www-authenticate', 'Bearer realm="mutualfit"');
  return reply.code(problem.status).type('application/problem+json').serializer(JSON.stringify).send(problem);
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      return sendProblem(reply, request, error.code, error.message, {
        errors: error.errors,
        extra: error.extra,
      });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const errors = error.validation.flatMap((issue) =>
        fieldProblems([error.validationContext ?? 'body', ...issue.instancePath.split('/').filter(Boolean)], {
          code: issue.keyword,
          message: issue.message,
          ...issue.params,
        }),
      );
      return sendProblem(reply, request, 'validation_failed', describeValidation(errors), { errors });
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error, issues: error.cause.issues }, 'response does not match its schema');
      return sendProblem(reply, request, 'internal', 'The server could not produce a valid response.');
    }
    const code = error.code ? fastifyCodes[error.code] : undefined;
    if (code === 'unsupported_media_type') return sendProblem(reply, request, code, acceptedMedia(request));
    if (code === 'payload_too_large') return sendProblem(reply, request, code, tooLargeDetail(request));
    if (code === 'route_not_found') return sendProblem(reply, request, code, noRoute(request));
    if (code) return sendProblem(reply, request, code, error.message);
    if (isClientAbort(error, request)) {
      // The client hung up (its body cut short): nothing failed on our side.
      request.log.info({ err: error }, 'the client closed the connection mid-request');
      return sendProblem(reply, request, 'validation_failed', 'The request ended before its body did.');
    }
    if (isConnectionError(error)) {
      if (isResourceExhausted(error)) request.log.error({ err: error }, 'database out of disk or memory');
      else request.log.warn({ err: error }, 'database unavailable');
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_S));
      return sendProblem(
        reply,
        request,
        'database_unavailable',
        'The database cannot be reached right now; retry shortly (a POST with the same Idempotency-Key).',
      );
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      request.log.info({ err: error }, 'a plugin refused the request');
      const clientCode = clientStatusCodes[status];
      if (clientCode === 'route_not_found') return sendProblem(reply, request, clientCode, noRoute(request));
      return sendProblem(reply, request, clientCode ?? 'validation_failed', error.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(
      reply,
      request,
      'internal',
      'Something went wrong on our side; the request id helps us find it.',
    );
  });

  app.addHook('onRequestAbort', async (request) => {
    request.log.info('the client closed the connection before the answer');
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, 'route_not_found', noRoute(request)),
  );
}

const noRoute = (request: FastifyRequest) => `No route ${request.method} ${request.url.split('?')[0]}.`;

/** A zod issue as fastify-type-provider-zod passes it on: its code, message and own fields. */
interface Issue {
  code: string;
  message?: string | undefined;
  path?: PropertyKey[];
  /** invalid_union: each form's issues, paths relative to the union */
  errors?: Issue[][];
}

/**
 * The problems of one issue at `path`. A value that fits none of a union's forms is explained by
 * the form it got furthest into (its issues lie deepest), so `{ candidates: [{ id }] }` hears
 * that `candidates.0.preferences` is missing rather than "Invalid input"; when no form got further
 * than the others, the union's own message says what the forms are.
 */
function fieldProblems(path: PropertyKey[], issue: Issue): FieldProblem[] {
  const forms = issue.code === 'invalid_union' ? issue.errors : undefined;
  const closest = forms && closestForm(forms);
  if (closest) return closest.flatMap((inner) => fieldProblems([...path, ...(inner.path ?? [])], inner));
  return [{ path: path.map(String).join('.'), message: issue.message ?? 'is not valid' }];
}

/** The one form whose shallowest issue lies deeper than every other form's, if there is one. */
function closestForm(forms: Issue[][]): Issue[] | undefined {
  const depth = (form: Issue[]) => Math.min(...form.map((inner) => inner.path?.length ?? 0));
  const ranked = forms.map((form) => ({ form, depth: depth(form) })).sort((a, b) => b.depth - a.depth);
  const [first, second] = ranked;
  if (!first || first.depth === 0 || (second && second.depth === first.depth)) return undefined;
  return first.form;
}

function describeValidation(errors: FieldProblem[]): string {
  const first = errors[0];
  if (!first) return 'The request is not valid.';
  const more =
    errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
  return `${first.path}: ${first.message}${more}`;
}

const abortCodes = new Set(['ECONNRESET', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/** An error from the client's connection closing under the request (not, say, the database's). */
function isClientAbort(error: FastifyError, request: FastifyRequest): boolean {
  const gone = request.raw.aborted || request.raw.socket?.destroyed === true;
  return gone && (abortCodes.has(error.code) || error.message === 'aborted');
}
