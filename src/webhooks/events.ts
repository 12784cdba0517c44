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
  await enqueueEvents(tx, workspaceId, [type], () => eventList([{ type, data } as OutboxEvent]));
}

/** One event of any type, its data matching its type. */
export type OutboxEvent = { [T in EventType]: { type: T; data: EventData[T] } }[EventType];

/**
 * Events by position, each made when its piece of the outbox is written: an alert's write can raise
 * hundreds of thousands, and made all at once (an object and payload each) they held the event loop
 * for seconds.
 */
export interface OutboxEvents {
  readonly length: number;
  at(k: number): OutboxEvent;
}

/** A few events given as objects. */
export const eventList = (events: readonly OutboxEvent[]): OutboxEvents => ({
  length: events.length,
  at: (k) => events[k]!,
});

/**
 * Several events in order, as enqueueEvent writes one (one look-up of the subscriptions, inserts
 * of up to INSERT_BATCH deliveries, each made just before its insert: the event loop runs while
 * PostgreSQL writes one). `events` (of the `types` given) is made only when a subscription wants
 * one of them: a bulk batch's alerts can raise tens of thousands that nobody subscribed to.
 */
export async function enqueueEvents(
  tx: DbOrTx,
  workspaceId: string,
  types: readonly EventType[],
  events: () => OutboxEvents | Promise<OutboxEvents>,
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
  const list = await events();
  let batch: Delivery[] = [];
  for (let k = 0; k < list.length; k++) {
    const { type, data } = list.at(k);
    const wanting = subscribers.filter((subscription) => subscription.eventTypes.includes(type));
    const payload = wanting.length > 0 ? JSON.stringify(data) : '';
    for (const subscription of wanting)
      batch.push({ subscriptionId: subscription.id, eventType: type, payload });
    if (batch.length >= INSERT_BATCH) {
      await insertDeliveries(tx, workspaceId, batch);
      batch = [];
    }
  }
  if (batch.length > 0) await insertDeliveries(tx, workspaceId, batch);
}

interface Delivery {
  subscriptionId: string;
  eventType: EventType;
  /** The event's data as JSON. */
  payload: string;
}

/** One array per column (`unnest`); ids in the order given, after every earlier batch's. */
async function insertDeliveries(tx: DbOrTx, workspaceId: string, batch: Delivery[]): Promise<void> {
  await tx.execute(sql`
    insert into webhook_deliveries (id, workspace_id, subscription_id, event_type, payload)
    select id, ${workspaceId}::uuid, subscription_id, event_type, payload
      from unnest(${sql.param(uuidv7Batch(batch.length))}::uuid[],
                  ${sql.param(batch.map((row) => row.subscriptionId))}::uuid[],
                  ${sql.param(batch.map((row) => row.eventType))}::text[],
                  ${sql.param(batch.map((row) => row.payload))}::jsonb[])
           as delivery(id, subscription_id, event_type, payload)`);
}

/**
 * Deliveries per insert statement: bounds a statement's size, and the time its rows, ids and
 * array literals take on the event loop at one go (bench/alert-close-loop.ts).
 */
const INSERT_BATCH = 2_000;

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
