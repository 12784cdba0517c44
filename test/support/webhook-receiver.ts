import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, expect } from 'vitest';
import type { Caller } from './factories.ts';

/**
 * Fast retries for tests: a 20 ms poll, 20–200 ms back-off, 5 attempts, and a 2 s request deadline
 * (long enough that a busy machine's slow answer is not taken for no answer).
 */
export const webhookTestEnv = {
  WEBHOOK_ALLOW_INSECURE_URLS: 'true',
  WEBHOOK_POLL_MS: '20',
  WEBHOOK_TIMEOUT_MS: '2000',
  WEBHOOK_BACKOFF_BASE_MS: '20',
  WEBHOOK_BACKOFF_MAX_MS: '200',
  WEBHOOK_MAX_ATTEMPTS: '5',
};

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the receiver does with the n-th request (0-based): answer with a status, or never answer. */
export type Responder = (n: number, received: Received) => number | 'hang';

/** A real local HTTP server that records every webhook it gets and answers as told. */
export async function startReceiver(respond: Responder = () => 204) {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const answer = respond(received.length, entry);
      received.push(entry);
      if (answer !== 'hang') res.writeHead(answer).end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Starts receivers for the tests of the enclosing describe block and closes each test's after it.
 * Closing also ends the requests a receiver holds unanswered, so the worker can stop.
 */
export function useReceivers(): (respond?: Responder) => ReturnType<typeof startReceiver> {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((receiver) => receiver.close()));
  });
  return async (respond) => {
    const receiver = await startReceiver(respond);
    open.push(receiver);
    return receiver;
  };
}

/** Subscribes `url` to `eventTypes` and answers the subscription, with its secret (shown once). */
export async function subscribe(admin: Caller, url: string, eventTypes = ['allocation.completed']) {
  const response = await admin.post('/v1/webhooks', { url, eventTypes });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().webhook as { id: string; secret: string; url: string; eventTypes: string[] };
}

export interface WebhookEvent {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** The event a request carried, once its Standard Webhooks signature verifies with `secret`; throws if not. */
export function verified(secret: string, received: Received): WebhookEvent {
  return new Webhook(secret).verify(
    received.body,
    received.headers as Record<string, string>,
  ) as WebhookEvent;
}

/** Whether one of the request's signatures verifies with `secret`. */
export function verifies(secret: string, received: Received): boolean {
  try {
    verified(secret, received);
    return true;
  } catch {
    return false;
  }
}
