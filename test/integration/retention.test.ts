import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEvents,
  idempotencyKeys,
  webhookDeliveries,
  webhookSubscriptions,
} from '../../src/db/schema.ts';
import { purgeRetainedRecords } from '../../src/retention.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { createWorkspace } from '../support/factories.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

describe.each(availableDatabaseKinds())('retention on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ kind, env: { AUDIT_RETENTION_DAYS: '30' } });
  });
  afterAll(() => t.close());

  it('forgets audit records past AUDIT_RETENTION_DAYS and idempotent replies past 24 h, keeping newer ones', async () => {
    const { workspace } = await createWorkspace(t.app);
    const db = t.database.db;
    const now = Date.now();
    const audit = (label: string, ageDays: number) => ({
      workspaceId: workspace.id,
      actorRole: 'admin',
      action: label,
      resultIds: [],
      createdAt: new Date(now - ageDays * DAY_MS),
    });
    await db.insert(auditEvents).values([audit('old', 31), audit('recent', 29)]);
    const reply = (key: string, ageHours: number) => ({
      callerId: 'retention-test',
      key,
      requestHash: 'h',
      statusCode: 201,
      responseBody: '{}',
      createdAt: new Date(now - ageHours * 3_600_000),
    });
    await db.insert(idempotencyKeys).values([reply('old', 25), reply('recent', 23)]);

    await purgeRetainedRecords(db, t.config, now);

    const actions = await db.execute(
      sql`select action from audit_events where workspace_id = ${workspace.id}`,
    );
    expect((actions as unknown as { rows: { action: string }[] }).rows.map((r) => r.action)).toEqual([
      'recent',
    ]);
    const keys = await db.execute(sql`select key from idempotency_keys where caller_id = 'retention-test'`);
    expect((keys as unknown as { rows: { key: string }[] }).rows.map((r) => r.key)).toEqual(['recent']);
  });

  it('forgets webhook deliveries settled before the retention period, never pending ones', async () => {
    const { workspace } = await createWorkspace(t.app);
    const db = t.database.db;
    const now = Date.now();
    const [subscription] = await db
      .insert(webhookSubscriptions)
      .values({
        workspaceId: workspace.id,
        url: 'https://example.com/h',
        eventTypes: ['match.mutual'],
        secret: 's',
      })
      .returning({ id: webhookSubscriptions.id });
    const delivery = (label: string, status: 'pending' | 'delivered' | 'failed', ageDays: number | null) => ({
      workspaceId: workspace.id,
      subscriptionId: subscription!.id,
      eventType: 'match.mutual',
      payload: { label },
      status,
      createdAt: new Date(now - 40 * DAY_MS),
      finishedAt: ageDays === null ? null : new Date(now - ageDays * DAY_MS),
    });
    await db
      .insert(webhookDeliveries)
      .values([
        delivery('old delivered', 'delivered', 31),
        delivery('old failed', 'failed', 31),
        delivery('recent', 'delivered', 29),
        delivery('still pending', 'pending', null),
      ]);

    await purgeRetainedRecords(db, t.config, now);

    const left = await db
      .select({ payload: webhookDeliveries.payload })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.subscriptionId, subscription!.id));
    expect(left.map((d) => d.payload.label).sort()).toEqual(['recent', 'still pending']);
  });
});
