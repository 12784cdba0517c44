import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/client.ts';
import { outageLog } from '../db/faults.ts';
import { type BackoffPolicy, retryDelayMs } from './backoff.ts';
import {
  type ClaimedDelivery,
  claimDueDeliveries,
  countPendingDeliveries,
  type Outcome,
  settleDelivery,
} from './repository.ts';
import { postWebhook, type Send } from './send.ts';
import { signedMessage } from './signing.ts';

export interface WorkerOptions {
  pollMs: number;
  timeoutMs: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  allowInsecure: boolean;
  /** deliveries claimed (and sent concurrently) per round; default 16 */
  batchSize?: number;
}

/**
 * Sends outbox deliveries: claims due ones, posts them signed, and settles each by its answer.
 * Any number of workers (one per process) can run against one database. A delivery is marked
 * delivered only after a 2xx, so a worker that dies mid-way leaves it to be claimed again once
 * its lease ends: at least once, never lost.
 */
export class WebhookWorker {
  private readonly db: Db;
  private readonly log: FastifyBaseLogger;
  private readonly options: WorkerOptions;
  private readonly batchSize: number;
  private readonly send: Send;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopped = true;
  private readonly rounds: ReturnType<typeof outageLog>;
  /** Told the outcome of every delivery attempt this worker makes. */
  onAttempt: ((outcome: Outcome['kind']) => void) | undefined;

  constructor(db: Db, log: FastifyBaseLogger, options: WorkerOptions, send: Send = postWebhook) {
    this.db = db;
    this.log = log;
    this.options = options;
    this.batchSize = options.batchSize ?? 16;
    this.send = send;
    this.rounds = outageLog(log, 'webhook delivery round');
  }

  /** How long a claim holds: the request's deadline with room to record its outcome. */
  get leaseMs(): number {
    return this.options.timeoutMs * 3;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops claiming and waits for the deliveries in flight to settle. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
  }

  /** One round: claims what is due and delivers it; returns how many were claimed. */
  async deliverDue(): Promise<number> {
    const claimed = await claimDueDeliveries(this.db, { limit: this.batchSize, leaseMs: this.leaseMs });
    // Every delivery settles (or fails to) before the round ends, so stop() waits for all of them;
    // one that could not be recorded is claimed again when its lease ends.
    const results = await Promise.allSettled(claimed.map((delivery) => this.deliver(delivery)));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    return claimed.length;
  }

  /** Deliveries waiting to be sent (due or backing off), counted up to `cap`. */
  pendingCount(cap: number): Promise<number> {
    return countPendingDeliveries(this.db, cap);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.deliverDue()
        // A full batch means more may be due: go again at once.
        .then((claimed) => {
          this.rounds.succeeded();
          this.schedule(claimed === this.batchSize ? 0 : this.options.pollMs);
        })
        // The database may be away: log it once, keep polling (the pool reconnects by itself).
        .catch((err) => {
          this.rounds.failed(err);
          this.schedule(this.options.pollMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const message = signedMessage(
      delivery.secret,
      { id: delivery.id, type: delivery.eventType, occurredAt: delivery.createdAt, data: delivery.payload },
      new Date(),
    );
    const started = performance.now();
    const result = await this.send(delivery.url, message, {
      timeoutMs: this.options.timeoutMs,
      allowInsecure: this.options.allowInsecure,
    });
    const durationMs = performance.now() - started;
    const ok = result.statusCode !== undefined && result.statusCode >= 200 && result.statusCode < 300;
    const outcome: Outcome = ok
      ? { kind: 'delivered' }
      : delivery.attempts >= this.options.maxAttempts
        ? { kind: 'failed' }
        : {
            kind: 'retry',
            delayMs: retryDelayMs(delivery.attempts, this.options.backoff, result.retryAfterMs),
          };
    this.log.info(
      {
        deliveryId: delivery.id,
        eventType: delivery.eventType,
        statusCode: result.statusCode,
        cause: result.cause,
        outcome: outcome.kind,
      },
      'webhook attempt',
    );
    this.onAttempt?.(outcome.kind);
    await settleDelivery(this.db, delivery, { ...result, durationMs }, outcome);
  }
}
