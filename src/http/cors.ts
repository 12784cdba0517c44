import cors from '@fastify/cors';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../auth/principal.ts';
import type { Config } from '../config.ts';

const REFRESH_MS = 30_000;

/** An exact browser origin as a browser sends it: http(s), host, optional port, nothing after. */
export const originSchema = z.string().max(200).refine(isExactOrigin, {
  message: 'must be an exact origin such as https://jobs.example (http or https, no path or trailing slash)',
});

export const allowedOriginsSchema = z
  .array(originSchema)
  .max(20)
  .refine((origins) => new Set(origins).size === origins.length, { message: 'origins must be unique' })
  .describe('Browser origins allowed to call with this workspace’s keys and session tokens')
  .meta({ uniqueItems: true });

function isExactOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
}

/**
 * Every workspace's allowed browser origins, kept in memory so no request asks the database.
 * This process updates it when a workspace changes its origins; other replicas' changes arrive
 * with the next refresh (every 30 s).
 */
export class AllowedOrigins {
  private byWorkspace = new Map<string, ReadonlySet<string>>();
  private union = new Set<string>();
  private changes = 0;
  private timer: NodeJS.Timeout | undefined;

  private readonly load: () => Promise<{ id: string; allowedOrigins: string[] }[]>;
  private readonly log: Pick<FastifyBaseLogger, 'warn' | 'info'>;

  /** `load` reads every workspace that allows some origin (auth/repository.ts listAllowedOrigins). */
  constructor(load: AllowedOrigins['load'], log: AllowedOrigins['log']) {
    this.load = load;
    this.log = log;
  }

  async refresh(): Promise<void> {
    const changesBefore = this.changes;
    const rows = await this.load();
    // A change made here while the query ran may be newer than what it read: keep it until the next refresh.
    if (this.changes !== changesBefore) return;
    this.byWorkspace = new Map(rows.map((row) => [row.id, new Set(row.allowedOrigins)]));
    this.rebuildUnion();
  }

  /** Refreshes every 30 s; an outage is logged once (warn) and its end once (info), keeping the last copy. */
  start(): void {
    let failing = false;
    this.timer = setInterval(() => {
      this.refresh().then(
        () => {
          if (failing) this.log.info('refreshing the allowed browser origins works again');
          failing = false;
        },
        (err) => {
          if (!failing)
            this.log.warn({ err }, 'refreshing the allowed browser origins failed; keeping the last copy');
          failing = true;
        },
      );
    }, REFRESH_MS).unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  set(workspaceId: string, origins: readonly string[]): void {
    this.changes++;
    if (origins.length > 0) this.byWorkspace.set(workspaceId, new Set(origins));
    else this.byWorkspace.delete(workspaceId);
    this.rebuildUnion();
  }

  /** Allowed by some workspace: all a preflight, which carries no credentials, can check. */
  allowedByAny(origin: string): boolean {
    return this.union.has(origin);
  }

  allowedFor(workspaceId: string, origin: string): boolean {
    return this.byWorkspace.get(workspaceId)?.has(origin) ?? false;
  }

  private rebuildUnion(): void {
    this.union = new Set([...this.byWorkspace.values()].flatMap((origins) => [...origins]));
  }
}

/**
 * CORS from CORS_ORIGINS (every workspace) plus each workspace's allowed origins. Preflights and
 * requests without a known caller are checked against the union; an answer to a known caller
 * keeps its Access-Control-Allow-Origin only when the origin is allowed for the caller's workspace,
 * so a page on workspace A's origin cannot read what workspace B's token sees.
 */
export async function registerCors(
  app: FastifyInstance,
  { config, origins }: { config: Config; origins: AllowedOrigins },
): Promise<void> {
  const anyOrigin = config.CORS_ORIGINS.includes('*');
  const everywhere = new Set(config.CORS_ORIGINS);
  await app.register(cors, {
    origin: anyOrigin
      ? true
      : (origin, callback) =>
          callback(null, !!origin && (everywhere.has(origin) || origins.allowedByAny(origin))),
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
    exposedHeaders: [
      'X-Request-Id',
      'Retry-After',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
    ],
    maxAge: 600,
  });
  if (anyOrigin) return;
  app.addHook('onSend', async (request, reply) => {
    const origin = request.headers.origin;
    if (!origin || request.method === 'OPTIONS' || !reply.hasHeader('access-control-allow-origin')) return;
    if (!everywhere.has(origin) && !allowedForCaller(request.principal, origin, origins)) {
      reply.removeHeader('access-control-allow-origin');
    }
  });
}

function allowedForCaller(principal: Principal | null, origin: string, origins: AllowedOrigins): boolean {
  if (!principal) return true;
  if (principal.role === 'platform') return false;
  return origins.allowedFor(principal.workspaceId, origin);
}
