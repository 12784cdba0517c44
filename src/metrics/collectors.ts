import { Counter, Gauge, type Registry } from 'prom-client';
import type { AlertScanThread } from '../alerts/scan-thread.ts';
import type { Alerts } from '../alerts/service.ts';
import type { Database } from '../db/client.ts';
import type { RankPool } from '../matching/engine/slice-pool.ts';
import type { MatchIndex } from '../matching/index.ts';
import type { ChangeFollower } from '../matching/sync.ts';
import type { WebhookWorker } from '../webhooks/worker.ts';
import { PREFIX } from './registry.ts';

/** The objects whose numbers are read at scrape time. */
export interface MetricSources {
  database: Database;
  index: MatchIndex;
  follower: ChangeFollower;
  webhooks: WebhookWorker;
  rankPool?: RankPool | undefined;
  alerts?: Pick<Alerts, 'foresights'> | undefined;
  alertScanThread?: AlertScanThread | undefined;
}

/** Numbers that cost a query are read at most this often, however often Prometheus scrapes. */
const QUERY_CACHE_MS = 5_000;
/** The webhook queue is counted up to this many rows, so the count stays cheap. */
export const QUEUE_DEPTH_CAP = 100_000;

/** Adds to `registry` the gauges read at scrape time from the objects that own the numbers. */
export function addCollectors(registry: Registry, sources: MetricSources): void {
  const { index, follower, webhooks, database, rankPool, alerts, alertScanThread } = sources;
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect: (g: Gauge<L>) => void | Promise<void>,
  ) =>
    new Gauge<L>({
      name: `${PREFIX}${name}`,
      help,
      labelNames,
      registers: [registry],
      collect() {
        return collect(this);
      },
    });

  gauge('index_profiles', 'Profiles in the match index, by side, all workspaces together', ['side'], (g) => {
    for (const [side, { profiles }] of Object.entries(index.stats().sides)) g.set({ side }, profiles);
  });
  gauge('index_bytes', 'Bytes the match index holds, by side', ['side'], (g) => {
    for (const [side, { bytes }] of Object.entries(index.stats().sides)) g.set({ side }, bytes);
  });
  gauge('index_workspaces', 'Workspaces with profiles in the match index', [], (g) => {
    g.set(index.stats().workspaces);
  });
  gauge('index_loaded', '1 once the start-up load of the match index is done, else 0', [], (g) => {
    g.set(index.loaded ? 1 : 0);
  });
  gauge(
    'index_load_seconds',
    'How long the start-up load of the match index took (NaN until done)',
    [],
    (g) => {
      g.set(index.loadSeconds ?? Number.NaN);
    },
  );

  const changesBehind = cachedQuery(() => follower.changesBehind());
  gauge(
    'change_feed_lag_changes',
    'Profile changes written that this process has not read yet',
    [],
    async (g) => {
      g.set((await changesBehind()) ?? Number.NaN);
    },
  );
  gauge(
    'change_feed_lag_seconds',
    'Seconds since this process last began a pass that read the change feed to its end',
    [],
    (g) => {
      g.set(follower.secondsBehind ?? Number.NaN);
    },
  );

  const depth = cachedQuery(() => webhooks.pendingCount(QUEUE_DEPTH_CAP));
  gauge(
    'webhook_queue_depth',
    `Webhook deliveries waiting to be sent (counted up to ${QUEUE_DEPTH_CAP})`,
    [],
    async (g) => {
      g.set((await depth()) ?? Number.NaN);
    },
  );

  if (database.kind === 'postgres') {
    const { pool } = database;
    gauge('db_pool_connections', 'PostgreSQL pool connections, by state', ['state'], (g) => {
      g.set({ state: 'total' }, pool.totalCount);
      g.set({ state: 'idle' }, pool.idleCount);
    });
    gauge('db_pool_waiting', 'Queries waiting for a PostgreSQL pool connection', [], (g) => {
      g.set(pool.waitingCount);
    });
  }

  if (rankPool) {
    gauge(
      'rank_threads_usable',
      '1 while listings may be split over worker threads, 0 once given up',
      [],
      (g) => {
        g.set(rankPool.usable ? 1 : 0);
      },
    );
    gauge('rank_threads_ready', 'Rank worker threads started and listening for listings', [], (g) => {
      g.set(rankPool.readyCount);
    });
    let counted = 0;
    new Counter({
      name: `${PREFIX}rank_thread_fallbacks_total`,
      help: 'Listing ranges a worker thread failed or did not answer in time, ranked by the calling thread',
      registers: [registry],
      collect() {
        this.inc(rankPool.fallbacks - counted);
        counted = rankPool.fallbacks;
      },
    });
  }

  /** A counter of `counts[label]` by `labelName`, moved on by what they grew since the last scrape. */
  const countedBy = <K extends string>(
    name: string,
    help: string,
    labelName: string,
    counts: Record<K, number>,
  ) => {
    const counted = Object.fromEntries(Object.keys(counts).map((k) => [k, 0])) as Record<K, number>;
    new Counter({
      name: `${PREFIX}${name}`,
      help,
      labelNames: [labelName],
      registers: [registry],
      collect() {
        for (const k of Object.keys(counts) as K[]) {
          this.inc({ [labelName]: k }, counts[k] - counted[k]);
          counted[k] = counts[k];
        }
      },
    });
  };
  if (alerts)
    countedBy(
      'alert_foresights_total',
      'Bulk batches whose alert pairs were scored ahead of the write, by whether the write used them (missed: scored again under the lock)',
      'outcome',
      alerts.foresights,
    );
  if (alertScanThread)
    countedBy(
      'alert_scan_thread_jobs_total',
      'Bulk batches the alert scan thread scored ahead, by outcome (failed: the thread failed or was late, and the event loop scored the batch)',
      'outcome',
      alertScanThread.jobs,
    );
}

/** `read`, at most once per QUERY_CACHE_MS; undefined when it failed (the database may be down). */
function cachedQuery<T>(read: () => Promise<T>): () => Promise<T | undefined> {
  let last: { at: number; value: Promise<T | undefined> } | undefined;
  return () => {
    if (!last || Date.now() - last.at >= QUERY_CACHE_MS) {
      last = { at: Date.now(), value: read().catch(() => undefined) };
    }
    return last.value;
  };
}
