import { createServer, type ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { createWorkspace } from '../support/factories.ts';
import { eventually } from '../support/matching-factories.ts';
import { subscribe, webhookTestEnv } from '../support/webhook-receiver.ts';

interface DeliveryView {
  status: string;
  attempts: number;
  attemptLog: { statusCode: number | null; error: string | null }[];
}

/** A receiver that answers 200 at once and then never finishes its body (a stuck stream, a proxy). */
async function answerThenStall() {
  const open: ServerResponse[] = [];
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('accepted, and more to come');
      open.push(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    requests: () => requests,
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.each(availableDatabaseKinds())('a receiver’s answer on %s', (kind) => {
  let t: TestApp;
  let app: FastifyInstance;
  beforeAll(async () => {
    t = await createTestApp({ kind, env: webhookTestEnv });
    app = t.app;
  });
  afterAll(() => t.close());

  it('counts a 2xx as delivered once its status arrives, without waiting for a body that never ends', async () => {
    const receiver = await answerThenStall();
    try {
      const { admin } = await createWorkspace(app);
      const hook = await subscribe(admin, receiver.url);
      const allocated = await admin.post('/v1/allocations', {
        candidates: [{ id: 'c1', preferences: ['j1'] }],
        jobs: [{ id: 'j1', capacity: 1, preferences: ['c1'] }],
      });
      expect(allocated.statusCode, allocated.body).toBe(201);

      let delivery: DeliveryView | undefined;
      await eventually(async () => {
        [delivery] = (await admin.get(`/v1/webhooks/${hook.id}/deliveries`)).json().deliveries;
        return (delivery?.attemptLog.length ?? 0) >= 1;
      });
      expect(delivery).toMatchObject({
        status: 'delivered',
        attempts: 1,
        attemptLog: [{ statusCode: 200, error: null }],
      });
      expect(receiver.requests()).toBe(1);
    } finally {
      await receiver.close();
    }
  });
});
