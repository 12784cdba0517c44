import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db, DbOrTx, Tx } from '../db/client.ts';
import { and, eq, like, lt, sql } from '../db/orm.ts';
import { type HeldTransaction, holdTransaction } from '../db/request-transaction.ts';
import { idempotencyKeys } from '../db/schema.ts';
import { AppError, toProblem } from './errors.ts';

const RETENTION_MS = 24 * 60 * 60 * 1000;
const keyPattern = /^[\x21-\x7e]{1,255}$/;
/**
 * Fields of a reply that hold a secret shown once (an API key, a webhook secret, a session token);
 * replays never repeat them.
 */
const SECRET_FIELDS = ['adminKey', 'key', 'secret', 'token'];
/** The advisory-lock class of idempotency keys (two-int form: apart from the migrations' lock). */
const LOCK_CLASS = 0x1d3e;
const SAVEPOINT = sql.raw('idempotent_request');

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: {
      callerId: string;
      key: string;
      requestHash: string;
      held: HeldTransaction;
      settled: boolean;
    } | null;
  }
}

/**
 * `Idempotency-Key` on POST: the same request again gets the first reply (kept 24 h per caller
 * and key), the same key with another request is a 422, and a request whose twin is still running
 * is a 409.
 *
 * Why one transaction: the reply is stored in the same transaction as the handler's writes, and
 * the reply goes out only after that transaction committed. So a stored reply exists exactly when
 * the writes do — "committed → replayed, not committed → runs again" holds whatever fails
 * (the database dropping mid-request, the commit failing, the process dying), and no key is ever
 * left "in progress". A lease on a separate reservation cannot promise that: it either blocks
 * retries after a crash or re-runs a write that did commit. The transaction takes an advisory
 * lock on the key, so a concurrent twin is told to retry, and the lock dies with the
 * transaction. The handler's queries join it through `requestScoped` (src/db/request-transaction.ts);
 * work that must see the commit (the match index's read-your-writes) runs right after it.
 */
export function registerIdempotency(app: FastifyInstance, { db }: { db: Db }): void {
  app.decorateRequest('idempotency', null);

  app.addHook('preHandler', async (request, reply) => {
    const key = request.headers['idempotency-key'];
    if (request.method !== 'POST' || key === undefined || !request.principal) return;
    if (typeof key !== 'string' || !keyPattern.test(key)) {
      throw new AppError('validation_failed', 'Idempotency-Key must be 1 to 255 visible ASCII characters.', {
        errors: [{ path: 'headers.idempotency-key', message: 'must be 1 to 255 visible ASCII characters' }],
      });
    }
    const callerId = request.principal.role === 'platform' ? 'platform' : request.principal.keyId;
    const requestHash = hashRequest(request);
    const held = await holdTransaction(db);
    let stored: Awaited<ReturnType<typeof claimKey>>;
    try {
      stored = await claimKey(held.tx, callerId, key);
      if (stored === undefined) await held.tx.execute(sql`savepoint ${SAVEPOINT}`);
    } catch (error) {
      await held.rollback();
      throw error;
    }
    if (stored === undefined) {
      request.idempotency = { callerId, key, requestHash, held, settled: false };
      return;
    }
    await held.rollback();
    if (stored === 'busy') {
      reply.header('retry-after', '1');
      throw new AppError(
        'conflict',
        'A request with this Idempotency-Key is still being handled; retry shortly.',
      );
    }
    if (stored.requestHash !== requestHash && stored.requestHash !== ERASED) {
      throw new AppError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request; use a new key for a new request.',
      );
    }
    return reply
      .code(stored.statusCode)
      .header('idempotent-replayed', 'true')
      .type(stored.statusCode >= 400 ? 'application/problem+json' : 'application/json')
      .serializer((payload) => payload as string)
      .send(stored.responseBody);
  });

  // A callback hook, so the handler runs inside the transaction's async scope.
  app.addHook('preHandler', (request, _reply, done) => {
    const held = request.idempotency?.held;
    if (held) held.enter(() => done());
    else done();
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const pending = request.idempotency;
    if (!pending || pending.settled) return payload;
    pending.settled = true;
    const { held } = pending;
    // Server errors are not kept (nor anything the handler wrote): the client retries them. Nor is
    // a reply that says when to retry (a busy allocation or insights pass, a market that kept
    // moving): replayed, it would answer every retry with the same key the same way for 24 h.
    if (reply.statusCode >= 500 || reply.hasHeader('retry-after') || typeof payload !== 'string') {
      await held.rollback();
      return payload;
    }
    try {
      // A refusal keeps nothing the handler did, only the refusal, which the same request gets again.
      if (reply.statusCode >= 400) await held.tx.execute(sql`rollback to savepoint ${SAVEPOINT}`);
      await storeReply(held.tx, pending, reply.statusCode, withoutSecrets(payload));
      await held.commit((err) => request.log.warn({ err }, 'work after an idempotent commit failed'));
    } catch (error) {
      await held.rollback();
      // Nothing was committed; a refusal may go out as it is (the retry gets it again), anything
      // else becomes the error (a 503 while the database is away).
      if (reply.statusCode >= 400) return payload;
      throw error;
    }
    return payload;
  });

  // Should a reply never reach onSend, its transaction is not left open.
  app.addHook('onResponse', async (request) => {
    const pending = request.idempotency;
    if (!pending || pending.settled) return;
    pending.settled = true;
    await pending.held.rollback();
  });
}

/**
 * In the request's transaction: takes the key's lock ('busy' when a twin holds it) and reads the
 * reply stored for it, if any and not expired. A stored row is always a committed reply.
 */
async function claimKey(tx: Tx, callerId: string, key: string) {
  const lock = createHash('sha256').update(`${callerId}\n${key}`).digest().readInt32BE(0);
  const result = await tx.execute(
    sql`select pg_try_advisory_xact_lock(${LOCK_CLASS}::int, ${lock}::int) as locked`,
  );
  if (!(result as unknown as { rows: { locked: boolean }[] }).rows[0]?.locked) return 'busy' as const;
  const [stored] = await tx
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.callerId, callerId), eq(idempotencyKeys.key, key)));
  if (!stored || stored.createdAt.getTime() < Date.now() - RETENTION_MS || stored.statusCode === 0)
    return undefined;
  return stored;
}

async function storeReply(
  tx: Tx,
  request: { callerId: string; key: string; requestHash: string },
  statusCode: number,
  responseBody: string,
) {
  const values = { ...request, statusCode, responseBody, createdAt: new Date() };
  await tx
    .insert(idempotencyKeys)
    .values(values)
    .onConflictDoUpdate({ target: [idempotencyKeys.callerId, idempotencyKeys.key], set: values });
}

function hashRequest(request: FastifyRequest): string {
  const body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body ?? null);
  return createHash('sha256').update(`${request.method} ${request.url}\n${body}`).digest('hex');
}

/** Keys are stored only as hashes, so a kept reply holds a placeholder where the key was. */
function withoutSecrets(payload: string): string {
  if (!SECRET_FIELDS.some((field) => payload.includes(`"${field}"`))) return payload;
  return JSON.stringify(JSON.parse(payload), (field, value) =>
    SECRET_FIELDS.includes(field) && typeof value === 'string' ? '(shown once, when it was created)' : value,
  );
}

/** The request hash of a reply an erasure replaced: any retry under its key gets the 410. */
const ERASED = 'erased';

/**
 * Erasure: replies that quote the candidate become a 410 `erased`, with no request hash left to
 * fingerprint the body by. Deleting them would let a retry under the same key run the request
 * again, and create the erased person anew.
 */
export async function eraseRepliesNaming(tx: DbOrTx, candidateId: string, requestId: string): Promise<void> {
  const gone = toProblem(
    'erased',
    'The record this request wrote was erased since; the request is not run again. Use a new Idempotency-Key for a new request.',
    requestId,
  );
  await tx
    .update(idempotencyKeys)
    .set({ requestHash: ERASED, statusCode: gone.status, responseBody: JSON.stringify(gone) })
    .where(like(idempotencyKeys.responseBody, `%${candidateId}%`));
}

/** Forgets replies past the retention period. */
export async function purgeExpiredIdempotencyKeys(db: Db, now = Date.now()): Promise<void> {
  await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, new Date(now - RETENTION_MS)));
}
