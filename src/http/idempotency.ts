import { createHash } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/client.ts';
import { idempotencyKeys } from '../db/schema.ts';
import { AppError } from './errors.ts';

const RETENTION_MS = 24 * 60 * 60 * 1000;
const keyPattern = /^[\x21-\x7e]{1,255}$/;
/** statusCode of a reservation whose request is still being handled. */
const IN_PROGRESS = 0;
/** Fields of a reply that hold a secret shown once (an API key, a webhook secret); replays never repeat them. */
const SECRET_FIELDS = ['adminKey', 'key', 'secret'];

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { callerId: string; key: string } | null;
  }
}

/**
 * `Idempotency-Key` on POST: the key is reserved before the handler runs (so two concurrent
 * requests cannot both act), the reply is kept 24 h per caller and key, the same request again
 * gets it replayed, and the same key with another request is a 422.
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
    const reservation = {
      callerId,
      key,
      requestHash,
      statusCode: IN_PROGRESS,
      responseBody: '',
      createdAt: new Date(),
    };
    const [reserved] = await db
      .insert(idempotencyKeys)
      .values(reservation)
      .onConflictDoUpdate({
        target: [idempotencyKeys.callerId, idempotencyKeys.key],
        set: reservation,
        where: lt(idempotencyKeys.createdAt, new Date(Date.now() - RETENTION_MS)),
      })
      .returning({ key: idempotencyKeys.key });
    if (reserved) {
      request.idempotency = { callerId, key };
      return;
    }
    const [stored] = await db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.callerId, callerId), eq(idempotencyKeys.key, key)));
    if (!stored || stored.requestHash !== requestHash) {
      throw new AppError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request; use a new key for a new request.',
      );
    }
    if (stored.statusCode === IN_PROGRESS) {
      throw new AppError(
        'conflict',
        'A request with this Idempotency-Key is still being handled; retry shortly.',
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
    if (!pending) return payload;
    const where = and(eq(idempotencyKeys.callerId, pending.callerId), eq(idempotencyKeys.key, pending.key));
    // Server errors are not kept: the client should be able to retry them.
    if (reply.statusCode >= 500 || typeof payload !== 'string') {
      await db.delete(idempotencyKeys).where(where);
    } else {
      await db
        .update(idempotencyKeys)
        .set({ statusCode: reply.statusCode, responseBody: withoutSecrets(payload) })
        .where(where);
    }
    return payload;
  });
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

/** Forgets replies past the retention period. */
export async function purgeExpiredIdempotencyKeys(db: Db, now = Date.now()): Promise<void> {
  await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, new Date(now - RETENTION_MS)));
}
