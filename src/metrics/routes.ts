import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sameSecret } from '../auth/keys.ts';
import { AppError } from '../http/errors.ts';
import { addCollectors, type MetricSources } from './collectors.ts';
import { createMetrics, type Metrics, processMetrics } from './registry.ts';

/**
 * Creates the app's metrics and times every request into them. Call before any route is
 * registered; `metricsRoutes` then serves them.
 */
export function registerHttpMetrics(app: FastifyInstance): Metrics {
  const metrics = createMetrics();
  // The route pattern, never the URL: ids in paths would make a series per profile. Fastify
  // writes a literal colon doubled (`/v1/candidates::bulk`); the label has it as sent.
  const route = (request: FastifyRequest) => request.routeOptions.url?.replaceAll('::', ':') ?? 'unmatched';
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      {
        route: route(request),
        method: request.method,
        status_class: `${Math.floor(reply.statusCode / 100)}xx`,
      },
      reply.elapsedTime / 1000,
    );
  });
  app.addHook('onRequestAbort', async (request) => {
    metrics.httpAborted.inc({ route: route(request), method: request.method });
  });
  return metrics;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
/** Headers a reverse proxy adds: a request carrying one came from beyond the proxy. */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'];

/**
 * Who may scrape: with METRICS_TOKEN set, whoever sends `Authorization: Bearer <METRICS_TOKEN>`
 * (others get 401); without it, only a client on this host that did not come through a proxy
 * (others get the 404 of a route that does not exist).
 */
function checkScraper(request: FastifyRequest, token: string | undefined): void {
  if (token) {
    const given = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (given && sameSecret(given, token)) return;
    throw new AppError('unauthorized', 'Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>".');
  }
  const local = LOOPBACK.has(request.socket.remoteAddress ?? '');
  if (local && !FORWARDING_HEADERS.some((header) => header in request.headers)) return;
  throw new AppError('route_not_found', `No route ${request.method} /metrics.`);
}

/** `GET /metrics`: the Prometheus exposition of the process's and this app's metrics. */
export const metricsRoutes: FastifyPluginAsyncZod<{
  metrics: Metrics;
  token: string | undefined;
  sources: MetricSources;
}> = async (app, { metrics, token, sources }) => {
  const { registry, listingDuration, webhookAttempts } = metrics;
  // Built now, not at the first scrape: its CPU counters count from here, so the first scrape
  // already reports the CPU the process spent since it started serving.
  const processRegistry = processMetrics();
  addCollectors(registry, sources);
  sources.index.onListing = (side, seconds, thread) => listingDuration.observe({ side, thread }, seconds);
  sources.webhooks.onAttempt = (outcome) => webhookAttempts.inc({ outcome });

  // Public to the API-key check (a scraper has no API key): checkScraper decides instead.
  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    checkScraper(request, token);
    const text = (await processRegistry.metrics()) + (await registry.metrics());
    return reply.type(registry.contentType).send(text);
  });
};
