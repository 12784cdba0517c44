import type { DbOrTx } from '../db/client.ts';
import { and, eq, sql } from '../db/orm.ts';
import { webhookDeliveries, webhookSubscriptions } from '../db/schema.ts';
import { uuidv7Batch } from '../db/uuid.ts';

export const eventTypes = [
  'match.mutual',
  'introduction.updated',
  'candidate.erased',
  'allocation.completed',
  'match.created',
  'match.removed',
] as const;
export type EventType = (typeof eventTypes)[number];

/** What each event carries: ids and states, never contact details. */
export interface EventData {
  'match.mutual': { introductionId: string; jobId: string; candidateId: string };
  'introduction.updated': {
    introductionId: string;
    jobId: string;
    candidateId: string;
    status: string;
    employerState: string;
    candidateState: string;
  };
  'candidate.erased': { candidateId: string };
  'allocation.completed': { allocationId: string; assigned: number; unassigned: number };
  'match.created': AlertEventData;
  'match.removed': AlertEventData;
}

/** An alert's crossing (src/alerts/): `score` is null when the pair is no longer acceptable at all. */
export interface AlertEventData {
  jobId: string;
  candidateId: string;
  score: number | null;
  alertOf: 'job' | 'candidate';
}

/**
 * Writes the event to the outbox, one delivery per subscription that wants it. Call it inside the
 * transaction of the change, so the event exists exactly when the change does.
 */
export async function enqueueEvent<T extends EventType>(
  tx: DbOrTx,
  workspaceId: string,
  type: T,
  data: EventData[T],
): Promise<void> {
  await enqueueEvents(tx, workspaceId, [type], () => [{ type, data } as OutboxEvent]);
}

/** One event of any type, its data matching its type. */
export type OutboxEvent = { [T in EventType]: { type: T; data: EventData[T] } }[EventType];

/**
 * Several events in order, as enqueueEvent writes one (one look-up of the subscriptions, batched
 * inserts). `events` (of the `types` given) is made only when a subscription wants one of them: a
 * bulk batch's alerts can raise tens of thousands that nobody subscribed to.
 */
export async function enqueueEvents(
  tx: DbOrTx,
  workspaceId: string,
  types: readonly EventType[],
  events: () => OutboxEvent[] | Promise<OutboxEvent[]>,
): Promise<void> {
  const subscribers = await tx
    .select({ id: webhookSubscriptions.id, eventTypes: webhookSubscriptions.eventTypes })
    .from(webhookSubscriptions)
    .where(
      and(
        eq(webhookSubscriptions.workspaceId, workspaceId),
        sql`${webhookSubscriptions.eventTypes} && ${sql.param([...types])}::text[]`,
      ),
    );
  if (subscribers.length === 0) return;
  const rows = (await events()).flatMap(({ type, data }) =>
    subscribers
      .filter((subscription) => subscription.eventTypes.includes(type))
      .map((subscription) => ({
        subscriptionId: subscription.id,
        eventType: type,
        payload: data as unknown as Record<string, unknown>,
      })),
  );
  const ids = uuidv7Batch(rows.length);
  // One array per column (`unnest`): alerts enqueue thousands at once.
  for (let start = 0; start < rows.length; start += INSERT_BATCH) {
    const batch = rows.slice(start, start + INSERT_BATCH);
    await tx.execute(sql`
      insert into webhook_deliveries (id, workspace_id, subscription_id, event_type, payload)
      select id, ${workspaceId}::uuid, subscription_id, event_type, payload
        from unnest(${sql.param(ids.slice(start, start + INSERT_BATCH))}::uuid[],
                    ${sql.param(batch.map((row) => row.subscriptionId))}::uuid[],
                    ${sql.param(batch.map((row) => row.eventType))}::text[],
                    ${sql.param(batch.map((row) => JSON.stringify(row.payload)))}::jsonb[])
             as delivery(id, subscription_id, event_type, payload)`);
  }
}

/** Deliveries per insert statement (one array per column): bounds a statement's size. */
const INSERT_BATCH = 5_000;

/**
 * Erasure: deliveries that name the candidate go, whatever their state (the `candidate.erased`
 * event written afterwards tells subscribers instead).
 */
export async function forgetCandidateDeliveries(tx: DbOrTx, workspaceId: string, candidateId: string) {
  await tx
    .delete(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.workspaceId, workspaceId),
        sql`${webhookDeliveries.payload}->>'candidateId' = ${candidateId}`,
      ),
    );
}
