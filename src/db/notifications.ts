import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import type { Database } from './client.ts';
import { backoffMs } from './faults.ts';

type Handler = (payload: string | undefined) => void;
/** Told `false` as soon as notifications may be missed, `true` once every channel listens again. */
type StateHandler = (listening: boolean) => void;

/**
 * One LISTEN connection per process for every channel (the change feed, credential revocations).
 * On PostgreSQL it is a connection of its own, outside the pool (a pool cannot end while a client
 * is checked out); when it is lost it is opened again with back-off. Subscribers hear when it is
 * lost and when it listens again, since whatever was notified in between is gone for good.
 * PGlite delivers in-process and never loses its notifications.
 */
export class Notifications {
  readonly #database: Database;
  readonly #log: FastifyBaseLogger;
  readonly #handlers = new Map<string, Handler>();
  readonly #stateHandlers: StateHandler[] = [];
  #client: pg.Client | undefined;
  #retry: NodeJS.Timeout | undefined;
  #unlistenPglite: (() => Promise<void>)[] = [];
  #stopped = false;
  #listening = false;

  constructor(database: Database, log: FastifyBaseLogger) {
    this.#database = database;
    this.#log = log;
  }

  /** Subscribes to a channel; call before `start`. */
  on(channel: string, handler: Handler): void {
    this.#handlers.set(channel, handler);
  }

  onState(handler: StateHandler): void {
    this.#stateHandlers.push(handler);
  }

  /** Whether every channel is listened to right now (nothing notified now can be missed). */
  get listening(): boolean {
    return this.#listening;
  }

  /** Listens on every subscribed channel; throws when the first connection cannot be made. */
  async start(): Promise<void> {
    const database = this.#database;
    if (database.kind === 'pglite') {
      for (const [channel, handler] of this.#handlers)
        this.#unlistenPglite.push(await database.client.listen(channel, handler));
      this.#setListening(true);
      return;
    }
    await this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#setListening(false);
    clearTimeout(this.#retry);
    for (const unlisten of this.#unlistenPglite.splice(0)) await unlisten().catch(() => {});
    const last = this.#client;
    this.#client = undefined;
    await last?.end().catch(() => {});
  }

  #setListening(listening: boolean): void {
    if (this.#listening === listening) return;
    this.#listening = listening;
    for (const handler of this.#stateHandlers) handler(listening);
  }

  async #connect(): Promise<void> {
    if (this.#database.kind !== 'postgres') return;
    const next = new pg.Client(this.#database.pool.options);
    const onLost = (err?: Error) => {
      if (this.#client !== next) return;
      this.#client = undefined;
      this.#setListening(false);
      next.end().catch(() => {});
      if (this.#stopped) return;
      this.#log.warn({ err }, 'LISTEN connection lost; reconnecting');
      this.#reconnect(0);
    };
    next.on('error', onLost);
    next.on('end', () => onLost());
    next.on('notification', (message) => this.#handlers.get(message.channel)?.(message.payload));
    try {
      await next.connect();
      for (const channel of this.#handlers.keys()) await next.query(`LISTEN ${channel}`);
    } catch (err) {
      await next.end().catch(() => {});
      throw err;
    }
    if (this.#stopped) {
      await next.end();
      return;
    }
    this.#client = next;
    this.#setListening(true);
  }

  #reconnect(attempt: number): void {
    this.#retry = setTimeout(() => {
      this.#connect().then(
        () => this.#log.info({ attempts: attempt + 1 }, 'LISTEN connection restored'),
        (err) => {
          if (this.#stopped) return;
          this.#log.debug({ err, attempt }, 'LISTEN connection not restored yet');
          this.#reconnect(attempt + 1);
        },
      );
    }, backoffMs(attempt));
    this.#retry.unref();
  }
}
