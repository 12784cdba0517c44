import type { FastifyInstance } from 'fastify';
import { sendProblem } from './problem-handler.ts';

/**
 * An HTTP/1.1 request without a `Host` header (RFC 9112 §3.2 requires one) is refused with a
 * problem+json 400 naming the header. Node would refuse it too, but with an empty 400 of its own,
 * so the server is built with `requireHostHeader: false` and the check is made here, first.
 */
export function registerHostHeaderCheck(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.raw.httpVersion !== '1.1' || request.headers.host !== undefined) return;
    reply.header('connection', 'close');
    return sendProblem(
      reply,
      request,
      'validation_failed',
      'An HTTP/1.1 request must carry a Host header; send the host name the service is reached at.',
    );
  });
}
