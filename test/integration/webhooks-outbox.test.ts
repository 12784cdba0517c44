import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.ts';
import { webhookDeliveries, webhookSubscriptions } from '../../src/db/schema.ts';
import { type EventType, enqueueEvents, type OutboxEvent } from '../../src/webhooks/events.ts';
import { useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { createWorkspace } from '../support/factories.ts';

/**
 * The outbox of a write that raises many events (a job with an alert of its own closing: hundreds
 * of thousands of match.removed): every subscription gets each event it wants, in order, and the
 * events are made piece by piece between the inserts, not all before the first.
 */
describe.each(availableDatabaseKinds())('webhook outbox on %s', (kind) => {
  const t = useTestApp({ kind });

  const subscribe = async (workspaceId: string, eventTypes: EventType[]) => {
    const [row] = await t.database.db
      .insert(webhookSubscriptions)
      .values({ workspaceId, url: 'https://hooks.example/in', eventTypes, secret: 'secret' })
      .returning({ id: webhookSubscriptions.id });
    return row!.id;
  };

  it('writes each subscription the events it wants in order, making them piece by piece', async () => {
    const { workspace } = await createWorkspace(t.app);
    const both = await subscribe(workspace.id, ['match.created', 'match.removed']);
    const created = await subscribe(workspace.id, ['match.created']);
    const jobId = randomUUID();
    const candidates = Array.from({ length: 4_500 }, () => randomUUID());
    const eventAt = (k: number): OutboxEvent => ({
      type: k % 3 === 0 ? 'match.removed' : 'match.created',
      data: { jobId, candidateId: candidates[k]!, score: k % 3 === 0 ? null : k / 4_500, alertOf: 'job' },
    });
    // The statements run so far, seen by each event as it is made.
    const log: string[] = [];
    const db = t.database.db;
    const counting = new Proxy(db, {
      get(target, key, receiver) {
        if (key !== 'execute') return Reflect.get(target, key, receiver);
        return (...args: Parameters<Db['execute']>) => {
          log.push('insert');
          return target.execute(...args);
        };
      },
    });
    await enqueueEvents(counting, workspace.id, ['match.created', 'match.removed'], () => ({
      length: candidates.length,
      at: (k) => {
        log.push('event');
        return eventAt(k);
      },
    }));

    const deliveries = async (subscriptionId: string) =>
      t.database.db
        .select({ eventType: webhookDeliveries.eventType, payload: webhookDeliveries.payload })
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.subscriptionId, subscriptionId))
        .orderBy(asc(webhookDeliveries.id));
    const all = candidates.map((_, k) => eventAt(k));
    const asStored = (events: OutboxEvent[]) =>
      events.map(({ type, data }) => ({ eventType: type, payload: data }));
    expect(await deliveries(both)).toEqual(asStored(all));
    expect(await deliveries(created)).toEqual(asStored(all.filter((e) => e.type === 'match.created')));
    // 7,500 deliveries in inserts of at most 2,000, each insert's events made just before it.
    expect(log.filter((e) => e === 'insert').length).toBe(4);
    expect(log.indexOf('insert')).toBeLessThanOrEqual(2_000);
  });
});
