import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { isConnectionError } from '../db/faults.ts';
import { loggableError } from '../logger.ts';
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
      const errors = error.validation.map((issue) => ({
        path: [error.validationContext, ...issue.instancePath.split('/').filter(Boolean)].join('.'),
        message: issue.message ?? 'is not valid',
      }));
      return sendProblem(reply, request, 'validation_failed', describeValidation(errors), { errors });
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error, issues: error.cause.issues }, 'response does not match its schema');
      return sendProblem(reply, request, 'internal', 'The server could not produce a valid response.');
    }
    const code = error.code ? fastifyCodes[error.code] : undefined;
    if (code === 'unsupported_media_type') return sendProblem(reply, request, code, acceptedMedia(request));
    if (code) return sendProblem(reply, request, code, error.message);
    if (isClientAbort(error, request)) {
      // The client hung up (its body cut short): nothing failed on our side.
      request.log.info({ err: loggableError(error) }, 'the client closed the connection mid-request');
      return sendProblem(reply, request, 'validation_failed', 'The request ended before its body did.');
    }
    if (isConnectionError(error)) {
      request.log.warn({ err: loggableError(error) }, 'database unavailable');
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_S));
      return sendProblem(
        reply,
        request,
        'database_unavailable',
        'The database cannot be reached right now; retry shortly (a POST with the same Idempotency-Key).',
      );
    }
    request.log.error({ err: loggableError(error) }, 'unhandled error');
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
    sendProblem(
      reply,
      request,
      'route_not_found',
      `No route ${request.method} ${request.url.split('?')[0]}.`,
    ),
  );
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
