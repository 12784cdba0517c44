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

/** Requests in flight to one subscription at most, per worker: a receiver that hangs holds no more slots. */
export const SENDING_PER_SUBSCRIPTION = 4;

/**
 * Sends outbox deliveries: claims due ones, posts them signed, and settles each by its answer.
 * Any number of workers (one per process) can run against one database. A delivery is marked
 * delivered only after a 2xx, so a worker that dies mid-way leaves it to be claimed again once
 * its lease ends: at least once, never lost. Up to `batchSize` requests are in flight at once,
 * at most SENDING_PER_SUBSCRIPTION of them to one subscription, and a slot is filled again as
 * soon as it frees: a receiver that answers slowly, or not at all, delays only its own deliveries.
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
  /** A claim is running; `claimAgain`: a slot freed meanwhile, so claim again once it ends. */
  private claiming = false;
  private claimAgain = false;
  /** Requests in flight, and how many of them go to each subscription. */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly sending = new Map<string, number>();
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
    await Promise.allSettled(this.inFlight);
  }

  /** One round: claims what is due and delivers it; returns how many were claimed. */
  async deliverDue(): Promise<number> {
    const sends = await this.claimAndSend();
    const results = await Promise.allSettled(sends);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    return sends.length;
  }

  /** Deliveries waiting to be sent (due or backing off), counted up to `cap`. */
  pendingCount(cap: number): Promise<number> {
    return countPendingDeliveries(this.db, cap);
  }

  /** Claims what is due, as many as there are free slots, and starts sending each. */
  private async claimAndSend(): Promise<Promise<void>[]> {
    const free = this.batchSize - this.inFlight.size;
    if (free <= 0) return [];
    const claimed = await claimDueDeliveries(this.db, {
      limit: free,
      leaseMs: this.leaseMs,
      sending: this.sending,
      perSubscription: SENDING_PER_SUBSCRIPTION,
    });
    return claimed.map((delivery) => this.track(delivery));
  }

  /** Sends one delivery, counted in flight until it settles; a freed slot is filled again at once. */
  private track(delivery: ClaimedDelivery): Promise<void> {
    const { subscriptionId } = delivery;
    this.sending.set(subscriptionId, (this.sending.get(subscriptionId) ?? 0) + 1);
    const sent = this.deliver(delivery).finally(() => {
      this.inFlight.delete(sent);
      const left = this.sending.get(subscriptionId)! - 1;
      if (left === 0) this.sending.delete(subscriptionId);
      else this.sending.set(subscriptionId, left);
      this.wake();
    });
    this.inFlight.add(sent);
    return sent;
  }

  /** Claims again now rather than at the next poll (a slot freed). */
  private wake(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    clearTimeout(this.timer);
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.claiming = true;
      this.claimAgain = false;
      this.round = this.claimAndSend()
        .then((sends) => {
          this.rounds.succeeded();
          // A delivery that could not be recorded (the database away) is claimed again when its lease ends.
          for (const sent of sends) sent.catch((err) => this.rounds.failed(err));
          // Something was claimed and slots are left: more may be due for other subscriptions.
          const more = this.claimAgain || (sends.length > 0 && this.inFlight.size < this.batchSize);
          this.claiming = false;
          this.schedule(more ? 0 : this.options.pollMs);
        })
        // The database may be away: log it once, keep polling (the pool reconnects by itself).
        .catch((err) => {
          this.rounds.failed(err);
          this.claiming = false;
          this.schedule(this.options.pollMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const message = signedMessage(
      delivery.secrets,
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
