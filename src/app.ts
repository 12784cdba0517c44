import { randomUUID } from 'node:crypto';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import pkg from '../package.json' with { type: 'json' };
import { alertRoutes } from './alerts/routes.ts';
import { AlertScanThread } from './alerts/scan-thread.ts';
import { Alerts } from './alerts/service.ts';
import { allocationRoutes } from './allocation/routes.ts';
import { answerRoutes } from './answers/routes.ts';
import { ensureBootstrapWorkspace } from './auth/bootstrap.ts';
import { CREDENTIALS_CHANNEL, CredentialCache } from './auth/credential-cache.ts';
import { hashApiKey } from './auth/keys.ts';
import { registerAuth } from './auth/plugin.ts';
import { listAllowedOrigins } from './auth/repository.ts';
import { authRoutes } from './auth/routes.ts';
import type { Config } from './config.ts';
import { type Database, pingDatabase, reportConnectionLosses } from './db/client.ts';
import { Notifications } from './db/notifications.ts';
import { serviceSecret } from './db/service-secrets.ts';
import { healthRoutes, NotReadyYet } from './health/routes.ts';
import { refuseForeignCharsets } from './http/charset.ts';
import { refuseEncodedBodies } from './http/content-encoding.ts';
import { AllowedOrigins, registerCors } from './http/cors.ts';
import { AppError } from './http/errors.ts';
import { registerHostHeaderCheck } from './http/host-header.ts';
import { registerIdempotency } from './http/idempotency.ts';
import { registerJsonBodies } from './http/json-body.ts';
import { registerMethodNotAllowed } from './http/method-not-allowed.ts';
import { apiDescription, documentObject, documentRoute } from './http/openapi-document.ts';
import { registerProblemHandlers, sendProblem } from './http/problem-handler.ts';
import { registerNulGuard } from './http/text-guard.ts';
import { clientErrorHandler, frameworkErrors } from './http/transport-errors.ts';
import { webAssets } from './http/web-assets.ts';
import { IngestPool } from './ingest/ingest-pool.ts';
import { insightsRoutes } from './insights/routes.ts';
import { introductionRoutes } from './introductions/routes.ts';
import { loggerOptions } from './logger.ts';
import { InsightsPool } from './matching/engine/insights-pool.ts';
import { RankPool } from './matching/engine/slice-pool.ts';
import { MatchIndex } from './matching/index.ts';
import { matchingRoutes } from './matching/routes.ts';
import { ChangeFollower, loadIndex } from './matching/sync.ts';
import { metricsRoutes, registerHttpMetrics } from './metrics/routes.ts';
import { WRITES_IN_FLIGHT } from './profiles/bulk.ts';
import { bulkRoutes } from './profiles/bulk-routes.ts';
import { candidateRoutes } from './profiles/candidate-routes.ts';
import { employerRoutes } from './profiles/employer-routes.ts';
import { jobRoutes } from './profiles/job-routes.ts';
import type { QuestionnaireCatalog } from './questionnaires/loader.ts';
import { questionnaireRoutes } from './questionnaires/routes.ts';
import { purgeRetainedRecords } from './retention.ts';
import { sessionRoutes } from './sessions/routes.ts';
import { webhookRoutes } from './webhooks/routes.ts';
import { webhookSecretRoutes } from './webhooks/secret-routes.ts';
import { WebhookWorker } from './webhooks/worker.ts';

export interface AppDependencies {
  config: Config;
  database: Database;
  questionnaires: QuestionnaireCatalog;
  /** Load the match index after start instead of before (the server does; /readyz says when done). */
  loadIndexInBackground?: boolean;
  /** Run the webhook delivery worker in this process (default true). */
  webhookWorker?: boolean;
  /** Overrides the logger built from config (tests pass `false`). */
  logger?: FastifyServerOptions['logger'];
}

declare module 'fastify' {
  interface FastifyInstance {
    matchIndex: MatchIndex;
    changeFollower: ChangeFollower;
    credentials: CredentialCache;
    webhookWorker: WebhookWorker;
    allowedOrigins: AllowedOrigins;
    /** Shutdown has begun: /readyz answers 503 from now on, while requests are still served. */
    startDraining(): void;
  }
}

const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/** Builds the whole service from explicit dependencies; `server.ts` only listens. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config, database, questionnaires } = deps;
  const app = Fastify({
    logger: deps.logger ?? loggerOptions(config),
    bodyLimit: config.BODY_LIMIT_BYTES,
    // genReqId reads the header itself, so an unsafe incoming id is replaced rather than echoed.
    requestIdHeader: false,
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 100 },
    // The client address that rate limits and failed authentications are counted by.
    trustProxy: trustProxy(config.TRUST_PROXY),
    frameworkErrors,
    clientErrorHandler,
    // Requests that arrive while the server closes get our problem+json 503 (below), not Fastify's.
    return503OnClosing: false,
    // A slow client is cut off (408) rather than holding a socket: the whole request must arrive
    // within requestTimeout, its headers within headersTimeout; idle sockets are closed.
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    connectionTimeout: config.CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    http: {
      requestTimeout: config.REQUEST_TIMEOUT_MS,
      headersTimeout: config.HEADERS_TIMEOUT_MS,
      // How often node looks for requests past those deadlines (its default is every 30 s).
      connectionsCheckingInterval: Math.min(1_000, config.REQUEST_TIMEOUT_MS / 4),
      // Checked by registerHostHeaderCheck, which answers with a problem rather than an empty 400.
      requireHostHeader: false,
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandlers(app);
  reportConnectionLosses(database, app.log);
  const metrics = registerHttpMetrics(app);
  registerHostHeaderCheck(app);
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // A request on a kept-alive connection after SIGTERM: the load balancer should try another instance.
  app.addHook('onRequest', async (request, reply) => {
    if (!closing) return;
    reply.header('connection', 'close');
    return sendProblem(
      reply,
      request,
      'not_ready',
      'This instance is shutting down; send the request to another.',
    );
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // API answers carry keys, session tokens, webhook secrets and contact details: no cache, no
    // proxy and no browser history keeps them.
    if (request.url.startsWith('/v1/') && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store');
  });

  registerJsonBodies(app);
  registerMethodNotAllowed(app);
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...route.config, public: true };
  });
  // One LISTEN connection for the change feed and credential revocations.
  const notifications = new Notifications(database, app.log);
  const credentials = new CredentialCache({
    ttlMs: config.CREDENTIAL_CACHE_TTL_MS,
    max: config.CREDENTIAL_CACHE_MAX,
  });
  notifications.on(CREDENTIALS_CHANNEL, (payload) => credentials.onNotification(payload));
  notifications.onState((listening) => credentials.setListening(listening));
  app.decorate('credentials', credentials);
  registerAuth(app, { db: database.db, config, credentials });
  refuseEncodedBodies(app);
  refuseForeignCharsets(app);
  registerIdempotency(app, { db: database.db });
  registerNulGuard(app);

  await app.register(helmet, { global: true });
  const allowedOrigins = new AllowedOrigins(() => listAllowedOrigins(database.db), app.log);
  app.decorate('allowedOrigins', allowedOrigins);
  await allowedOrigins.refresh();
  allowedOrigins.start();
  app.addHook('onClose', async () => allowedOrigins.stop());
  await registerCors(app, { config, origins: allowedOrigins });
  await app.register(rateLimit, {
    max: config.RATE_LIMIT_MAX,
    timeWindow: config.RATE_LIMIT_WINDOW_MS,
    // Per key when there is one (a partner's many users share an IP), else per address.
    keyGenerator: (request) => {
      const auth = request.headers.authorization;
      return auth ? `key:${hashApiKey(auth)}` : `ip:${request.ip}`;
    },
    enableDraftSpec: true,
    // Before authentication (preParsing), so failed attempts are limited too.
    hook: 'onRequest',
    errorResponseBuilder: (_request, context) =>
      new AppError(
        'rate_limited',
        `Rate limit of ${context.max} requests per ${durationText(config.RATE_LIMIT_WINDOW_MS)} reached; retry in ${secondsText(Math.ceil(context.ttl / 1000))} (Retry-After).`,
      ),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'mutualfit',
        version: pkg.version,
        description: apiDescription,
      },
      // x-internal: false says the API is meant for partners outside the operator (OWASP API9).
      servers: [
        { url: '/', description: 'The deployment that serves this document', 'x-internal': false } as {
          url: string;
        },
      ],
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    transform: documentRoute,
    transformObject: documentObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { deepLinking: true } });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  const rankPool =
    config.MATCH_WORKERS > 0
      ? new RankPool(config.MATCH_WORKERS, {
          onGiveUp: () =>
            app.log.error('rank worker threads kept failing to answer: listings now run on one thread'),
        })
      : undefined;
  const index = new MatchIndex(questionnaires, {
    pool: rankPool,
    splitFrom: config.MATCH_SPLIT_MIN_ROWS,
    awayFrom: config.MATCH_AWAY_MIN_ROWS,
  });
  app.addHook('onClose', async () => rankPool?.close());
  const insightsPool = new InsightsPool(config.INSIGHTS_WORKERS);
  app.addHook('onClose', async () => insightsPool.close());
  // The follower keeps the index current: it is the `sync` every writing route refreshes through.
  const sync = new ChangeFollower(database, index, app.log, notifications);
  app.decorate('matchIndex', index);
  app.decorate('changeFollower', sync);
  app.addHook('onClose', () => sync.stop());
  app.addHook('onClose', () => notifications.stop());
  const alertScanThread = config.ALERT_WORKERS > 0 ? new AlertScanThread() : undefined;
  app.addHook('onClose', async () => alertScanThread?.close());
  const alerts = new Alerts(index, alertScanThread);

  const db = database.db;
  let draining = false;
  app.decorate('startDraining', () => {
    draining = true;
  });
  await app.register(healthRoutes, {
    draining: () => draining,
    checks: [
      { name: 'database', check: () => pingDatabase(db) },
      { name: 'matchIndex', check: async () => assertLoaded(index) },
    ],
  });
  await app.register(questionnaireRoutes, { questionnaires });
  await app.register(authRoutes, { db, origins: allowedOrigins, credentials });
  await app.register(sessionRoutes, { db, credentials });
  await app.register(employerRoutes, { db, sync, alerts });
  await app.register(jobRoutes, { db, sync, alerts });
  await app.register(candidateRoutes, { db, sync, alerts });
  await app.register(answerRoutes, { db, questionnaires, sync, alerts });
  const ingestPool = new IngestPool(config.INGEST_WORKERS, questionnaires, {
    onGiveUp: () => app.log.error('ingest threads kept failing: bulk lines are now checked on one thread'),
  });
  app.addHook('onClose', async () => ingestPool.close());
  await app.register(bulkRoutes, {
    db,
    pool: ingestPool,
    bodyLimit: config.BULK_BODY_LIMIT_BYTES,
    sync,
    alerts,
    writesInFlight: database.kind === 'postgres' ? WRITES_IN_FLIGHT : 1,
  });
  await app.register(matchingRoutes, { db, index, questionnaires });
  await app.register(insightsRoutes, {
    db,
    index,
    pool: insightsPool,
    questionnaires,
    minCandidates: config.INSIGHTS_MIN_CANDIDATES,
  });
  await app.register(alertRoutes, { db, alerts, cursorKey: serviceSecret(db, 'feed-cursor') });
  await app.register(allocationRoutes, { db, index, bodyLimit: config.BULK_BODY_LIMIT_BYTES });
  await app.register(introductionRoutes, { db, questionnaires });
  await app.register(webhookRoutes, {
    db,
    allowInsecureUrls: config.WEBHOOK_ALLOW_INSECURE_URLS,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
  });
  await app.register(webhookSecretRoutes, { db });
  await app.register(webAssets);

  const webhookWorker = new WebhookWorker(db, app.log, {
    pollMs: config.WEBHOOK_POLL_MS,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    backoff: { baseMs: config.WEBHOOK_BACKOFF_BASE_MS, maxMs: config.WEBHOOK_BACKOFF_MAX_MS },
    allowInsecure: config.WEBHOOK_ALLOW_INSECURE_URLS,
  });
  app.decorate('webhookWorker', webhookWorker);
  await app.register(metricsRoutes, {
    metrics,
    token: config.METRICS_TOKEN,
    sources: { database, index, follower: sync, webhooks: webhookWorker, rankPool, alerts, alertScanThread },
  });
  app.addHook('onClose', () => webhookWorker.stop());

  await ensureBootstrapWorkspace(db, config.BOOTSTRAP_ADMIN_KEY);
  // The follower starts first, so changes written while the index loads are replayed after it.
  await sync.start();
  await notifications.start();
  const loading = loadIndex(db, index, app.log).catch((err) => {
    app.log.fatal({ err }, 'the match index could not be loaded');
  });
  if (!deps.loadIndexInBackground) await loading;
  // A service's start also starts its rank threads while the index loads: the first listings
  // served side by side after a start would otherwise wait for (and pay for) a thread's start.
  else void rankPool?.ready();
  if (deps.webhookWorker !== false) webhookWorker.start();
  const purge = setInterval(() => {
    purgeRetainedRecords(db, config).catch((err) => app.log.warn({ err }, 'retention purge failed'));
  }, 3_600_000).unref();
  app.addHook('onClose', async () => clearInterval(purge));
  return app;
}

/** A hop count becomes the function Fastify's types ask for; the other forms pass through. */
function trustProxy(setting: Config['TRUST_PROXY']) {
  if (typeof setting !== 'number') return setting;
  return (_address: string, hop: number) => hop < setting;
}

function assertLoaded(index: MatchIndex): void {
  if (!index.loaded) throw new NotReadyYet('the match index is still loading');
}

/** A window in words: "1 minute", "90 seconds". */
function durationText(ms: number): string {
  if (ms % 60_000 === 0) return ms === 60_000 ? '1 minute' : `${ms / 60_000} minutes`;
  return secondsText(Math.ceil(ms / 1000));
}

function secondsText(seconds: number): string {
  return seconds === 1 ? '1 second' : `${seconds} seconds`;
}
