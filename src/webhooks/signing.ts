import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The body and headers of one delivery attempt, signed per the Standard Webhooks scheme with each
 * secret, newest first: during a rotation's overlap `webhook-signature` carries `v1,<new> v1,<old>`
 * (space-separated, as the scheme allows), and a receiver holding either secret accepts it.
 */
export function signedMessage(
  secrets: readonly [string, ...string[]],
  message: { id: string; type: string; occurredAt: Date; data: Record<string, unknown> },
  now: Date,
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({
    type: message.type,
    timestamp: message.occurredAt.toISOString(),
    data: message.data,
  });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': message.id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(message.id, now, body)).join(' '),
    },
  };
}
