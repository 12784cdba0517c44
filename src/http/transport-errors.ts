import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { type ErrorCode, toProblem } from './errors.ts';
import { sendProblem } from './problem-handler.ts';

/**
 * Errors the router finds before any route runs (bad percent-encoding, an over-long path
 * parameter): problem+json with the request id like every other error, not Fastify's own JSON.
 */
export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
) => {
  const path = request.url.split('?')[0];
  const [code, detail]: [ErrorCode, string] =
    error.code === 'FST_ERR_BAD_URL'
      ? ['validation_failed', `The path ${path} is not valid percent-encoding.`]
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? ['uri_too_long', 'A path parameter is longer than any id this API uses.']
        : ['validation_failed', 'The request could not be routed.'];
  reply.header('x-request-id', request.id);
  return sendProblem(reply, request, code, detail);
};

/**
 * Errors of the connection itself (a request too slow to arrive, headers too large, bytes that are
 * not HTTP), answered with a problem on the raw socket, which is then closed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, detail]: [ErrorCode, string] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? ['request_timeout', 'The request (headers and body) did not arrive in time; send it promptly.']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? ['header_too_large', 'The request headers are too large.']
        : ['validation_failed', 'The request is not valid HTTP/1.1.'];
  const problem = toProblem(code, detail, randomUUID());
  const body = JSON.stringify(problem);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\nConnection: close\r\n` +
        `Content-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${problem.requestId}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
