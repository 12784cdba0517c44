import { z } from 'zod';
import { nextCursorField, pageQuery } from '../http/pagination.ts';
import { eventTypes } from './events.ts';

export const webhookCreate = z
  .strictObject({
    url: z.string().min(1).max(2000).describe('Where events are POSTed: https, public address'),
    eventTypes: z
      .array(z.enum(eventTypes))
      .min(1)
      .refine((types) => new Set(types).size === types.length, { message: 'must not repeat an event type' })
      .describe('The events to receive'),
    description: z.string().max(500).optional(),
  })
  .meta({ id: 'WebhookCreate' });

export const webhook = z
  .object({
    id: z.uuid(),
    url: z.string(),
    eventTypes: z.array(z.string()),
    description: z.string().nullable(),
    createdAt: z.date(),
  })
  .meta({ id: 'Webhook' });

export const webhookCreated = z.object({
  webhook: webhook.extend({
    secret: z
      .string()
      .describe('Standard Webhooks signing secret (whsec_…). Shown only in this answer; keep it.'),
  }),
});

export const webhookResponse = z.object({ webhook });
export const webhookList = z.object({ webhooks: z.array(webhook), nextCursor: nextCursorField });

export const deliveryListQuery = z.strictObject({
  ...pageQuery,
  status: z.enum(['pending', 'delivered', 'failed']).optional().describe('Only deliveries in this state'),
});

const attempt = z.object({
  attemptedAt: z.date(),
  statusCode: z.number().int().nullable().describe("The receiver's HTTP status, null when it did not answer"),
  error: z.string().nullable().describe('Why there was no answer (timeout, refused connection…)'),
  durationMs: z.number().int(),
});

export const delivery = z
  .object({
    id: z.uuid().describe('Sent as webhook-id; the same on every retry, for de-duplication'),
    eventType: z.string(),
    payload: z.record(z.string(), z.unknown()).describe('The event data (ids only)'),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    nextAttemptAt: z.date().nullable().describe('When the next attempt is due; null once settled'),
    finishedAt: z.date().nullable(),
    createdAt: z.date(),
    attemptLog: z.array(attempt),
  })
  .meta({ id: 'WebhookDelivery' });

export const deliveryList = z.object({ deliveries: z.array(delivery), nextCursor: nextCursorField });
