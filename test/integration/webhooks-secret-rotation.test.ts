import { eq, inArray, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKeys, webhookSubscriptions } from '../../src/db/schema.ts';
import { purgeRetainedRecords } from '../../src/retention.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { type Caller, createCandidate, createWorkspace, expectProblem } from '../support/factories.ts';
import { keyOf } from '../support/matching-factories.ts';
import {
  type Received,
  subscribe,
  useReceivers,
  verifies,
  webhookTestEnv,
} from '../support/webhook-receiver.ts';

interface Rotated {
  id: string;
  secret: string;
  secretRotatedAt: string | null;
  previousSecretValidUntil: string | null;
}

describe.each(availableDatabaseKinds())('webhook secret rotation on %s', (kind) => {
  let t: TestApp;
  let app: FastifyInstance;
  beforeAll(async () => {
    t = await createTestApp({ kind, env: webhookTestEnv });
    app = t.app;
    // Deliveries go out only when a test calls deliverDue: a delivery can wait in the queue while
    // the secret is rotated, and no test waits on the poll.
    await app.webhookWorker.stop();
  });
  afterAll(() => t.close());
  const receiver = useReceivers();

  /** A workspace with a subscription to allocation.completed on a real local receiver. */
  async function subscribed() {
    const workspace = await createWorkspace(app);
    const hooks = await receiver();
    const hook = await subscribe(workspace.admin, hooks.url);
    return { ...workspace, hooks, hook };
  }

  async function rotate(admin: Caller, id: string, body?: unknown) {
    const response = await admin.post(`/v1/webhooks/${id}/secret/rotate`, body);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().webhook as Rotated;
  }

  /** Queues one allocation.completed delivery. */
  async function allocate(admin: Caller) {
    const response = await admin.post('/v1/allocations', {
      candidates: [{ id: 'c1', preferences: ['j1'] }],
      jobs: [{ id: 'j1', capacity: 1, preferences: ['c1'] }],
    });
    expect(response.statusCode, response.body).toBe(201);
  }

  /** Sends what is due now and answers the request the receiver got. */
  async function deliveredTo(hooks: { received: Received[] }) {
    const before = hooks.received.length;
    expect(await app.webhookWorker.deliverDue()).toBe(1);
    expect(hooks.received).toHaveLength(before + 1);
    return hooks.received.at(-1)!;
  }

  const signatures = (r: Received) => String(r.headers['webhook-signature']).split(' ');

  /** Ends the previous secret's overlap now, as the clock would have at its end. */
  async function endOverlap(id: string) {
    await t.database.db
      .update(webhookSubscriptions)
      .set({ previousSecretExpiresAt: sql`now() - interval '1 second'` })
      .where(eq(webhookSubscriptions.id, id));
  }

  it('signs with the new and the old secret during the overlap, then with the new one only', async () => {
    const { admin, hooks, hook } = await subscribed();
    await allocate(admin); // queued before the rotation, sent after it

    const rotated = await rotate(admin, hook.id);
    expect(rotated.id).toBe(hook.id);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(hook.secret);
    const overlapMs = Date.parse(rotated.previousSecretValidUntil!) - Date.parse(rotated.secretRotatedAt!);
    expect(overlapMs).toBe(86_400_000);

    const during = await deliveredTo(hooks);
    expect(signatures(during)).toHaveLength(2);
    expect(signatures(during)[0]).toBe(
      new Webhook(rotated.secret).sign(
        String(during.headers['webhook-id']),
        new Date(Number(during.headers['webhook-timestamp']) * 1000),
        during.body,
      ),
    );
    expect(verifies(rotated.secret, during)).toBe(true);
    expect(verifies(hook.secret, during)).toBe(true);

    const shown = await admin.get(`/v1/webhooks/${hook.id}`);
    expect(shown.json().webhook).toMatchObject({
      secretRotatedAt: rotated.secretRotatedAt,
      previousSecretValidUntil: rotated.previousSecretValidUntil,
    });
    expect(shown.json().webhook).not.toHaveProperty('secret');
    for (const body of [shown.body, (await admin.get('/v1/webhooks')).body]) {
      expect(body).not.toContain(rotated.secret);
      expect(body).not.toContain(hook.secret);
    }

    await endOverlap(hook.id);
    await allocate(admin);
    const after = await deliveredTo(hooks);
    expect(signatures(after)).toHaveLength(1);
    expect(verifies(rotated.secret, after)).toBe(true);
    expect(verifies(hook.secret, after)).toBe(false);
  });

  it('forgets a previous secret once its overlap has ended, and still shows until when it was valid', async () => {
    const { admin, hook } = await subscribed();
    const during = await subscribed();
    const rotated = await rotate(admin, hook.id);
    await rotate(during.admin, during.hook.id);
    await endOverlap(hook.id);

    await purgeRetainedRecords(t.database.db, t.config);
    const kept = await t.database.db
      .select({ id: webhookSubscriptions.id, previousSecret: webhookSubscriptions.previousSecret })
      .from(webhookSubscriptions)
      .where(inArray(webhookSubscriptions.id, [hook.id, during.hook.id]));
    expect(Object.fromEntries(kept.map((row) => [row.id, row.previousSecret]))).toEqual({
      [hook.id]: null,
      [during.hook.id]: during.hook.secret,
    });
    const shown = (await admin.get(`/v1/webhooks/${hook.id}`)).json().webhook;
    expect(Date.parse(shown.previousSecretValidUntil)).toBeLessThan(
      Date.parse(rotated.previousSecretValidUntil!),
    );
  });

  it('revokes the old secret at once with overlapSeconds 0', async () => {
    const { admin, hooks, hook } = await subscribed();
    const rotated = await rotate(admin, hook.id, { overlapSeconds: 0 });
    expect(rotated.previousSecretValidUntil).toBeNull();
    expect(rotated.secretRotatedAt).not.toBeNull();

    await allocate(admin);
    const sent = await deliveredTo(hooks);
    expect(signatures(sent)).toHaveLength(1);
    expect(verifies(rotated.secret, sent)).toBe(true);
    expect(verifies(hook.secret, sent)).toBe(false);
  });

  it('keeps at most two secrets: a rotation within the overlap drops the oldest', async () => {
    const { admin, hooks, hook } = await subscribed();
    const second = await rotate(admin, hook.id, { overlapSeconds: 3600 });
    const third = await rotate(admin, hook.id, { overlapSeconds: 3600 });

    await allocate(admin);
    const sent = await deliveredTo(hooks);
    expect(signatures(sent)).toHaveLength(2);
    expect(verifies(third.secret, sent)).toBe(true);
    expect(verifies(second.secret, sent)).toBe(true);
    expect(verifies(hook.secret, sent)).toBe(false);
  });

  it('never repeats the new secret in an idempotent replay, and rotates once', async () => {
    const { admin, hooks, hook } = await subscribed();
    const path = `/v1/webhooks/${hook.id}/secret/rotate`;
    const first = await admin.post(path, { overlapSeconds: 0 }, { 'idempotency-key': 'rotate-1' });
    const replay = await admin.post(path, { overlapSeconds: 0 }, { 'idempotency-key': 'rotate-1' });
    expect(first.statusCode).toBe(200);
    expect(replay.statusCode).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).not.toContain(first.json().webhook.secret);
    // The rest of the answer is the first one's; the secret's place holds words, not a secret.
    expect(replay.json().webhook).toEqual({
      ...first.json().webhook,
      secret: '(shown once, when it was created)',
    });

    await allocate(admin);
    expect(verifies(first.json().webhook.secret, await deliveredTo(hooks))).toBe(true);
  });

  it('rotates again for a retry with the same Idempotency-Key once its 24 h have passed', async () => {
    const { admin, hooks, hook } = await subscribed();
    const path = `/v1/webhooks/${hook.id}/secret/rotate`;
    const first = (
      await admin.post(path, { overlapSeconds: 0 }, { 'idempotency-key': 'rotate-late' })
    ).json();
    await t.database.db
      .update(idempotencyKeys)
      .set({ createdAt: sql`now() - interval '25 hours'` })
      .where(eq(idempotencyKeys.key, 'rotate-late'));

    const late = await admin.post(path, { overlapSeconds: 0 }, { 'idempotency-key': 'rotate-late' });
    expect(late.statusCode, late.body).toBe(200);
    expect(late.headers['idempotent-replayed']).toBeUndefined();
    const second = late.json().webhook as Rotated;
    expect(second.secret).toMatch(/^whsec_/);
    expect(second.secret).not.toBe(first.webhook.secret);

    await allocate(admin);
    const sent = await deliveredTo(hooks);
    expect(verifies(second.secret, sent)).toBe(true);
    expect(verifies(first.webhook.secret, sent)).toBe(false);
  });

  it("keepPrevious replaces only a current secret whose answer was lost: the receivers' secret keeps signing", async () => {
    const { admin, hooks, hook } = await subscribed();
    const lost = await rotate(admin, hook.id, { overlapSeconds: 60 }); // its answer never arrived
    const again = await rotate(admin, hook.id, { keepPrevious: true, overlapSeconds: 3600 });
    expect(again.secret).not.toBe(lost.secret);
    // The overlap of the receivers' secret now lasts the hour asked for, not the minute before.
    expect(Date.parse(again.previousSecretValidUntil!) - Date.parse(again.secretRotatedAt!)).toBe(3_600_000);

    await allocate(admin);
    const sent = await deliveredTo(hooks);
    expect(signatures(sent)).toHaveLength(2);
    expect(verifies(hook.secret, sent)).toBe(true);
    expect(verifies(again.secret, sent)).toBe(true);
    expect(verifies(lost.secret, sent)).toBe(false);
  });

  it('keepPrevious never shortens the overlap of the previous secret', async () => {
    const { admin, hook } = await subscribed();
    const first = await rotate(admin, hook.id, { overlapSeconds: 7200 });
    const again = await rotate(admin, hook.id, { keepPrevious: true, overlapSeconds: 0 });
    expect(again.previousSecretValidUntil).toBe(first.previousSecretValidUntil);
  });

  it('keepPrevious answers 409 when no previous secret signs now, and rotates nothing', async () => {
    const { admin, hooks, hook } = await subscribed();
    const path = `/v1/webhooks/${hook.id}/secret/rotate`;
    const never = expectProblem(await admin.post(path, { keepPrevious: true }), 409, 'conflict');
    expect(never.detail).toContain('keepPrevious');
    const rotated = await rotate(admin, hook.id);
    await endOverlap(hook.id);
    expectProblem(await admin.post(path, { keepPrevious: true }), 409, 'conflict');

    const other = await createWorkspace(app);
    expectProblem(await other.admin.post(path, { keepPrevious: true }), 404, 'not_found');
    await allocate(admin);
    const sent = await deliveredTo(hooks);
    expect(signatures(sent)).toHaveLength(1);
    expect(verifies(rotated.secret, sent)).toBe(true);
  });

  it("answers 404 for another workspace's subscription, an unknown one, or a non-admin key, and rotates nothing", async () => {
    const { admin, adminKey, hooks, hook } = await subscribed();
    const other = await createWorkspace(app);
    const candidate = await createCandidate(app, adminKey);
    const candidateKey = await keyOf(app, adminKey, { role: 'candidate', candidateId: candidate.id });
    const path = `/v1/webhooks/${hook.id}/secret/rotate`;
    expectProblem(await other.admin.post(path, {}), 404, 'not_found');
    expectProblem(await candidateKey.post(path, {}), 404, 'not_found');
    expectProblem(
      await admin.post('/v1/webhooks/00000000-0000-4000-8000-000000000000/secret/rotate', {}),
      404,
      'not_found',
    );

    expect((await admin.get(`/v1/webhooks/${hook.id}`)).json().webhook.secretRotatedAt).toBeNull();
    await allocate(admin);
    const sent = await deliveredTo(hooks);
    expect(signatures(sent)).toHaveLength(1);
    expect(verifies(hook.secret, sent)).toBe(true);
  });

  it.each([
    [{ overlapSeconds: -1 }, 'body.overlapSeconds'],
    [{ overlapSeconds: 604_801 }, 'body.overlapSeconds'],
    [{ overlapSeconds: 1.5 }, 'body.overlapSeconds'],
    [{ overlapSeconds: '60' }, 'body.overlapSeconds'],
    [{ overlap: 60 }, 'body'],
    [{ keepPrevious: 'yes' }, 'body.keepPrevious'],
  ])('refuses the body %j with a problem naming %s, and rotates nothing', async (body, path) => {
    const { admin, hook } = await subscribed();
    const problem = expectProblem(
      await admin.post(`/v1/webhooks/${hook.id}/secret/rotate`, body),
      400,
      'validation_failed',
    );
    expect(problem.errors?.map((e) => e.path)).toContain(path);
    if (path === 'body') expect(JSON.stringify(problem.errors)).toContain('overlap');
    expect((await admin.get(`/v1/webhooks/${hook.id}`)).json().webhook.secretRotatedAt).toBeNull();
  });
});
