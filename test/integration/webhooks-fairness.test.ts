import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { type Caller, createWorkspace } from '../support/factories.ts';
import { eventually } from '../support/matching-factories.ts';
import { subscribe, useReceivers, webhookTestEnv } from '../support/webhook-receiver.ts';

/** Longer than any wait below: a hanging receiver holds each of its requests for the whole test. */
const env = { ...webhookTestEnv, WEBHOOK_TIMEOUT_MS: '60000' };

describe.each(availableDatabaseKinds())('webhook delivery across subscribers on %s', (kind) => {
  let t: TestApp;
  let app: FastifyInstance;
  beforeAll(async () => {
    t = await createTestApp({ kind, env });
    app = t.app;
  });
  afterAll(() => t.close());
  // Closing the receivers after each test ends the hanging requests, so the worker can stop.
  const receiver = useReceivers();

  async function allocate(admin: Caller) {
    const response = await admin.post('/v1/allocations', {
      candidates: [{ id: 'c1', preferences: ['j1'] }],
      jobs: [{ id: 'j1', capacity: 1, preferences: ['c1'] }],
    });
    expect(response.statusCode, response.body).toBe(201);
  }

  it("delivers to a working receiver while another workspace's receiver never answers a backlog", async () => {
    const stuck = await createWorkspace(app);
    const healthy = await createWorkspace(app);
    const hanging = await receiver(() => 'hang');
    const working = await receiver();
    await subscribe(stuck.admin, hanging.url);
    const hook = await subscribe(healthy.admin, working.url);

    await app.webhookWorker.stop();
    // More due deliveries to the hanging receiver than a worker sends at once, all older.
    for (let i = 0; i < 20; i++) await allocate(stuck.admin);
    await allocate(healthy.admin);
    app.webhookWorker.start();

    const deliveries = async () =>
      (await healthy.admin.get(`/v1/webhooks/${hook.id}/deliveries`)).json().deliveries as {
        status: string;
      }[];
    await eventually(async () => (await deliveries())[0]?.status === 'delivered', 20_000, 25);
    expect(await deliveries()).toMatchObject([{ status: 'delivered', attempts: 1 }]);
    expect(working.received).toHaveLength(1);
    // The hanging receiver holds only a few requests at a time, not every sending slot.
    expect(hanging.received.length).toBeGreaterThan(0);
    expect(hanging.received.length).toBeLessThanOrEqual(4);
  });
});
