import type { FastifyBaseLogger } from 'fastify';

/**
 * Socket-level codes of a server that is gone or unreachable, and of a host name that does not
 * resolve (now: a DNS outage, or a managed database's name during a failover).
 */
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/**
 * SQLSTATEs of a server that cannot serve us for now: admin_shutdown, crash_shutdown,
 * cannot_connect_now, too_many_connections (the server's `max_connections` or the role's or
 * database's connection limit is reached: other processes hold them, so it passes),
 * read_only_sql_transaction (a standby, or a primary demoted in a failover: the connection is
 * dropped, so that the pool's next one reaches the new primary), and the exhausted resources.
 */
const unavailableStates = new Set(['57P01', '57P02', '57P03', '53300', '25006']);
/** disk_full, out_of_memory: the server is out of a resource; someone must make room. */
const exhaustedStates = new Set(['53100', '53200']);
/** Messages of node-postgres and pg-pool for a connection that is lost or cannot be had. */
const driverMessages = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

/**
 * Whether an error means "the database cannot be used right now" rather than "this query is
 * wrong": the driver's socket errors, SQLSTATE class 08 (connection exception), a server shutting
 * down, refusing more connections, read-only, or out of disk or memory.
 */
export function isConnectionError(error: unknown): boolean {
  for (const { code, message } of causeChain(error)) {
    if (
      typeof code === 'string' &&
      (socketCodes.has(code) ||
        unavailableStates.has(code) ||
        exhaustedStates.has(code) ||
        code.startsWith('08'))
    )
      return true;
    if (typeof message === 'string' && driverMessages.some((text) => message.startsWith(text))) return true;
  }
  return false;
}

/**
 * Whether the database cannot be used because it ran out of disk or memory: unavailable like a
 * lost server, but it does not pass by itself, so it is logged at error.
 */
export function isResourceExhausted(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== undefined && exhaustedStates.has(state);
}

/** The SQLSTATE of a PostgreSQL error (`23505`, `28P01`…), if it is one. */
export function sqlStateOf(error: unknown): string | undefined {
  for (const { code } of causeChain(error)) {
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** An error and its `cause`s, outermost first: drizzle wraps the driver's errors (at most 8 deep). */
export function* causeChain(error: unknown): Generator<{ code?: unknown; message?: unknown }> {
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    const link = current as { code?: unknown; message?: unknown; cause?: unknown };
    yield link;
    current = link.cause;
  }
}

/**
 * Logs a background task's database failures without flooding the log during an outage: the
 * first failure at warn, repeats at debug, and the recovery at info.
 */
export function outageLog(log: FastifyBaseLogger, task: string) {
  let failing = 0;
  return {
    failed(err: unknown): void {
      failing++;
      const fields = { err: err, task, failures: failing };
      if (failing === 1 || !isConnectionError(err)) log.warn(fields, `${task} failed; retrying`);
      else log.debug(fields, `${task} failed again`);
    },
    succeeded(): void {
      if (failing > 0) log.info({ task, failures: failing }, `${task} works again`);
      failing = 0;
    },
  };
}

/** The wait before attempt `attempt + 1` after a lost database: 250 ms, doubling to 4 s. */
export const backoffMs = (attempt: number) => Math.min(4_000, 250 * 2 ** attempt);

/**
 * Runs `work` again, after `backoffMs`, for as long as it fails because the database cannot be
 * reached (`onOutage` hears of each); any other error ends it. `keepAlive`: the wait holds the
 * process open (before a server listens nothing else would).
 */
export async function retryThroughOutages<T>(
  work: () => Promise<T>,
  onOutage: (err: unknown, attempt: number, delayMs: number) => void,
  { keepAlive = false } = {},
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      const delayMs = backoffMs(attempt);
      onOutage(err, attempt, delayMs);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        if (!keepAlive) timer.unref();
      });
    }
  }
}
