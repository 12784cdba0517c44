import { randomUUID } from 'node:crypto';
import type { Db, DbOrTx } from '../db/client.ts';
import { and, asc, desc, eq, gt, inArray, isNotNull, lt, lte, notInArray, type SQL, sql } from '../db/orm.ts';
import { rowsOf } from '../db/rows.ts';
import { webhookAttempts, webhookDeliveries, webhookSubscriptions } from '../db/schema.ts';
import { ATTEMPT_LOG_LIMIT } from './schemas.ts';

const subscriptionColumns = {
  id: webhookSubscriptions.id,
  url: webhookSubscriptions.url,
  eventTypes: webhookSubscriptions.eventTypes,
  description: webhookSubscriptions.description,
  createdAt: webhookSubscriptions.createdAt,
  secretRotatedAt: webhookSubscriptions.secretRotatedAt,
  previousSecretValidUntil: webhookSubscriptions.previousSecretExpiresAt,
};

export async function insertSubscription(db: DbOrTx, values: typeof webhookSubscriptions.$inferInsert) {
  const [row] = await db.insert(webhookSubscriptions).values(values).returning(subscriptionColumns);
  return row!;
}

export async function findSubscription(db: DbOrTx, workspaceId: string, id: string) {
  const [row] = await db
    .select(subscriptionColumns)
    .from(webhookSubscriptions)
    .where(and(eq(webhookSubscriptions.workspaceId, workspaceId), eq(webhookSubscriptions.id, id)));
  return row;
}

export async function listSubscriptions(
  db: DbOrTx,
  workspaceId: string,
  page: { limit: number; after?: string | undefined },
) {
  return db
    .select(subscriptionColumns)
    .from(webhookSubscriptions)
    .where(
      and(
        eq(webhookSubscriptions.workspaceId, workspaceId),
        page.after === undefined ? undefined : gt(webhookSubscriptions.id, page.after),
      ),
    )
    .orderBy(asc(webhookSubscriptions.id))
    .limit(page.limit + 1);
}

/**
 * Makes `secret` the subscription's signing secret. With `overlapSeconds` > 0 the one it replaces
 * keeps signing beside it for that long; a rotation within that window drops the older previous
 * secret, so at most two sign at once. 0 revokes the replaced one at once. With `keepPrevious` the
 * current secret is dropped instead (its rotation's answer was lost: no receiver holds it) and the
 * previous one keeps signing, for at least `overlapSeconds` more; no row when none signs now.
 * Row-locked, so two rotations at once apply one after the other.
 */
export async function rotateSecret(
  db: DbOrTx,
  workspaceId: string,
  id: string,
  { secret, overlapSeconds, keepPrevious }: { secret: string; overlapSeconds: number; keepPrevious: boolean },
) {
  const { previousSecret, previousSecretExpiresAt } = webhookSubscriptions;
  const until = sql`now() + ${overlapSeconds} * interval '1 second'`;
  const previous = keepPrevious
    ? { previousSecretExpiresAt: sql`greatest(${previousSecretExpiresAt}, ${until})` }
    : overlapSeconds > 0
      ? // The right-hand side reads the row as it was: the secret being replaced.
        { previousSecret: sql`${webhookSubscriptions.secret}`, previousSecretExpiresAt: until }
      : { previousSecret: null, previousSecretExpiresAt: null };
  const [row] = await db
    .update(webhookSubscriptions)
    .set({ ...previous, secret, secretRotatedAt: sql`now()` })
    .where(
      and(
        eq(webhookSubscriptions.workspaceId, workspaceId),
        eq(webhookSubscriptions.id, id),
        keepPrevious ? and(isNotNull(previousSecret), sql`${previousSecretExpiresAt} > now()`) : undefined,
      ),
    )
    .returning(subscriptionColumns);
  return row;
}

/** Deletes the subscription with its pending deliveries and its log. */
export async function deleteSubscription(db: DbOrTx, workspaceId: string, id: string): Promise<boolean> {
  const deleted = await db
    .delete(webhookSubscriptions)
    .where(and(eq(webhookSubscriptions.workspaceId, workspaceId), eq(webhookSubscriptions.id, id)))
    .returning({ id: webhookSubscriptions.id });
  return deleted.length > 0;
}

/** One subscription's deliveries, newest first, each with its attempts (oldest first). */
export async function listDeliveries(
  db: DbOrTx,
  subscriptionId: string,
  filter: { status?: 'pending' | 'delivered' | 'failed' | undefined; id?: string | undefined },
  page: { limit: number; after?: string | undefined },
) {
  const conditions: (SQL | undefined)[] = [
    eq(webhookDeliveries.subscriptionId, subscriptionId),
    filter.status === undefined ? undefined : eq(webhookDeliveries.status, filter.status),
    filter.id === undefined ? undefined : eq(webhookDeliveries.id, filter.id),
    page.after === undefined ? undefined : lt(webhookDeliveries.id, page.after),
  ];
  const deliveries = await db
    .select({
      id: webhookDeliveries.id,
      eventType: webhookDeliveries.eventType,
      payload: webhookDeliveries.payload,
      status: webhookDeliveries.status,
      attempts: webhookDeliveries.attempts,
      nextAttemptAt: webhookDeliveries.nextAttemptAt,
      finishedAt: webhookDeliveries.finishedAt,
      createdAt: webhookDeliveries.createdAt,
    })
    .from(webhookDeliveries)
    .where(and(...conditions))
    .orderBy(desc(webhookDeliveries.id))
    .limit(page.limit + 1);
  if (deliveries.length === 0) return [];
  const logOf = await attemptLogs(
    db,
    deliveries.map((d) => d.id),
  );
  return deliveries.map((delivery) => ({ ...delivery, attemptLog: logOf.get(delivery.id) ?? [] }));
}

async function attemptLogs(db: DbOrTx, deliveryIds: string[]) {
  const rows = rowsOf<{
    deliveryId: string;
    attemptedAt: Date | string;
    statusCode: number | null;
    error: string | null;
    durationMs: number;
  }>(
    await db.execute(sql`
      select "deliveryId", "attemptedAt", "statusCode", error, "durationMs" from (
        select delivery_id as "deliveryId", created_at as "attemptedAt", status_code as "statusCode",
               error, duration_ms as "durationMs", id,
               row_number() over (partition by delivery_id order by id desc) as latest
          from webhook_attempts
         where delivery_id = any(${sql.param(deliveryIds)}::uuid[])) a
       where latest <= ${ATTEMPT_LOG_LIMIT}
       order by id`),
  );
  const logOf = new Map<
    string,
    { attemptedAt: Date; statusCode: number | null; error: string | null; durationMs: number }[]
  >();
  for (const { deliveryId, attemptedAt, ...attempt } of rows) {
    const log = logOf.get(deliveryId) ?? [];
    log.push({ attemptedAt: new Date(attemptedAt), ...attempt });
    logOf.set(deliveryId, log);
  }
  return logOf;
}

/**
 * Schedules a settled delivery of this subscription again, now, as a new series of attempts (the
 * log keeps the earlier ones). Says why not when it is missing, still pending, or names a
 * candidate erased since (its payload was blanked, so there is nothing left to send).
 */
export async function redeliver(
  db: DbOrTx,
  subscriptionId: string,
  deliveryId: string,
): Promise<'scheduled' | 'missing' | 'pending' | 'erased'> {
  const [scheduled] = await db
    .update(webhookDeliveries)
    .set(newSeries)
    .where(
      and(
        eq(webhookDeliveries.subscriptionId, subscriptionId),
        eq(webhookDeliveries.id, deliveryId),
        redeliverable,
      ),
    )
    .returning({ id: webhookDeliveries.id });
  if (scheduled) return 'scheduled';
  const [row] = await db
    .select({ status: webhookDeliveries.status })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.subscriptionId, subscriptionId), eq(webhookDeliveries.id, deliveryId)));
  if (!row) return 'missing';
  return row.status === 'pending' ? 'pending' : 'erased';
}

/** Schedules every failed delivery of this subscription again (see redeliver); how many. */
export async function redeliverFailed(db: DbOrTx, subscriptionId: string): Promise<number> {
  const rows = await db
    .update(webhookDeliveries)
    .set(newSeries)
    .where(
      and(
        eq(webhookDeliveries.subscriptionId, subscriptionId),
        eq(webhookDeliveries.status, 'failed'),
        redeliverable,
      ),
    )
    .returning({ id: webhookDeliveries.id });
  return rows.length;
}

const newSeries = {
  status: 'pending' as const,
  attempts: 0,
  nextAttemptAt: sql`now()`,
  finishedAt: null,
  claimToken: null,
};

/** Settled, and not blanked after an erasure (settleDelivery). */
const redeliverable = sql`${webhookDeliveries.status} <> 'pending' and ${webhookDeliveries.payload} <> '{}'::jsonb`;

export interface ClaimedDelivery {
  id: string;
  eventType: string;
  payload: Record<string, unknown>;
  attempts: number;
  createdAt: Date;
  claimToken: string;
  subscriptionId: string;
  url: string;
  /** What signs it now: the current secret, then the previous one while its overlap lasts. */
  secrets: [string, ...string[]];
}

/** Pending deliveries of every workspace, counted up to `cap` (so the count stays cheap). */
export async function countPendingDeliveries(db: DbOrTx, cap: number): Promise<number> {
  const pending = db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.status, 'pending'))
    .limit(cap)
    .as('pending');
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(pending);
  return row?.n ?? 0;
}

/**
 * Claims up to `limit` due deliveries for one worker: locked rows another worker holds are
 * skipped, and each claimed row is pushed a lease ahead, so if this worker dies before it settles
 * them, they fall due again once the lease runs out. The attempt is counted at claim, so a
 * delivery that kills its worker every time still reaches the attempt limit.
 *
 * `sending`: the worker's requests in flight per subscription. No subscription gets more than
 * `perSubscription` in flight, and one that has them is passed over, so a receiver that never
 * answers holds a few of the worker's slots, not all of them, and every other subscriber's
 * deliveries go out meanwhile.
 */
export async function claimDueDeliveries(
  db: Db,
  {
    limit,
    leaseMs,
    sending = new Map(),
    perSubscription = limit,
  }: { limit: number; leaseMs: number; sending?: ReadonlyMap<string, number>; perSubscription?: number },
): Promise<ClaimedDelivery[]> {
  const claimToken = randomUUID();
  const full = [...sending].filter(([, n]) => n >= perSubscription).map(([id]) => id);
  return db.transaction(async (tx) => {
    const locked = await tx
      .select({ id: webhookDeliveries.id, subscriptionId: webhookDeliveries.subscriptionId })
      .from(webhookDeliveries)
      .where(
        and(
          eq(webhookDeliveries.status, 'pending'),
          lte(webhookDeliveries.nextAttemptAt, sql`now()`),
          full.length > 0 ? notInArray(webhookDeliveries.subscriptionId, full) : undefined,
        ),
      )
      .orderBy(asc(webhookDeliveries.nextAttemptAt))
      .limit(limit)
      .for('update', { skipLocked: true });
    const due = withinRoom(locked, sending, perSubscription);
    if (due.length === 0) return [];
    const claimed = await tx
      .update(webhookDeliveries)
      .set({
        attempts: sql`${webhookDeliveries.attempts} + 1`,
        nextAttemptAt: sql`now() + ${leaseMs} * interval '1 millisecond'`,
        claimToken,
      })
      .where(
        inArray(
          webhookDeliveries.id,
          due.map((d) => d.id),
        ),
      )
      .returning({
        id: webhookDeliveries.id,
        subscriptionId: webhookDeliveries.subscriptionId,
        eventType: webhookDeliveries.eventType,
        payload: webhookDeliveries.payload,
        attempts: webhookDeliveries.attempts,
        createdAt: webhookDeliveries.createdAt,
      });
    const subscriptions = await tx
      .select({
        id: webhookSubscriptions.id,
        url: webhookSubscriptions.url,
        secret: webhookSubscriptions.secret,
        previousSecret: stillValidPreviousSecret,
      })
      .from(webhookSubscriptions)
      .where(inArray(webhookSubscriptions.id, [...new Set(claimed.map((d) => d.subscriptionId))]));
    const byId = new Map(subscriptions.map((s) => [s.id, s]));
    return claimed.map(({ subscriptionId, ...delivery }) => {
      const { url, secret, previousSecret } = byId.get(subscriptionId)!;
      return {
        ...delivery,
        subscriptionId,
        claimToken,
        url,
        secrets: previousSecret === null ? [secret] : [secret, previousSecret],
      };
    });
  });
}

/**
 * The previous secret while its rotation's overlap lasts, else null: read at claim, just before the
 * send, so a delivery queued before a rotation is signed with what is valid when it goes out.
 */
const stillValidPreviousSecret = sql<string | null>`(case
  when ${webhookSubscriptions.previousSecretExpiresAt} > now() then ${webhookSubscriptions.previousSecret}
end)`;

/** The rows, oldest first, that keep each subscription within `perSubscription` requests in flight. */
function withinRoom<T extends { subscriptionId: string }>(
  rows: T[],
  sending: ReadonlyMap<string, number>,
  perSubscription: number,
): T[] {
  const taken = new Map(sending);
  return rows.filter(({ subscriptionId }) => {
    const n = taken.get(subscriptionId) ?? 0;
    if (n >= perSubscription) return false;
    taken.set(subscriptionId, n + 1);
    return true;
  });
}

export type Outcome = { kind: 'delivered' } | { kind: 'retry'; delayMs: number } | { kind: 'failed' };

/**
 * Records one attempt and where the delivery stands after it. Success always counts (even if the
 * lease ran out and another worker holds it now); a failure only reschedules a delivery this
 * worker still holds. A delivery deleted meanwhile (unsubscribed, erased) is left alone.
 */
export async function settleDelivery(
  db: Db,
  delivery: Pick<ClaimedDelivery, 'id' | 'claimToken'>,
  attempt: { statusCode?: number | undefined; error?: string | undefined; durationMs: number },
  outcome: Outcome,
): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ status: webhookDeliveries.status, claimToken: webhookDeliveries.claimToken })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.id, delivery.id))
      .for('update');
    if (!row) return;
    await tx.insert(webhookAttempts).values({
      deliveryId: delivery.id,
      statusCode: attempt.statusCode ?? null,
      error: attempt.error?.slice(0, 500) ?? null,
      durationMs: Math.round(attempt.durationMs),
    });
    if (row.status !== 'pending') return;
    if (outcome.kind !== 'delivered' && row.claimToken !== delivery.claimToken) return;
    const finished = outcome.kind !== 'retry';
    await tx
      .update(webhookDeliveries)
      .set({
        status: outcome.kind === 'retry' ? 'pending' : outcome.kind,
        nextAttemptAt:
          outcome.kind === 'retry' ? sql`now() + ${outcome.delayMs} * interval '1 millisecond'` : undefined,
        finishedAt: finished ? sql`now()` : undefined,
        claimToken: null,
      })
      .where(eq(webhookDeliveries.id, delivery.id));
    // Once it is out, a delivery naming an erased candidate keeps no trace of them: the erasure
    // notice, and the match.removed events its erasure raised for alerting jobs. One given up keeps
    // the id until it is redelivered or purged: the receiver still has to hear whom to erase.
    if (outcome.kind === 'delivered') {
      await tx.execute(sql`
        update webhook_deliveries set payload = '{}'::jsonb
         where id = ${delivery.id} and payload ? 'candidateId'
           and not exists (select 1 from candidates where id = (payload->>'candidateId')::uuid)`);
    }
  });
}

/** Retention: the previous secrets whose overlap had ended by `now` (they sign nothing any more). */
export async function forgetExpiredPreviousSecrets(db: DbOrTx, now: Date): Promise<void> {
  await db
    .update(webhookSubscriptions)
    .set({ previousSecret: null })
    .where(
      and(
        isNotNull(webhookSubscriptions.previousSecret),
        lte(webhookSubscriptions.previousSecretExpiresAt, now),
      ),
    );
}

/** Retention: settled deliveries (and their attempts) finished before `cutoff`. */
export async function purgeSettledDeliveriesBefore(db: DbOrTx, cutoff: Date): Promise<void> {
  await db.delete(webhookDeliveries).where(lt(webhookDeliveries.finishedAt, cutoff));
}
