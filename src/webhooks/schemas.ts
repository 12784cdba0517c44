import { z } from 'zod';
import { MAX_WEBHOOK_ATTEMPTS } from '../config.ts';
import { nextCursorField, pageOf, pageQuery } from '../http/pagination.ts';
import { distinct } from '../http/schema-parts.ts';
import { eventTypes } from './events.ts';

/** The attempts a delivery's log shows: its latest, oldest first (redeliveries add series). */
export const ATTEMPT_LOG_LIMIT = 100;

/** A stored event type (one of the events listed in the README). */
const eventType = z.string().max(64);
const url = z.string().max(2000).meta({ format: 'uri' });

export const webhookCreate = z
  .strictObject({
    url: url.min(1).describe('Where events are POSTed: https, public address'),
    eventTypes: distinct(
      z.array(z.enum(eventTypes)).min(1).max(eventTypes.length),
      'must not repeat an event type',
    ).describe('The events to receive'),
    description: z.string().trim().max(500).optional(),
  })
  .meta({ id: 'WebhookCreate' });

export const webhook = z
  .object({
    id: z.uuid(),
    url,
    eventTypes: z.array(eventType).max(eventTypes.length),
    description: z.string().max(500).nullable(),
    createdAt: z.date(),
    secretRotatedAt: z.date().nullable().describe('When the signing secret was last rotated; null if never'),
    previousSecretValidUntil: z
      .date()
      .nullable()
      .describe(
        'Until when the secret before the latest rotation still signs deliveries beside the current one (past: no longer); null when that rotation revoked it at once, or there was none',
      ),
  })
  .meta({ id: 'Webhook' });

export const webhookCreated = z.object({
  webhook: webhook.extend({
    secret: z
      .string()
      .max(100)
      .describe(
        'Standard Webhooks signing secret (whsec_…). Shown only in this answer; keep it. An idempotent replay of the answer (idempotent-replayed: true) holds "(shown once, when it was created)" instead.',
      ),
  }),
});

/** The longest overlap a rotation allows: 7 days. */
export const MAX_SECRET_OVERLAP_SECONDS = 604_800;
export const DEFAULT_SECRET_OVERLAP_SECONDS = 86_400;

export const secretRotation = z
  .strictObject({
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_SECRET_OVERLAP_SECONDS)
      .default(DEFAULT_SECRET_OVERLAP_SECONDS)
      .describe(
        'How long the replaced secret keeps signing beside the new one, in seconds (0 to 604800; default 86400). 0 revokes it at once.',
      ),
    keepPrevious: z
      .boolean()
      .default(false)
      .describe(
        "Replace only the current secret and keep the previous one signing (its overlap lasts at least overlapSeconds from now): for when the last rotation's answer was lost, so no receiver holds the current secret. 409 conflict when no previous secret signs now.",
      ),
  })
  .meta({ id: 'WebhookSecretRotation' });
/** Like creation's answer: the new secret is shown only then. */
export const secretRotated = webhookCreated;

export const webhookResponse = z.object({ webhook });
export const webhookList = z.object({ webhooks: pageOf(webhook), nextCursor: nextCursorField });

export const deliveryListQuery = z.strictObject({
  ...pageQuery,
  status: z.enum(['pending', 'delivered', 'failed']).optional().describe('Only deliveries in this state'),
});

const attempt = z.object({
  attemptedAt: z.date(),
  statusCode: z
    .number()
    .int()
    .min(100)
    .max(999)
    .nullable()
    .describe("The receiver's HTTP status, null when it did not answer"),
  error: z.string().max(500).nullable().describe('Why there was no answer (timeout, refused connection…)'),
  durationMs: z.number().int().min(0),
});

export const delivery = z
  .object({
    id: z.uuid().describe('Sent as webhook-id; the same on every retry, for de-duplication'),
    eventType,
    payload: z.record(z.string().max(64), z.unknown()).describe('The event data (ids only)'),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z
      .number()
      .int()
      .min(0)
      .max(MAX_WEBHOOK_ATTEMPTS)
      .describe('Attempts in the current series: a redelivery starts a new one (the log keeps the earlier)'),
    nextAttemptAt: z.date().nullable().describe('When the next attempt is due; null once settled'),
    finishedAt: z.date().nullable(),
    createdAt: z.date(),
    attemptLog: z
      .array(attempt)
      .max(ATTEMPT_LOG_LIMIT)
      .describe(`Every attempt, oldest first (the latest ${ATTEMPT_LOG_LIMIT})`),
  })
  .meta({ id: 'WebhookDelivery' });

export const deliveryList = z.object({ deliveries: pageOf(delivery), nextCursor: nextCursorField });

export const deliveryParams = z.object({
  id: z.uuid().describe('The webhook subscription'),
  deliveryId: z.uuid().describe('The delivery (its webhook-id)'),
});
export const deliveryResponse = z.object({ delivery });

export const redeliverFailedBody = z
  .strictObject({
    status: z.literal('failed').describe('Which settled deliveries to send again: every failed one'),
  })
  .meta({ id: 'RedeliverFailed' });
export const redeliveredCount = z.object({
  redelivered: z
    .number()
    .int()
    .min(0)
    .describe('Failed deliveries scheduled again, each as a new series of attempts'),
});
