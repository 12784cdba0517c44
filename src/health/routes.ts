import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemSchema } from '../http/errors.ts';
import { sendProblem } from '../http/problem-handler.ts';

/** A named check /readyz runs; it throws when the service is not ready. */
export type ReadinessCheck = { name: string; check: () => Promise<void> };

/**
 * What a check throws for a state that passes on its own (the match index still loading at a
 * start): /readyz answers 503 all the same, but the log says so at info, without a stack, since
 * nothing failed.
 */
export class NotReadyYet extends Error {}

/** `draining`: true once the process is shutting down (SHUTDOWN_DRAIN_MS): /readyz then answers 503. */
export const healthRoutes: FastifyPluginAsyncZod<{
  checks: ReadinessCheck[];
  draining: () => boolean;
}> = async (app, { checks, draining }) => {
  app.get(
    '/healthz',
    {
      config: { public: true, rateLimit: false },
      schema: {
        operationId: 'health',
        tags: ['health'],
        security: [],
        summary: 'The process is alive',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { public: true, rateLimit: false },
      schema: {
        operationId: 'ready',
        tags: ['health'],
        security: [],
        summary: 'The database is reachable and the match index is loaded',
        response: {
          200: z.object({
            status: z.literal('ready'),
            checks: z.record(z.string().max(64), z.literal('ok')),
          }),
          503: problemSchema,
        },
      },
    },
    async (request, reply) => {
      if (draining()) {
        return sendProblem(
          reply,
          request,
          'not_ready',
          'This instance is shutting down; it still serves requests meanwhile.',
        );
      }
      const results: Record<string, 'ok'> = {};
      for (const { name, check } of checks) {
        try {
          await check();
          results[name] = 'ok';
        } catch (error) {
          if (error instanceof NotReadyYet) {
            request.log.info({ check: name, reason: error.message }, 'not ready yet');
            return sendProblem(reply, request, 'not_ready', `Not ready yet: ${error.message}.`);
          }
          request.log.warn({ err: error, check: name }, 'readiness check failed');
          return sendProblem(reply, request, 'not_ready', `Readiness check "${name}" failed.`);
        }
      }
      return { status: 'ready' as const, checks: results };
    },
  );
};
