import { createHash } from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/client.ts';
import { idempotencyKeys } from '../db/schema.ts';
import { AppError } from './errors.ts';

const RETENTION_MS = 24 * 60 * 60 * 1000;
const keyPattern = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { callerId: string; key: string; requestHash: string } | null;
  }
}

/**
 * `Idempotency-Key` on POST: the first response is kept 24 h per caller and key; the same
 * request again gets it replayed, the same key with another request a 422.
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
    const [stored] = await db
      .select()
      .from(idempotencyKeys)
      .where(
        and(
          eq(idempotencyKeys.callerId, callerId),
          eq(idempotencyKeys.key, key),
          gt(idempotencyKeys.createdAt, new Date(Date.now() - RETENTION_MS)),
        ),
      );
    if (!stored) {
      request.idempotency = { callerId, key, requestHash };
      return;
    }
    if (stored.requestHash !== requestHash) {
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

  app.addHook('onSend', async (request, reply, payload) => {
    const pending = request.idempotency;
    // Server errors are not kept: the client should be able to retry them.
    if (!pending || reply.statusCode >= 500 || typeof payload !== 'string') return payload;
    await db
      .insert(idempotencyKeys)
      .values({ ...pending, statusCode: reply.statusCode, responseBody: payload })
      .onConflictDoNothing();
    return payload;
  });
}

function hashRequest(request: FastifyRequest): string {
  const body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body ?? null);
  return createHash('sha256').update(`${request.method} ${request.url}\n${body}`).digest('hex');
}

/** Forgets replies past the retention period. */
export async function purgeExpiredIdempotencyKeys(db: Db, now = Date.now()): Promise<void> {
  await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, new Date(now - RETENTION_MS)));
}
