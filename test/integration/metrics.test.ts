import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, bearer, createTestApp, type TestApp, useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { caller } from '../support/factories.ts';
import { createMarket, listCandidateMatches, listJobMatches } from '../support/matching-factories.ts';
import { startReceiver, webhookTestEnv } from '../support/webhook-receiver.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (the subset prom-client writes). */
function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/);
      if (!match) throw new Error(`not an exposition line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [
          m[1]!,
          m[2]!,
        ]),
      );
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

async function scrape(t: TestApp, headers: Record<string, string> = {}) {
  const response = await t.app.inject({ method: 'GET', url: '/metrics', headers });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = parseExposition(response.body);
  /** The value of the one sample with this name and (at least) these labels. */
  const value = (name: string, labels: Record<string, string> = {}) => {
    const found = samples.filter(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
    expect(found, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
    return found[0]!.value;
  };
  return { samples, value, text: response.body };
}

describe.each(availableDatabaseKinds())('GET /metrics on %s', (kind) => {
  const t = useTestApp({ kind });

  it('counts requests by route pattern, times listings per side, and reports the index, feed and process', async () => {
    const m = await createMarket(t.app);
    await listJobMatches(m.admin, m.job.id);
    await listJobMatches(m.admin, m.job.id);
    await listCandidateMatches(m.admin, m.ids.good);
    expect((await t.app.inject({ method: 'GET', url: `/v1/no-such-thing/${m.job.id}` })).statusCode).toBe(
      404,
    );

    const bulk = await t.app.inject({
      method: 'POST',
      url: '/v1/candidates:bulk',
      headers: { authorization: `Bearer ${m.adminKey}`, 'content-type': 'application/x-ndjson' },
      payload: '{"externalId":"metrics-1"}\n',
    });
    expect(bulk.statusCode, bulk.body).toBe(200);

    const first = await scrape(t);
    // A literal colon in a path is labelled as sent, not as Fastify writes it (`::bulk`).
    expect(
      first.value('mutualfit_http_request_duration_seconds_count', {
        route: '/v1/candidates:bulk',
        method: 'POST',
        status_class: '2xx',
      }),
    ).toBe(1);
    const jobListings = { route: '/v1/jobs/:id/matches', method: 'GET', status_class: '2xx' };
    const listed = first.value('mutualfit_http_request_duration_seconds_count', jobListings);
    expect(listed).toBeGreaterThanOrEqual(2);
    expect(
      first.value('mutualfit_http_request_duration_seconds_bucket', { ...jobListings, le: '+Inf' }),
    ).toBe(listed);
    expect(
      first.value('mutualfit_http_request_duration_seconds_count', {
        route: 'unmatched',
        method: 'GET',
        status_class: '4xx',
      }),
    ).toBeGreaterThanOrEqual(1);
    // Route patterns only: no id of any profile makes it into a label.
    expect(first.text).not.toContain(m.job.id);
    expect(first.text).not.toContain(m.ids.good);

    const jobRanked = first.value('mutualfit_listing_rank_duration_seconds_count', {
      side: 'job',
      thread: 'request',
    });
    expect(jobRanked).toBeGreaterThanOrEqual(2);
    expect(
      first.value('mutualfit_listing_rank_duration_seconds_count', { side: 'candidate', thread: 'request' }),
    ).toBeGreaterThanOrEqual(1);
    expect(first.value('mutualfit_listing_rank_duration_seconds_sum', { side: 'job' })).toBeGreaterThan(0);

    expect(first.value('mutualfit_index_profiles', { side: 'job' })).toBeGreaterThanOrEqual(2);
    expect(first.value('mutualfit_index_profiles', { side: 'candidate' })).toBeGreaterThanOrEqual(
      m.scored.length,
    );
    expect(first.value('mutualfit_index_bytes', { side: 'candidate' })).toBeGreaterThan(0);
    expect(first.value('mutualfit_index_workspaces')).toBeGreaterThanOrEqual(1);
    expect(first.value('mutualfit_index_loaded')).toBe(1);
    expect(first.value('mutualfit_index_load_seconds')).toBeGreaterThanOrEqual(0);
    expect(first.value('mutualfit_change_feed_lag_changes')).toBeGreaterThanOrEqual(0);
    expect(first.value('mutualfit_change_feed_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(first.value('mutualfit_webhook_queue_depth')).toBe(0);
    expect(first.value('mutualfit_rank_threads_usable')).toBe(1);
    expect(first.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(first.value('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    const pool = first.samples.filter((s) => s.name === 'mutualfit_db_pool_connections');
    if (kind === 'postgres') {
      expect(first.value('mutualfit_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
      expect(first.value('mutualfit_db_pool_connections', { state: 'idle' })).toBeGreaterThanOrEqual(0);
      expect(first.value('mutualfit_db_pool_waiting')).toBeGreaterThanOrEqual(0);
    } else expect(pool).toEqual([]);

    await listJobMatches(m.admin, m.job.id);
    const second = await scrape(t);
    expect(second.value('mutualfit_http_request_duration_seconds_count', jobListings)).toBe(listed + 1);
    expect(second.value('mutualfit_listing_rank_duration_seconds_count', { side: 'job' })).toBe(
      jobRanked + 1,
    );
    // The first scrape itself was counted, under its own route.
    expect(
      second.value('mutualfit_http_request_duration_seconds_count', {
        route: '/metrics',
        method: 'GET',
        status_class: '2xx',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('is not in the OpenAPI document', () => {
    expect(Object.keys((t.app.swagger() as { paths: object }).paths)).not.toContain('/metrics');
  });

  it('without METRICS_TOKEN, answers only local clients that did not come through a proxy', async () => {
    const remote = await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.7' });
    expect(remote.statusCode).toBe(404);
    expect(remote.json().code).toBe('route_not_found');
    const proxied = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    expect(proxied.statusCode).toBe(404);
    // An API key is no pass either.
    const withKey = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: bearer(ADMIN_KEY),
      remoteAddress: '203.0.113.7',
    });
    expect(withKey.statusCode).toBe(404);
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  const token = 'metrics-token-for-tests-0123456789';
  const t = useTestApp({ env: { METRICS_TOKEN: token } });

  it('answers whoever sends the token, from anywhere, and 401 to anyone else', async () => {
    const remote = { method: 'GET' as const, url: '/metrics', remoteAddress: '203.0.113.7' };
    expect((await t.app.inject({ ...remote, headers: bearer(token) })).statusCode).toBe(200);
    for (const headers of [{}, bearer(ADMIN_KEY), bearer(`${token}x`)]) {
      const refused = await t.app.inject({ ...remote, headers });
      expect(refused.statusCode).toBe(401);
      expect(refused.json().code).toBe('unauthorized');
    }
    // Local clients need it too once it is set.
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
  });

  it('keeps each app its own registry: requests to one app do not count in another', async () => {
    const other = await createTestApp({ database: t.database });
    try {
      await other.app.inject({ method: 'GET', url: '/healthz' });
      await other.app.inject({ method: 'GET', url: '/healthz' });
      const mine = await scrape(t, bearer(token));
      expect(
        mine.samples.filter(
          (s) => s.name === 'mutualfit_http_request_duration_seconds_count' && s.labels.route === '/healthz',
        ),
      ).toEqual([]);
      const theirs = await scrape(other);
      expect(
        theirs.value('mutualfit_http_request_duration_seconds_count', {
          route: '/healthz',
          method: 'GET',
          status_class: '2xx',
        }),
      ).toBe(2);
    } finally {
      await other.close();
    }
  });
});

describe('webhook metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: webhookTestEnv });
    // Deliveries are driven by hand below, not by the background rounds.
    await t.app.webhookWorker.stop();
  });
  afterAll(() => t.close());

  it('show the queued deliveries and count failed attempts', async () => {
    const hooks = await startReceiver(() => 500);
    try {
      const admin = caller(t.app, ADMIN_KEY);
      const subscribed = await admin.post('/v1/webhooks', {
        url: hooks.url,
        eventTypes: ['allocation.completed'],
      });
      expect(subscribed.statusCode, subscribed.body).toBe(201);
      const allocated = await admin.post('/v1/allocations', {
        candidates: [{ id: 'c1', preferences: ['j1'] }],
        jobs: [{ id: 'j1', capacity: 1, preferences: ['c1'] }],
      });
      expect(allocated.statusCode, allocated.body).toBe(201);

      const queued = await scrape(t);
      expect(queued.value('mutualfit_webhook_queue_depth')).toBe(1);
      expect(queued.samples.filter((s) => s.name === 'mutualfit_webhook_attempts_total')).toEqual([]);

      expect(await t.app.webhookWorker.deliverDue()).toBe(1);
      const tried = await scrape(t);
      expect(tried.value('mutualfit_webhook_attempts_total', { outcome: 'retry' })).toBe(1);
      expect(hooks.received).toHaveLength(1);
    } finally {
      await hooks.close();
    }
  });
});
