import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireRole } from '../auth/plugin.ts';
import type { Db } from '../db/client.ts';
import { AppError, notFound, problemSchema } from '../http/errors.ts';
import { decodeCursor, listOf, pageQuery, toPage } from '../http/pagination.ts';
import { idParam } from '../http/params.ts';
import {
  deleteSubscription,
  findSubscription,
  insertSubscription,
  listDeliveries,
  listSubscriptions,
  redeliver,
  redeliverFailed,
} from './repository.ts';
import {
  deliveryList,
  deliveryListQuery,
  deliveryParams,
  deliveryResponse,
  redeliveredCount,
  redeliverFailedBody,
  webhookCreate,
  webhookCreated,
  webhookList,
  webhookResponse,
} from './schemas.ts';
import { newWebhookSecret } from './signing.ts';
import { urlProblem } from './url-guard.ts';

const tags = ['webhooks'];
const errors = { 400: problemSchema, 404: problemSchema };

export const webhookRoutes: FastifyPluginAsyncZod<{
  db: Db;
  allowInsecureUrls: boolean;
  /** WEBHOOK_TIMEOUT_MS: how long an attempt may take, for a pending delivery's Retry-After */
  timeoutMs: number;
}> = async (app, { db, allowInsecureUrls, timeoutMs }) => {
  app.post(
    '/v1/webhooks',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'createWebhook',
        tags,
        summary: 'Subscribe a URL to events; the signing secret is shown once',
        body: webhookCreate,
        response: { 201: webhookCreated, ...errors },
      },
    },
    async (request, reply) => {
      const { workspaceId } = requireRole(request, 'admin');
      const { url, eventTypes, description } = request.body;
      const problem = urlProblem(url, allowInsecureUrls);
      if (problem) {
        throw new AppError('validation_failed', `The webhook URL ${problem}.`, {
          errors: [{ path: 'body.url', message: problem }],
        });
      }
      const secret = newWebhookSecret();
      const webhook = await insertSubscription(db, {
        workspaceId,
        url,
        eventTypes,
        description: description ?? null,
        secret,
      });
      return reply.code(201).send({ webhook: { ...webhook, secret } });
    },
  );

  app.get(
    '/v1/webhooks',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'listWebhooks',
        tags,
        summary: "The workspace's webhook subscriptions (never their secrets)",
        querystring: z.strictObject(pageQuery),
        response: { 200: webhookList, ...errors },
      },
    },
    async (request) => {
      const { workspaceId } = requireRole(request, 'admin');
      const { limit, cursor } = request.query;
      const list = listOf('/v1/webhooks', { workspaceId });
      const rows = await listSubscriptions(db, workspaceId, { limit, after: decodeCursor(cursor, list) });
      const { items, nextCursor } = toPage(rows, limit, list);
      return { webhooks: items, nextCursor };
    },
  );

  app.get(
    '/v1/webhooks/:id',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'getWebhook',
        tags,
        summary: 'One webhook subscription',
        params: idParam,
        response: { 200: webhookResponse, ...errors },
      },
    },
    async (request) => {
      const { workspaceId } = requireRole(request, 'admin');
      const webhook = await findSubscription(db, workspaceId, request.params.id);
      if (!webhook) throw notFound(`Webhook ${request.params.id}`);
      return { webhook };
    },
  );

  app.delete(
    '/v1/webhooks/:id',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'deleteWebhook',
        tags,
        summary: 'Unsubscribe: pending deliveries are dropped with the delivery log',
        params: idParam,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { workspaceId } = requireRole(request, 'admin');
      const deleted = await deleteSubscription(db, workspaceId, request.params.id);
      if (!deleted) throw notFound(`Webhook ${request.params.id}`);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/webhooks/:id/deliveries',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'listWebhookDeliveries',
        tags,
        summary: 'The delivery log: every event sent to this subscription and every attempt, newest first',
        params: idParam,
        querystring: deliveryListQuery,
        response: { 200: deliveryList, ...errors },
      },
    },
    async (request) => {
      const { workspaceId } = requireRole(request, 'admin');
      const webhook = await findSubscription(db, workspaceId, request.params.id);
      if (!webhook) throw notFound(`Webhook ${request.params.id}`);
      const { limit, cursor, status } = request.query;
      const list = listOf('/v1/webhooks/:id/deliveries', { workspaceId, id: webhook.id, status });
      const rows = await listDeliveries(
        db,
        webhook.id,
        { status },
        { limit, after: decodeCursor(cursor, list) },
      );
      const { items, nextCursor } = toPage(rows, limit, list);
      return {
        deliveries: items.map((d) => ({
          ...d,
          nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
        })),
        nextCursor,
      };
    },
  );

  /**
   * The subscription, if its URL would still be taken: one refused since (the operator turned
   * WEBHOOK_ALLOW_INSECURE_URLS off) would only fail every attempt again, each logged as a retry.
   */
  async function redeliverable(workspaceId: string, id: string) {
    const webhook = await findSubscription(db, workspaceId, id);
    if (!webhook) throw notFound(`Webhook ${id}`);
    const problem = urlProblem(webhook.url, allowInsecureUrls);
    if (problem) {
      throw new AppError(
        'conflict',
        `Webhook ${id}'s URL is no longer allowed: it ${problem}. Subscribe a URL that is, then delete this one.`,
      );
    }
    return webhook;
  }

  /**
   * When a pending delivery can have settled: its next attempt (or, while one is in flight, the end
   * of that attempt's lease) plus the time an attempt may take. Never under a second.
   */
  async function secondsUntilSettled(webhookId: string, deliveryId: string): Promise<number> {
    const [delivery] = await listDeliveries(db, webhookId, { id: deliveryId }, { limit: 1 });
    const untilAttempt = Math.max(0, (delivery?.nextAttemptAt?.getTime() ?? 0) - Date.now());
    return Math.max(1, Math.ceil((untilAttempt + timeoutMs) / 1000));
  }

  app.post(
    '/v1/webhooks/:id/deliveries/:deliveryId/redeliver',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'redeliverWebhookDelivery',
        tags,
        summary:
          'Send a delivered or failed delivery again, now, as a new series of attempts (same webhook-id)',
        description:
          'A delivery still pending answers 409 with Retry-After: the seconds until its next attempt (or the one in flight) can have ended.',
        params: deliveryParams,
        response: { 202: deliveryResponse, ...errors, 409: problemSchema, 410: problemSchema },
      },
    },
    async (request, reply) => {
      const { workspaceId } = requireRole(request, 'admin');
      const { id, deliveryId } = request.params;
      const webhook = await redeliverable(workspaceId, id);
      const outcome = await redeliver(db, webhook.id, deliveryId);
      if (outcome === 'missing') throw notFound(`Delivery ${deliveryId} of webhook ${id}`);
      if (outcome === 'pending') {
        reply.header('retry-after', String(await secondsUntilSettled(webhook.id, deliveryId)));
        throw new AppError(
          'conflict',
          `Delivery ${deliveryId} is still pending: its next attempt is scheduled; redeliver it once it is delivered or failed.`,
        );
      }
      if (outcome === 'erased') {
        throw new AppError(
          'erased',
          `Delivery ${deliveryId} named a candidate who has been erased since; nothing of it is left to send.`,
        );
      }
      const [delivery] = await listDeliveries(db, webhook.id, { id: deliveryId }, { limit: 1 });
      return reply.code(202).send({ delivery: delivery! });
    },
  );

  app.post(
    '/v1/webhooks/:id/deliveries/redeliver',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'redeliverFailedWebhookDeliveries',
        tags,
        summary: "Send every failed delivery of a subscription again (after a receiver's outage)",
        params: idParam,
        body: redeliverFailedBody,
        response: { 202: redeliveredCount, ...errors, 409: problemSchema },
      },
    },
    async (request, reply) => {
      const { workspaceId } = requireRole(request, 'admin');
      const webhook = await redeliverable(workspaceId, request.params.id);
      return reply.code(202).send({ redelivered: await redeliverFailed(db, webhook.id) });
    },
  );
};
