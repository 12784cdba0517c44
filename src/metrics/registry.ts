import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Every metric name starts with this. */
export const PREFIX = 'mutualfit_';

/** Seconds: from a fast listing or request (1 ms) to a stalled one (10 s). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * One app's metrics, in a registry of its own (several apps in one process, as in tests, do not
 * collide). The metrics read at scrape time are added to it by collectors.ts.
 */
export function createMetrics() {
  const registry = new Registry();
  return {
    registry,
    httpDuration: new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'Time to answer an HTTP request, by route pattern, method and status class',
      labelNames: ['route', 'method', 'status_class'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    httpAborted: new Counter({
      name: `${PREFIX}http_requests_aborted_total`,
      help: 'HTTP requests whose client closed the connection before the answer, by route pattern and method',
      labelNames: ['route', 'method'] as const,
      registers: [registry],
    }),
    listingDuration: new Histogram({
      name: `${PREFIX}listing_rank_duration_seconds`,
      help: 'Time the match index took to rank one listing, by the side of the profile listed for and the thread it was ranked on (request, rank)',
      labelNames: ['side', 'thread'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    webhookAttempts: new Counter({
      name: `${PREFIX}webhook_attempts_total`,
      help: 'Webhook delivery attempts by outcome: delivered, retry (failed, tried again later) or failed (given up)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

let processRegistry: Registry | undefined;

/**
 * prom-client's default process metrics (CPU, memory, event loop lag, GC). They describe the
 * process, not an app, so one registry per process holds them: building another app does not
 * start another set of event-loop and GC observers.
 */
export function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}
