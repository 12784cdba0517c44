import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** The most attempts a webhook delivery can have (its attempt log is at most this long). */
export const MAX_WEBHOOK_ATTEMPTS = 50;

/** A whole number in decimal digits: PORT=0x10 or 1e3 is a typo, not 16 or 1000. */
const whole = (number: z.ZodNumber) =>
  z
    .string()
    .trim()
    .min(1, { error: 'is empty: unset it to take the default', abort: true })
    .regex(/^\d+$/, 'must be a whole number in decimal digits')
    .transform(Number)
    .pipe(number);

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

const secretKey = optionalString.refine((value) => value === undefined || value.length >= 24, {
  message: 'must be at least 24 characters long',
});

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1, 'is empty: unset it to listen on every interface (0.0.0.0)').default('0.0.0.0'),
  PORT: whole(z.number().int().min(0).max(65535)).default(3000),
  DATABASE_URL: optionalString
    .refine((value) => value === undefined || /^postgres(ql)?:\/\//.test(value), {
      message: 'must be a postgres:// or postgresql:// URL',
    })
    // The driver parses it as a URL: a / # ? or @ in the password must be percent-encoded. Not echoed.
    .refine((value) => value === undefined || URL.canParse(value), {
      message:
        'is not a valid URL (percent-encode / # ? @ and : in the user name and password, and check the port)',
    }),
  // Each process's share of the server's max_connections (plus one for LISTEN); a request waits up to 5 s for one.
  DATABASE_POOL_MAX: whole(z.number().int().min(2).max(1000)).default(10),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BOOTSTRAP_PLATFORM_KEY: secretKey,
  BOOTSTRAP_ADMIN_KEY: secretKey,
  // Scrapers of GET /metrics send it as a bearer token; unset, only local, unproxied clients may.
  METRICS_TOKEN: secretKey,
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin.length > 0),
    )
    .pipe(z.array(z.union([z.literal('*'), z.url()]))),
  BODY_LIMIT_BYTES: whole(z.number().int().min(1024)).default(1_048_576),
  BULK_BODY_LIMIT_BYTES: whole(z.number().int().min(1024)).default(52_428_800),
  RATE_LIMIT_MAX: whole(z.number().int().min(1)).default(1200),
  RATE_LIMIT_WINDOW_MS: whole(z.number().int().min(1000)).default(60_000),
  // Failed authentications (401s) per client address and window, whatever key each one tried.
  AUTH_FAILURE_LIMIT: whole(z.number().int().min(1)).default(20),
  AUTH_FAILURE_WINDOW_MS: whole(z.number().int().min(1000)).default(300_000),
  // Whose X-Forwarded-For to believe for the client address: off, `true` (any), a hop count, or
  // a comma-separated list of proxy addresses or CIDR ranges.
  TRUST_PROXY: z
    .string()
    .default('')
    .transform((value): boolean | number | string[] => {
      const trimmed = value.trim();
      if (trimmed === '' || trimmed === 'false') return false;
      if (trimmed === 'true') return true;
      if (/^\d+$/.test(trimmed)) return Number(trimmed);
      return trimmed.split(',').map((entry) => entry.trim());
    })
    .superRefine((setting, context) => {
      if (!Array.isArray(setting)) return;
      for (const entry of setting.filter((e) => !isProxyRange(e))) {
        context.addIssue({
          code: 'custom',
          message: `"${entry}" is not an address, a CIDR range (10.0.0.0/8), loopback, linklocal or uniquelocal`,
        });
      }
    }),
  // A request (headers and body) must arrive within REQUEST_TIMEOUT_MS, its headers within
  // HEADERS_TIMEOUT_MS; a socket idle for CONNECTION_TIMEOUT_MS is closed (0: never), and an
  // idle keep-alive connection after KEEP_ALIVE_TIMEOUT_MS.
  REQUEST_TIMEOUT_MS: whole(z.number().int().min(100)).default(30_000),
  HEADERS_TIMEOUT_MS: whole(z.number().int().min(100)).default(10_000),
  CONNECTION_TIMEOUT_MS: whole(z.number().int().min(0)).default(60_000),
  KEEP_ALIVE_TIMEOUT_MS: whole(z.number().int().min(100)).default(72_000),
  // On SIGTERM/SIGINT the service stops taking connections and lets requests in flight finish
  // (a bulk upload with alerts can take many seconds); past this it exits anyway.
  SHUTDOWN_GRACE_MS: whole(z.number().int().min(1000).max(600_000)).default(25_000),
  // Before that, behind a load balancer: how long /readyz answers 503 while the process still
  // serves, so the balancer takes it out of rotation before its port closes (0: close at once).
  SHUTDOWN_DRAIN_MS: whole(z.number().int().min(0).max(300_000)).default(0),
  // API keys and session tokens known without a query (src/auth/credential-cache.ts): how long one
  // is trusted before it is looked up again (0: never cached), and how many are held.
  CREDENTIAL_CACHE_TTL_MS: whole(z.number().int().min(0).max(3_600_000)).default(30_000),
  CREDENTIAL_CACHE_MAX: whole(z.number().int().min(0).max(1_000_000)).default(10_000),
  QUESTIONNAIRES_DIR: z.string().min(1).default('./questionnaires'),
  AUDIT_RETENTION_DAYS: whole(z.number().int().min(1).max(3650)).default(365),
  // Worker threads a match listing is split over (with the calling thread); 0: one thread.
  // The default uses a second core where there is one.
  MATCH_WORKERS: whole(z.number().int().min(0).max(64)).default(Math.min(1, availableParallelism() - 1)),
  // A worker thread that finds a candidate bulk batch's alert pairs while the batch before it is
  // written (src/alerts/scan-thread.ts); 0: on the event loop. The default uses a second core where there is one.
  ALERT_WORKERS: whole(z.number().int().min(0).max(1)).default(Math.min(1, availableParallelism() - 1)),
  // Worker threads an insights pass is split over; the event loop only awaits them. 0: the pass
  // runs on the calling thread (small markets, tests).
  INSIGHTS_WORKERS: whole(z.number().int().min(0).max(64)).default(
    Math.max(1, Math.min(2, availableParallelism())),
  ),
  // Job insights (and what-if) answer only over a market of at least this many candidates, so that no
  // count can describe one person (docs/matching.md#insights-and-what-if). 0: no minimum.
  INSIGHTS_MIN_CANDIDATES: whole(z.number().int().min(0).max(1_000_000)).default(10),
  // Worker threads bulk lines are checked on (parse, schema, answers, packed row) while the body
  // arrives. 0: on the request's thread (small deployments, tests).
  INGEST_WORKERS: whole(z.number().int().min(0).max(64)).default(
    Math.max(1, Math.min(4, availableParallelism() - 1)),
  ),
  // Listings over fewer rows than this stay on one thread. Splitting shortens one listing on an idle
  // machine but costs CPU (at 100k rows about half as much again), so under load it lowers the
  // listings a core serves: only the largest markets are split (bench/README.md).
  MATCH_SPLIT_MIN_ROWS: whole(z.number().int().min(0)).default(250_000),
  // While other listings are in flight, one over at least this many rows (and fewer than
  // MATCH_SPLIT_MIN_ROWS) is queued whole for a worker thread while the event loop serves the next
  // request, and ranked by whichever thread is free first: both cores rank. Smaller ones cost less
  // than the hand-over.
  MATCH_AWAY_MIN_ROWS: whole(z.number().int().min(0)).default(20_000),
  WEBHOOK_POLL_MS: whole(z.number().int().min(10)).default(1000),
  WEBHOOK_TIMEOUT_MS: whole(z.number().int().min(100).max(60_000)).default(10_000),
  WEBHOOK_MAX_ATTEMPTS: whole(z.number().int().min(1).max(MAX_WEBHOOK_ATTEMPTS)).default(12),
  WEBHOOK_BACKOFF_BASE_MS: whole(z.number().int().min(1)).default(30_000),
  WEBHOOK_BACKOFF_MAX_MS: whole(z.number().int().min(1)).default(6 * 3_600_000),
  // Off by default: plain http and private or loopback addresses (a subscriber could otherwise
  // make the service call into its own network). For development and tests.
  WEBHOOK_ALLOW_INSECURE_URLS: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((value) => value === 'true' || value === '1'),
});

export type Config = Readonly<z.output<typeof envSchema>>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once; every bad variable is named in one error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema
    .refine((c) => c.HEADERS_TIMEOUT_MS <= c.REQUEST_TIMEOUT_MS, {
      message: 'must not exceed REQUEST_TIMEOUT_MS',
      path: ['HEADERS_TIMEOUT_MS'],
      when: bothValid('HEADERS_TIMEOUT_MS', 'REQUEST_TIMEOUT_MS'),
    })
    .refine((c) => c.SHUTDOWN_DRAIN_MS < c.SHUTDOWN_GRACE_MS, {
      message: 'must be less than SHUTDOWN_GRACE_MS (the grace counts from the signal, the drain included)',
      path: ['SHUTDOWN_DRAIN_MS'],
      when: bothValid('SHUTDOWN_DRAIN_MS', 'SHUTDOWN_GRACE_MS'),
    })
    .safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  return Object.freeze(parsed.data);
}

/**
 * A check of two settings runs when both are valid, whatever else is wrong: so one start names
 * every bad setting (a check of the whole object would wait for all of them).
 */
function bothValid(a: string, b: string) {
  return (payload: z.core.ParsePayload) =>
    !payload.issues.some((issue) => issue.path?.[0] === a || issue.path?.[0] === b);
}

/** What proxy-addr takes as a trusted proxy: an address, a CIDR range or one of its named ranges. */
function isProxyRange(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
