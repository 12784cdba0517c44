import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { webhookDeliveries, webhookSubscriptions } from '../db/schema.ts';
import { uuidv7Batch } from '../db/uuid.ts';

export const eventTypes = [
  'match.mutual',
  'introduction.updated',
  'candidate.erased',
  'allocation.completed',
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
  const subscribers = await tx
    .select({ id: webhookSubscriptions.id })
    .from(webhookSubscriptions)
    .where(
      and(
        eq(webhookSubscriptions.workspaceId, workspaceId),
        sql`${type} = any(${webhookSubscriptions.eventTypes})`,
      ),
    );
  if (subscribers.length === 0) return;
  const ids = uuidv7Batch(subscribers.length);
  await tx.insert(webhookDeliveries).values(
    subscribers.map((subscription, i) => ({
      id: ids[i]!,
      workspaceId,
      subscriptionId: subscription.id,
      eventType: type,
      payload: data,
    })),
  );
}

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
