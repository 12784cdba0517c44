import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/rows.ts';
import { webhookDeliveries } from '../../src/db/schema.ts';
import { claimDueDeliveries } from '../../src/webhooks/repository.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds, createTestDatabase } from '../support/database.ts';
import {
  type Caller,
  createCandidate,
  createWorkspace,
  expectProblem,
  tablesMentioning,
  uniqueEmail,
} from '../support/factories.ts';
import { createMarket, eventually, keyOf } from '../support/matching-factories.ts';
import {
  startReceiver,
  subscribe,
  useReceivers,
  verified,
  verifies,
  webhookTestEnv,
} from '../support/webhook-receiver.ts';

/** What a subscriber reads for any attempt without an HTTP answer (webhookTestEnv's 2 s timeout). */
const noAnswer = 'no HTTP answer: the receiver could not be reached, or did not answer within 2000 ms';

interface DeliveryView {
  id: string;
  eventType: string;
  payload: Record<string, unknown>;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  attemptLog: { statusCode: number | null; error: string | null; attemptedAt: string }[];
}

describe.each(availableDatabaseKinds())('webhooks on %s', (kind) => {
  let t: TestApp;
  let app: FastifyInstance;
  beforeAll(async () => {
    t = await createTestApp({ kind, env: webhookTestEnv });
    app = t.app;
  });
  afterAll(() => t.close());
  const receiver = useReceivers();

  async function deliveriesOf(admin: Caller, webhookId: string, query = '') {
    const response = await admin.get(`/v1/webhooks/${webhookId}/deliveries${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().deliveries as DeliveryView[];
  }

  async function settled(admin: Caller, webhookId: string, count: number, timeoutMs = 30_000) {
    let deliveries: DeliveryView[] = [];
    await eventually(
      async () => {
        deliveries = await deliveriesOf(admin, webhookId);
        return deliveries.length === count && deliveries.every((d) => d.status !== 'pending');
      },
      timeoutMs,
      25,
    );
    return deliveries.reverse();
  }

  async function express(api: Caller, path: string) {
    const response = await api.post(path, { action: 'interested' });
    expect(response.statusCode, response.body).toBe(200);
  }

  /** An allocation over explicit preferences: the quickest way to cause an event. */
  async function allocate(admin: Caller) {
    const response = await admin.post('/v1/allocations', {
      candidates: [{ id: 'c1', preferences: ['j1'] }],
      jobs: [{ id: 'j1', capacity: 1, preferences: ['c1'] }],
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().allocation as { id: string };
  }

  describe('subscriptions', () => {
    it('shows the secret once, lists and reads without it, and deletes', async () => {
      const { admin } = await createWorkspace(app);
      const created = await subscribe(admin, 'https://hooks.example.com/a', [
        'match.mutual',
        'candidate.erased',
      ]);
      expect(created).toMatchObject({
        url: 'https://hooks.example.com/a',
        eventTypes: ['match.mutual', 'candidate.erased'],
        secret: expect.stringMatching(/^whsec_/),
      });
      const one = await admin.get(`/v1/webhooks/${created.id}`);
      expect(one.statusCode).toBe(200);
      expect(one.json().webhook).not.toHaveProperty('secret');
      const list = await admin.get('/v1/webhooks');
      expect(list.json().webhooks.map((w: { id: string }) => w.id)).toEqual([created.id]);
      expect(list.body).not.toContain(created.secret);

      expect((await admin.delete(`/v1/webhooks/${created.id}`)).statusCode).toBe(204);
      expectProblem(await admin.get(`/v1/webhooks/${created.id}`), 404, 'not_found');
      expectProblem(await admin.delete(`/v1/webhooks/${created.id}`), 404, 'not_found');
    });

    it('never repeats the secret in an idempotent replay', async () => {
      const { admin } = await createWorkspace(app);
      const body = { url: 'https://hooks.example.com/b', eventTypes: ['allocation.completed'] };
      const first = await admin.post('/v1/webhooks', body, { 'idempotency-key': 'hook-1' });
      const replay = await admin.post('/v1/webhooks', body, { 'idempotency-key': 'hook-1' });
      expect(first.statusCode).toBe(201);
      expect(replay.statusCode).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.json().webhook.id).toBe(first.json().webhook.id);
      expect(replay.body).not.toContain(first.json().webhook.secret);
      expect(replay.json().webhook.secret).toBe('(shown once, when it was created)');
      expect((await admin.get('/v1/webhooks')).json().webhooks).toHaveLength(1);
    });

    it('names what is wrong with a bad subscription, and stores nothing', async () => {
      const { admin } = await createWorkspace(app);
      const badUrl = expectProblem(
        await admin.post('/v1/webhooks', { url: 'ftp://example.com/x', eventTypes: ['match.mutual'] }),
        400,
        'validation_failed',
      );
      expect(badUrl.errors).toEqual([{ path: 'body.url', message: 'must be an https URL' }]);
      const badType = expectProblem(
        await admin.post('/v1/webhooks', { url: 'https://example.com/x', eventTypes: ['job.created'] }),
        400,
        'validation_failed',
      );
      expect(badType.errors?.[0]?.path).toContain('eventTypes');
      const noType = expectProblem(
        await admin.post('/v1/webhooks', { url: 'https://example.com/x', eventTypes: [] }),
        400,
        'validation_failed',
      );
      expect(noType.errors?.map((e) => e.path)).toEqual(['body.eventTypes']);
      expect((await admin.get('/v1/webhooks')).json().webhooks).toEqual([]);
    });

    it("is invisible to another workspace and to non-admin keys, and hears only its own workspace's events", async () => {
      const a = await createWorkspace(app);
      const b = await createWorkspace(app);
      const hooks = await receiver();
      const own = await subscribe(a.admin, hooks.url, ['allocation.completed']);
      for (const path of [`/v1/webhooks/${own.id}`, `/v1/webhooks/${own.id}/deliveries`]) {
        expectProblem(await b.admin.get(path), 404, 'not_found');
      }
      expectProblem(await b.admin.delete(`/v1/webhooks/${own.id}`), 404, 'not_found');
      expect((await b.admin.get('/v1/webhooks')).json().webhooks).toEqual([]);
      const candidate = await createCandidate(app, a.adminKey);
      const candidateKey = await keyOf(app, a.adminKey, { role: 'candidate', candidateId: candidate.id });
      expectProblem(await candidateKey.get('/v1/webhooks'), 404, 'not_found');

      await allocate(b.admin);
      const mine = await allocate(a.admin);
      const [delivery] = await settled(a.admin, own.id, 1);
      expect(delivery?.payload).toMatchObject({ allocationId: mine.id });
      expect(hooks.received).toHaveLength(1);
    });
  });

  describe('delivery', () => {
    it('sends introduction steps and the mutual match, signed, with ids only, once each', async () => {
      const m = await createMarket(app);
      const employer = await keyOf(app, m.adminKey, { role: 'employer', employerId: m.employer.id });
      const candidate = await keyOf(app, m.adminKey, { role: 'candidate', candidateId: m.ids.good });
      const hooks = await receiver();
      const hook = await subscribe(m.admin, hooks.url, ['introduction.updated', 'match.mutual']);
      const ignored = await subscribe(m.admin, hooks.url.replace('/hooks', '/other'), [
        'allocation.completed',
      ]);

      const path = `/v1/jobs/${m.job.id}/introductions/${m.ids.good}`;
      await express(employer, path);
      await express(candidate, path);
      const deliveries = await settled(m.admin, hook.id, 3);

      expect(deliveries.map((d) => [d.eventType, d.status, d.attempts])).toEqual([
        ['introduction.updated', 'delivered', 1],
        ['introduction.updated', 'delivered', 1],
        ['match.mutual', 'delivered', 1],
      ]);
      expect(deliveries.every((d) => d.attemptLog.length === 1 && d.attemptLog[0]!.statusCode === 204)).toBe(
        true,
      );
      expect(await deliveriesOf(m.admin, ignored.id)).toEqual([]);

      const bodies = hooks.received.map((r) => ({
        id: r.headers['webhook-id'],
        ...verified(hook.secret, r),
      }));
      expect(new Set(bodies.map((b) => b.id))).toEqual(new Set(deliveries.map((d) => d.id)));
      const mutual = bodies.find((b) => b.type === 'match.mutual')!;
      expect(mutual.data).toEqual({
        introductionId: expect.any(String),
        jobId: m.job.id,
        candidateId: m.ids.good,
      });
      const states = bodies
        .filter((b) => b.type === 'introduction.updated')
        .map((b) => b.data.status)
        .sort();
      expect(states).toEqual(['mutual', 'pending']);
      const contact = (await m.admin.get(`/v1/candidates/${m.ids.good}`)).json().candidate.contact;
      for (const r of hooks.received) expect(r.body).not.toContain(contact.email);
    });

    it('retries a failing receiver with growing waits and the same webhook-id, until it answers 2xx', async () => {
      const { admin } = await createWorkspace(app);
      const hooks = await receiver((n) => (n < 3 ? 500 : 200));
      const hook = await subscribe(admin, hooks.url, ['allocation.completed']);
      await allocate(admin);
      const [delivery] = await settled(admin, hook.id, 1);

      expect(delivery).toMatchObject({ status: 'delivered', attempts: 4, nextAttemptAt: null });
      expect(delivery!.attemptLog.map((a) => a.statusCode)).toEqual([500, 500, 500, 200]);
      expect(new Set(hooks.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([delivery!.id]));
      for (const r of hooks.received) expect(verifies(hook.secret, r)).toBe(true);
      const times = delivery!.attemptLog.map((a) => Date.parse(a.attemptedAt));
      const gaps = times.slice(1).map((time, i) => time - times[i]!);
      // Back-off: at least half of 20, 40, 80 ms between attempts.
      for (const [i, gap] of gaps.entries()) expect(gap).toBeGreaterThanOrEqual(10 * 2 ** i - 5);
    });

    it('gives up after the attempt limit and says so in the log', async () => {
      const { admin } = await createWorkspace(app);
      const hooks = await receiver(() => 503);
      const hook = await subscribe(admin, hooks.url, ['allocation.completed']);
      await allocate(admin);
      const [delivery] = await settled(admin, hook.id, 1);
      expect(delivery).toMatchObject({ status: 'failed', attempts: 5, nextAttemptAt: null });
      expect(delivery!.attemptLog.map((a) => a.statusCode)).toEqual([503, 503, 503, 503, 503]);
      expect(hooks.received).toHaveLength(5);
      expect(await deliveriesOf(admin, hook.id, '?status=failed')).toHaveLength(1);
      expect(await deliveriesOf(admin, hook.id, '?status=delivered')).toHaveLength(0);
    });

    it('sends a failed delivery again on request: a new series, the same webhook-id, the log kept', async () => {
      const { admin } = await createWorkspace(app);
      let down = true;
      const hooks = await receiver(() => (down ? 503 : 200));
      const hook = await subscribe(admin, hooks.url, ['allocation.completed']);
      await allocate(admin);
      const [failed] = await settled(admin, hook.id, 1);
      expect(failed).toMatchObject({ status: 'failed', attempts: 5 });

      down = false;
      const path = `/v1/webhooks/${hook.id}/deliveries/${failed!.id}/redeliver`;
      const response = await admin.post(path, {});
      expect(response.statusCode, response.body).toBe(202);
      expect(response.json().delivery).toMatchObject({ id: failed!.id, status: 'pending', attempts: 0 });
      expect(response.json().delivery.attemptLog).toHaveLength(5);

      const [delivered] = await settled(admin, hook.id, 1);
      expect(delivered).toMatchObject({ status: 'delivered', attempts: 1, payload: failed!.payload });
      expect(delivered!.attemptLog.map((a) => a.statusCode)).toEqual([503, 503, 503, 503, 503, 200]);
      expect(hooks.received).toHaveLength(6);
      const last = hooks.received.at(-1)!;
      expect(last.headers['webhook-id']).toBe(failed!.id);
      expect(verifies(hook.secret, last)).toBe(true);

      // A delivered one may be sent again too (a receiver that lost it); de-duplicated by webhook-id.
      expect((await admin.post(path, {})).statusCode).toBe(202);
      await eventually(async () => hooks.received.length === 7, 30_000, 25);
      expect(hooks.received.at(-1)!.headers['webhook-id']).toBe(failed!.id);
    });

    it('sends every failed delivery of a subscription again in one call, and no other', async () => {
      const { admin } = await createWorkspace(app);
      let down = true;
      const hooks = await receiver(() => (down ? 500 : 204));
      const hook = await subscribe(admin, hooks.url, ['allocation.completed']);
      const others = await receiver(() => 500);
      const other = await subscribe(admin, others.url, ['allocation.completed']);
      await allocate(admin);
      await allocate(admin);
      expect((await settled(admin, hook.id, 2)).map((d) => d.status)).toEqual(['failed', 'failed']);
      await settled(admin, other.id, 2);

      down = false;
      const path = `/v1/webhooks/${hook.id}/deliveries/redeliver`;
      const response = await admin.post(path, { status: 'failed' });
      expect(response.statusCode, response.body).toBe(202);
      expect(response.json()).toEqual({ redelivered: 2 });
      expect((await settled(admin, hook.id, 2)).map((d) => d.status)).toEqual(['delivered', 'delivered']);
      expect((await deliveriesOf(admin, other.id)).map((d) => d.status)).toEqual(['failed', 'failed']);
      expect((await admin.post(path, { status: 'failed' })).json()).toEqual({ redelivered: 0 });
      expectProblem(await admin.post(path, {}), 400, 'validation_failed');
    });

    it('refuses to redeliver a pending delivery (409), an erased one (410), and another subscription’s or workspace’s (404)', async () => {
      const { admin } = await createWorkspace(app);
      const hooks = await receiver(() => 503);
      const hook = await subscribe(admin, hooks.url, ['allocation.completed']);
      const sibling = await subscribe(admin, hooks.url, ['allocation.completed']);
      await allocate(admin);
      const [delivery] = await settled(admin, hook.id, 1);
      const path = `/v1/webhooks/${hook.id}/deliveries/${delivery!.id}/redeliver`;
      const row = eq(webhookDeliveries.id, delivery!.id);

      // Still scheduled: an hour from now.
      await t.database.db
        .update(webhookDeliveries)
        .set({ status: 'pending', nextAttemptAt: sql`now() + interval '1 hour'` })
        .where(row);
      const scheduled = await admin.post(path, {});
      expectProblem(scheduled, 409, 'conflict');
      // Once that attempt can have ended: the hour, and the attempt's 2 s timeout (webhookTestEnv).
      const retryAfter = Number(scheduled.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(3590);
      expect(retryAfter).toBeLessThanOrEqual(3602);
      // As a settled delivery is left once the candidate it named is erased (settleDelivery).
      await t.database.db.update(webhookDeliveries).set({ status: 'failed', payload: {} }).where(row);
      expectProblem(await admin.post(path, {}), 410, 'erased');
      const [after] = await deliveriesOf(admin, hook.id);
      expect(after).toMatchObject({ status: 'failed', attempts: 5 });

      // A URL the service would refuse now (as after WEBHOOK_ALLOW_INSECURE_URLS is turned off).
      await t.database.db.execute(
        sql`update webhook_subscriptions set url = 'ftp://127.0.0.1/hooks' where id = ${hook.id}`,
      );
      await t.database.db
        .update(webhookDeliveries)
        .set({ payload: { allocationId: 'x' } })
        .where(row);
      const refusedResponse = await admin.post(path, {});
      const refused = expectProblem(refusedResponse, 409, 'conflict');
      expect(refused.detail).toContain('no longer allowed');
      // Not a matter of waiting: no Retry-After.
      expect(refusedResponse.headers['retry-after']).toBeUndefined();
      expectProblem(
        await admin.post(`/v1/webhooks/${hook.id}/deliveries/redeliver`, { status: 'failed' }),
        409,
        'conflict',
      );
      expect((await deliveriesOf(admin, hook.id))[0]).toMatchObject({ status: 'failed', attempts: 5 });

      const stranger = await createWorkspace(app);
      expectProblem(await stranger.admin.post(path, {}), 404, 'not_found');
      expectProblem(
        await admin.post(`/v1/webhooks/${sibling.id}/deliveries/${delivery!.id}/redeliver`, {}),
        404,
        'not_found',
      );
      expectProblem(
        await stranger.admin.post(`/v1/webhooks/${hook.id}/deliveries/redeliver`, { status: 'failed' }),
        404,
        'not_found',
      );
    });

    it('records a receiver that does not answer in time as an error, and tries again', async () => {
      const { admin } = await createWorkspace(app);
      const hooks = await receiver((n) => (n === 0 ? 'hang' : 200));
      const hook = await subscribe(admin, hooks.url, ['allocation.completed']);
      await allocate(admin);
      const [delivery] = await settled(admin, hook.id, 1);
      expect(delivery!.status).toBe('delivered');
      expect(delivery!.attemptLog[0]).toMatchObject({ statusCode: null, error: noAnswer });
      expect(delivery!.attemptLog[1]).toMatchObject({ statusCode: 200, error: null });
    });

    it('records a refused connection in the same words as a timeout, so the log cannot scan ports', async () => {
      const { admin } = await createWorkspace(app);
      const closed = await startReceiver();
      await closed.close();
      const hook = await subscribe(admin, closed.url, ['allocation.completed']);
      await allocate(admin);
      await eventually(async () => {
        const [delivery] = await deliveriesOf(admin, hook.id);
        return (delivery?.attemptLog.length ?? 0) >= 1;
      });
      const [delivery] = await deliveriesOf(admin, hook.id);
      expect(delivery!.attemptLog[0]).toMatchObject({ statusCode: null, error: noAnswer });
    });

    it('still delivers an event whose worker died between claim and acknowledgement', async () => {
      const { admin, workspace } = await createWorkspace(app);
      const hooks = await receiver();
      const hook = await subscribe(admin, hooks.url, ['allocation.completed']);
      await app.webhookWorker.stop();
      try {
        await allocate(admin);
        // A worker claims the delivery and dies before it sends or settles anything.
        const claimed = await claimDueDeliveries(t.database.db, { limit: 10, leaseMs: 300 });
        const mine = claimed.filter((d) => d.url === hooks.url);
        expect(mine).toHaveLength(1);
        const [row] = await t.database.db
          .select()
          .from(webhookDeliveries)
          .where(eq(webhookDeliveries.id, mine[0]!.id));
        expect(row).toMatchObject({ status: 'pending', attempts: 1, workspaceId: workspace.id });
      } finally {
        app.webhookWorker.start();
      }
      const [delivery] = await settled(admin, hook.id, 1);
      expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
      expect(delivery!.attemptLog.map((a) => a.statusCode)).toEqual([204]);
      expect(hooks.received).toHaveLength(1);
    });

    // The real thing needs a second process on the same database, so a PostgreSQL server.
    if (kind === 'postgres') {
      it('delivers an event whose worker process was SIGKILLed mid-delivery, once its lease ends', async () => {
        const database = await createTestDatabase('postgres');
        const env = { ...webhookTestEnv, WEBHOOK_TIMEOUT_MS: '1000' };
        const other = await createTestApp({ database, env });
        let child: ChildProcess | undefined;
        try {
          await other.app.webhookWorker.stop();
          const hooks = await receiver((n) => {
            if (n > 0) return 200;
            child?.kill('SIGKILL');
            return 'hang';
          });
          const { admin } = await createWorkspace(other.app);
          const hook = await subscribe(admin, hooks.url, ['allocation.completed']);
          await allocate(admin);

          child = spawn(
            process.execPath,
            ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', 'src/server.ts'],
            {
              env: {
                ...process.env,
                ...env,
                DATABASE_URL: database.url,
                HOST: '127.0.0.1',
                PORT: '0',
                LOG_LEVEL: 'silent',
              },
              stdio: 'ignore',
            },
          );
          const [, signal] = await once(child, 'exit');
          expect(signal).toBe('SIGKILL');
          expect(hooks.received).toHaveLength(1);
          const [claimed] = await deliveriesOf(admin, hook.id);
          expect(claimed).toMatchObject({ status: 'pending', attempts: 1, attemptLog: [] });

          other.app.webhookWorker.start();
          let delivery: DeliveryView | undefined;
          await eventually(async () => {
            [delivery] = await deliveriesOf(admin, hook.id);
            return delivery?.status === 'delivered';
          }, 60_000);
          expect(delivery).toMatchObject({ attempts: 2, attemptLog: [{ statusCode: 200 }] });
          expect(hooks.received.map((r) => r.headers['webhook-id'])).toEqual([delivery!.id, delivery!.id]);
        } finally {
          child?.kill('SIGKILL');
          await other.close();
          await database.close();
        }
      }, 180_000);
    }

    it('tells subscribers of an erasure, then keeps no delivery that names the candidate', async () => {
      const m = await createMarket(app);
      const employer = await keyOf(app, m.adminKey, { role: 'employer', employerId: m.employer.id });
      const hooks = await receiver();
      const hook = await subscribe(m.admin, hooks.url, [
        'introduction.updated',
        'candidate.erased',
        'match.removed',
      ]);
      const path = `/v1/jobs/${m.job.id}/introductions/${m.ids.good}`;
      await express(employer, path);
      await settled(m.admin, hook.id, 1);
      // The job alerts: the erasure raises match.removed for the pair, which names the candidate.
      expect((await m.admin.put(`/v1/jobs/${m.job.id}/alert`, {})).statusCode).toBe(200);

      expect((await m.admin.delete(`/v1/candidates/${m.ids.good}`)).statusCode).toBe(204);
      const deliveries = await settled(m.admin, hook.id, 2);
      expect(deliveries.map((d) => [d.eventType, d.status]).sort()).toEqual([
        ['candidate.erased', 'delivered'],
        ['match.removed', 'delivered'],
      ]);
      expect(deliveries.map((d) => d.payload)).toEqual([{}, {}]);
      const sent = hooks.received.map((r) => JSON.parse(r.body) as { type: string; data: object });
      expect(sent.find((e) => e.type === 'candidate.erased')?.data).toEqual({ candidateId: m.ids.good });
      expect(sent.find((e) => e.type === 'match.removed')?.data).toMatchObject({
        jobId: m.job.id,
        candidateId: m.ids.good,
      });
      const rows = await t.database.db.execute(
        sql`select count(*)::int as n from webhook_deliveries d where d::text like ${`%${m.ids.good}%`}`,
      );
      expect(rowsOf<{ n: number }>(rows)[0]!.n).toBe(0);
    });

    it('keeps a given-up erasure notice whole, so that it can be redelivered, and blanks it once delivered', async () => {
      const { admin, adminKey } = await createWorkspace(app);
      let down = true;
      const hooks = await receiver(() => (down ? 503 : 204));
      const hook = await subscribe(admin, hooks.url, ['candidate.erased']);
      const candidate = await createCandidate(app, adminKey);
      expect((await admin.delete(`/v1/candidates/${candidate.id}`)).statusCode).toBe(204);
      const [failed] = await settled(admin, hook.id, 1);
      expect(failed).toMatchObject({ status: 'failed', payload: { candidateId: candidate.id } });

      down = false;
      const response = await admin.post(`/v1/webhooks/${hook.id}/deliveries/redeliver`, { status: 'failed' });
      expect(response.json()).toEqual({ redelivered: 1 });
      const [delivered] = await settled(admin, hook.id, 1);
      expect(delivered).toMatchObject({ status: 'delivered', payload: {} });
      expect(JSON.parse(hooks.received.at(-1)!.body).data).toEqual({ candidateId: candidate.id });
      // Delivered, it names no one: nothing left to send again.
      expectProblem(
        await admin.post(`/v1/webhooks/${hook.id}/deliveries/${delivered!.id}/redeliver`, {}),
        410,
        'erased',
      );
      const mentions = await tablesMentioning(t.database.db, candidate.id);
      expect(Object.entries(mentions).filter(([, n]) => n > 0)).toEqual([]);
    });

    it('keeps nothing that names an erased candidate who had no alerting job', async () => {
      const m = await createMarket(app);
      const employer = await keyOf(app, m.adminKey, { role: 'employer', employerId: m.employer.id });
      const hooks = await receiver();
      const hook = await subscribe(m.admin, hooks.url, ['introduction.updated', 'candidate.erased']);
      await express(employer, `/v1/jobs/${m.job.id}/introductions/${m.ids.good}`);
      await settled(m.admin, hook.id, 1);
      expect((await m.admin.delete(`/v1/candidates/${m.ids.good}`)).statusCode).toBe(204);
      const deliveries = await settled(m.admin, hook.id, 1);
      expect(deliveries.map((d) => [d.eventType, d.status, d.payload])).toEqual([
        ['candidate.erased', 'delivered', {}],
      ]);
      const mentions = await tablesMentioning(t.database.db, m.ids.good);
      expect(Object.entries(mentions).filter(([, n]) => n > 0)).toEqual([]);
    });
  });

  it('keeps contact details out of every payload', async () => {
    const { admin, adminKey } = await createWorkspace(app);
    const hooks = await receiver();
    const hook = await subscribe(admin, hooks.url, ['candidate.erased']);
    const email = uniqueEmail();
    const candidate = await createCandidate(app, adminKey, { contact: { name: 'Ada Erased', email } });
    expect((await admin.delete(`/v1/candidates/${candidate.id}`)).statusCode).toBe(204);
    await settled(admin, hook.id, 1);
    expect(hooks.received).toHaveLength(1);
    expect(hooks.received[0]!.body).not.toContain(email);
    expect(hooks.received[0]!.body).not.toContain('Ada Erased');
  });
});
