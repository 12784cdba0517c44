import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemSchema } from '../http/errors.ts';
import { sendProblem } from '../http/problem-handler.ts';

/** A named check /readyz runs; it throws when the service is not ready. */
export type ReadinessCheck = { name: string; check: () => Promise<void> };

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
          request.log.warn({ err: error, check: name }, 'readiness check failed');
          return sendProblem(reply, request, 'not_ready', `Readiness check "${name}" failed.`);
        }
      }
      return { status: 'ready' as const, checks: results };
    },
  );
};
