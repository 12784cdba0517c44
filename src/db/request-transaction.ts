import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db, Tx } from './client.ts';

interface Scope {
  tx: Tx | undefined;
  afterCommit: (() => Promise<void>)[];
  /** keys already seen by `firstInRequestTransaction` */
  seen: Set<string>;
  /** maps handed out by `requestTransactionMap` */
  maps: Map<string, Map<string, unknown>>;
}

const scopes = new AsyncLocalStorage<Scope>();

/**
 * The `db` the app hands around: inside a request that holds a transaction (see
 * `holdTransaction`), every query — the routes', the repositories', nested `transaction()`s as
 * savepoints — runs in that transaction; everywhere else it is the plain pool or PGlite
 * (with `transaction` in place of the driver's own, when given).
 */
export function requestScoped(db: Db, transaction?: Db['transaction']): Db {
  return new Proxy(db, {
    get(target, property) {
      const tx = scopes.getStore()?.tx;
      if (!tx && property === 'transaction' && transaction) return transaction;
      const base = tx ?? target;
      const value = Reflect.get(base, property, base);
      return typeof value === 'function' ? value.bind(base) : value;
    },
  });
}

/**
 * Defers work that must see the request's writes committed (re-reading them into the match
 * index) until its transaction commits, and drops it if it rolls back. Returns false, doing
 * nothing, where no request transaction is open: then the caller runs the work itself.
 */
export function deferUntilCommit(work: () => Promise<void>): boolean {
  const scope = scopes.getStore();
  if (!scope?.tx) return false;
  scope.afterCommit.push(work);
  return true;
}

/**
 * False when `key` was already passed in the request transaction that is open (work done once per
 * transaction, such as an alert evaluation's catch-up, which must not read the transaction's own
 * uncommitted writes); true the first time, and always where none is open.
 */
export function firstInRequestTransaction(key: string): boolean {
  const scope = scopes.getStore();
  if (!scope?.tx) return true;
  if (scope.seen.has(key)) return false;
  scope.seen.add(key);
  return true;
}

/** Whether a request transaction is open here (every query then runs on its one connection). */
export function inRequestTransaction(): boolean {
  return scopes.getStore()?.tx !== undefined;
}

/**
 * A map that lives as long as the request transaction that is open, by `key`; undefined where none
 * is open. For what a request's earlier steps wrote that later steps must know before it commits
 * (alerts: the profiles an earlier bulk batch of the request changed).
 */
export function requestTransactionMap<V>(key: string): Map<string, V> | undefined {
  const scope = scopes.getStore();
  if (!scope?.tx) return undefined;
  let map = scope.maps.get(key);
  if (!map) {
    map = new Map();
    scope.maps.set(key, map);
  }
  return map as Map<string, V>;
}

export interface HeldTransaction {
  readonly tx: Tx;
  /** Runs `next` (the rest of the request) inside the transaction's scope. */
  enter(next: () => void): void;
  /** Commits; throws when the commit fails (then nothing was written). Then runs the deferred work. */
  commit(onDeferredError: (err: unknown) => void): Promise<void>;
  /** Rolls back (no-op once finished); never throws. */
  rollback(): Promise<void>;
}

/**
 * Opens a transaction that stays open until `commit` or `rollback` is called, so a request can
 * run its handler in it and commit together with what it records about the request.
 */
export function holdTransaction(db: Db): Promise<HeldTransaction> {
  return new Promise((opened, failed) => {
    let decide!: (commit: boolean) => void;
    const decided = new Promise<boolean>((resolve) => {
      decide = resolve;
    });
    const scope: Scope = { tx: undefined, afterCommit: [], seen: new Set(), maps: new Map() };
    const done = db.transaction(async (tx) => {
      scope.tx = tx;
      opened({
        tx,
        enter: (next) => scopes.run(scope, next),
        async commit(onDeferredError) {
          decide(true);
          try {
            await done;
          } finally {
            scope.tx = undefined;
          }
          for (const work of scope.afterCommit.splice(0)) await work().catch(onDeferredError);
        },
        async rollback() {
          decide(false);
          scope.tx = undefined;
          scope.afterCommit = [];
          await done.catch(() => {});
        },
      });
      if (!(await decided)) tx.rollback();
    });
    // Before the transaction opened (BEGIN or the connection failed) this rejects the hold;
    // afterwards `failed` is a no-op and commit/rollback report the outcome.
    done.catch(failed);
  });
}

/**
 * Runs `work` so that its failure leaves the request's transaction usable: inside a held request
 * transaction it runs in a savepoint (a failed statement would otherwise abort everything after
 * it, such as the look-up that names a conflicting record); elsewhere it just runs.
 */
export function withSavepoint<T>(work: () => Promise<T>): Promise<T> {
  const tx = scopes.getStore()?.tx;
  return tx ? tx.transaction(() => work()) : work();
}

/** Runs `work` (and what it starts) outside any request's transaction: on the plain pool. */
export function outsideRequestTransaction<T>(work: () => T): T {
  return scopes.exit(work);
}
