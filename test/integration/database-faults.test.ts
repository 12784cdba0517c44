import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerSet } from '../../src/answers/types.ts';
import type { Database } from '../../src/db/client.ts';
import { isConnectionError } from '../../src/db/faults.ts';
import { MatchIndex } from '../../src/matching/index.ts';
import { loadIndex } from '../../src/matching/sync.ts';
import { createTestApp, type TestApp, testQuestionnaires } from '../support/app.ts';
import { createTestDatabase, lockWaiters } from '../support/database.ts';
import { caller, createCandidate, createWorkspace, expectProblem, unique } from '../support/factories.ts';
import { withAdminClient } from '../support/global-setup.ts';
import {
  createMarket,
  eventually,
  marketCandidates,
  matchedCandidateIds,
  putAnswers,
} from '../support/matching-factories.ts';
import {
  type FaultyPostgres,
  faultyPostgresKinds,
  startFaultyPostgres,
} from '../support/private-postgres.ts';
import { childEnv, killLeftovers, runEntry, until } from '../support/processes.ts';

const LISTENING = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/;

describe('connection errors', () => {
  it.each([
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    ['a server shutting down (57P01)', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['a connection exception (08006)', Object.assign(new Error('connection failure'), { code: '08006' })],
    ['a lost connection', new Error('Connection terminated unexpectedly')],
    ['a pool connect timeout', new Error('timeout exceeded when trying to connect')],
    [
      'a host name that does not resolve',
      Object.assign(new Error('getaddrinfo ENOTFOUND db.example'), { code: 'ENOTFOUND' }),
    ],
    [
      'a name server that does not answer',
      Object.assign(new Error('getaddrinfo EAI_AGAIN db.example'), { code: 'EAI_AGAIN' }),
    ],
    [
      'one wrapped by drizzle',
      new Error('Failed query: select 1', { cause: new Error('Connection terminated') }),
    ],
  ])('recognises %s', (_name, error) => {
    expect(isConnectionError(error)).toBe(true);
  });

  // A name that never resolves (RFC 2606's .invalid) is an outage like a refused connection:
  // the process waits for it (a managed database's name can be missing during a failover).
  it('starts a process whose database host name does not resolve: it waits, saying so', async () => {
    const url = 'postgres://mutualfit:mutualfit@no-such-host.invalid:5432/mutualfit';
    const child = runEntry('src/server.ts', [], childEnv({ DATABASE_URL: url }));
    try {
      await until(child, 'it said it waits for the database', () =>
        child.output().stderr.includes('The database cannot be reached'),
      );
      expect(child.output().stderr).toMatch(/ENOTFOUND|EAI_AGAIN/);
      expect(child.output().stdout).not.toMatch(LISTENING);
      expect(await child.stop()).toBe(0);
    } finally {
      killLeftovers();
    }
  }, 60_000);

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a syntax error', Object.assign(new Error('syntax error'), { code: '42601' })],
    ['a plain bug', new TypeError('x is undefined')],
  ])('does not take %s for one', (_name, error) => {
    expect(isConnectionError(error)).toBe(false);
  });
});

describe('index load', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase('pglite');
  });
  afterAll(() => database?.close());

  it('loads the match index again when the database goes away during the load', async () => {
    // The first statements are the stores' two size counts (only a hint: their failure is let go),
    // then the load's own.
    let failures = 4;
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    // A statement goes through the handle's `execute`, or (rows as arrays, src/db/rows.ts) through
    // `execute` of what its session's `prepareQuery` returns: each fails while failures are left.
    const failing = <T extends object>(
      target: T,
      wrap: Record<string, (value: (...args: unknown[]) => object) => unknown> = {},
    ): T =>
      new Proxy(target, {
        get(target, property) {
          if (property === 'execute' && failures-- > 0) return async () => Promise.reject(refused);
          const value = Reflect.get(target, property, target);
          if (typeof property === 'string' && wrap[property]) return wrap[property](value as never);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    const session = (database.db as unknown as { session: object }).session;
    const flaky = failing(database.db, {
      session: () =>
        failing(session, {
          prepareQuery:
            (prepare) =>
            (...args: unknown[]) =>
              failing(prepare.apply(session, args)),
        }),
    });
    const index = new MatchIndex(await testQuestionnaires());
    const warnings: string[] = [];
    const log = { warn: (_: unknown, message: string) => warnings.push(message), info: () => {} };
    await loadIndex(flaky, index, log as unknown as FastifyBaseLogger);
    expect(index.loaded).toBe(true);
    // Each failed statement of the load started it over.
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(new Set(warnings)).toEqual(
      new Set(['the database went away while loading the match index; loading again']),
    );
  });
});

describe.each(await faultyPostgresKinds())('database faults on a %s', (kind) => {
  let server: FaultyPostgres;
  let t: TestApp;
  /** Whatever would have ended the process: close-with-grace exits on these. */
  const crashes: unknown[] = [];
  const crashed = (error: unknown) => crashes.push(error);

  beforeAll(async () => {
    process.on('uncaughtException', crashed);
    process.on('unhandledRejection', crashed);
    server = await startFaultyPostgres(kind);
    t = await createTestApp({ databaseUrl: server.url });
  });
  afterAll(async () => {
    await t?.close();
    await server?.close();
    process.off('uncaughtException', crashed);
    process.off('unhandledRejection', crashed);
  });

  const direct = <T>(query: (client: import('pg').Client) => Promise<T>) =>
    withAdminClient(server.directUrl, query);
  const appBackends = `select pid from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`;

  it('answers 503 database_unavailable with Retry-After while PostgreSQL is down, and recovers by itself with every acknowledged write', async () => {
    const m = await createMarket(t.app);
    const acknowledged: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await m.admin.post(
        '/v1/employers',
        { name: `Acked ${i}` },
        { 'idempotency-key': unique('ack') },
      );
      expect(created.statusCode, created.body).toBe(201);
      acknowledged.push(created.json().employer.id);
    }
    expect(await matchedCandidateIds(m.admin, m.job.id)).toEqual([m.ids.better, m.ids.good]);

    await server.stop();
    const retried = { 'idempotency-key': unique('during') };
    const during = [
      await m.admin.post('/v1/employers', { name: 'During' }),
      await m.admin.post('/v1/employers', { name: 'During, retried' }, retried),
      await m.admin.get('/v1/employers'),
      await m.admin.get(`/v1/jobs/${m.job.id}/matches`),
    ];
    for (const response of during) {
      expectProblem(response, 503, 'database_unavailable');
      expect(response.headers['retry-after']).toBe('5');
    }
    expectProblem(await t.app.inject('/readyz'), 503, 'not_ready');
    expect((await t.app.inject('/healthz')).statusCode).toBe(200);

    await server.start();
    // Nothing to do by hand: the pool reconnects on the next request.
    await eventually(async () => (await m.admin.get('/v1/employers?limit=100')).statusCode === 200, 5_000);
    expect((await t.app.inject('/readyz')).statusCode).toBe(200);
    const listed = (await m.admin.get('/v1/employers?limit=100'))
      .json()
      .employers.map((e: { id: string }) => e.id);
    expect(listed).toEqual(expect.arrayContaining(acknowledged));
    expect(listed).toHaveLength(acknowledged.length + 2);
    // The request refused during the outage ran nothing: its retry runs now.
    expect((await m.admin.post('/v1/employers', { name: 'During, retried' }, retried)).statusCode).toBe(201);

    // The index still follows the database: a change written by another writer is picked up.
    await direct((client) => client.query('update jobs set min_score = 0.976 where id = $1', [m.job.id]));
    await eventually(
      async () => (await matchedCandidateIds(m.admin, m.job.id)).join() === m.ids.better,
      10_000,
    );
    // and the follower's LISTEN connection is back (one, not a leaked extra).
    await eventually(async () => {
      const { rows } = await direct((client) =>
        client.query(`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and query ilike 'LISTEN %'`),
      );
      return rows[0].n === 1;
    }, 10_000);
    expect(crashes).toEqual([]);
  });

  it('keeps the match index as stored when PostgreSQL refuses a profile write: no match appears or goes, and the retry lands in both', async () => {
    const m = await createMarket(t.app);
    const stored = await matchedCandidateIds(m.admin, m.job.id);
    expect(stored).toEqual([m.ids.better, m.ids.good]);
    const newcomer = await createCandidate(t.app, m.adminKey, { minScore: 0.5 });
    const answers = (set: AnswerSet) => ({ questionnaireId: 'mini', answers: set });

    await server.stop();
    const refused = [
      // would join the job's matches
      await m.admin.put(`/v1/candidates/${newcomer.id}/answers`, answers(marketCandidates.better.answers)),
      // would leave them (breaks the job's salary dealbreaker)
      await m.admin.put(
        `/v1/candidates/${m.ids.good}/answers`,
        answers(marketCandidates.tooExpensive.answers),
      ),
      // would let every candidate in
      await m.admin.patch(`/v1/jobs/${m.job.id}`, { minScore: 0 }),
      // a bulk line that would join them: the outage is the request's fault, not the line's
      await t.app.inject({
        method: 'POST',
        url: '/v1/candidates:bulk',
        headers: { authorization: `Bearer ${m.adminKey}`, 'content-type': 'application/x-ndjson' },
        payload: JSON.stringify({
          externalId: unique('bulk'),
          contact: { name: 'Bulk', email: `${unique('bulk')}@example.com` },
          minScore: 0.5,
          ...answers(marketCandidates.better.answers),
        }),
      }),
    ];
    for (const response of refused) expectProblem(response, 503, 'database_unavailable');

    await server.start();
    await eventually(
      async () => (await m.admin.get(`/v1/jobs/${m.job.id}/matches`)).statusCode === 200,
      5_000,
    );
    expect(await matchedCandidateIds(m.admin, m.job.id)).toEqual(stored);

    await putAnswers(m.admin, `/v1/candidates/${newcomer.id}/answers`, marketCandidates.better.answers);
    expect(await matchedCandidateIds(m.admin, m.job.id)).toEqual(
      expect.arrayContaining([...stored, newcomer.id]),
    );
    expect(crashes).toEqual([]);
  });

  it('survives PostgreSQL ending the connection of a transaction in flight: that request fails with 503, nothing of it is kept, the retry runs', async () => {
    const { admin } = await createWorkspace(t.app);
    const key = { 'idempotency-key': unique('terminated') };
    const name = unique('Terminated');
    // Hold a lock the request's insert waits for, so its transaction is in flight for sure.
    const blocked = await direct(async (locker) => {
      await locker.query('begin');
      await locker.query('lock table employers in exclusive mode');
      let ended: { statusCode: number; body: string } | undefined;
      const pending = admin.post('/v1/employers', { name }, key).then((response) => (ended = response));
      // A busy machine can take seconds to bring the request to the lock; one that ends first says why,
      // and so does one that never gets there (what each of the app's connections is doing).
      await eventually(async () => {
        if (ended)
          throw new Error(
            `the request ended before it waited on the lock: ${ended.statusCode} ${ended.body}`,
          );
        return (await lockWaiters(locker)).length > 0;
      }, 60_000).catch(async (error: Error) => {
        await locker.query('select pg_stat_clear_snapshot()');
        const { rows } = await locker.query(`select state, wait_event_type, wait_event,
            left(query, 120) as query from pg_stat_activity where pid in (${appBackends})`);
        throw new Error(`${error.message}; the app's connections: ${JSON.stringify(rows)}`);
      });
      await locker.query('select pg_stat_clear_snapshot()');
      await locker.query(`select pg_terminate_backend(pid) from (${appBackends}) backends`);
      const response = await pending;
      await locker.query('rollback');
      return response;
    });
    expectProblem(blocked, 503, 'database_unavailable');

    const retried = await admin.post('/v1/employers', { name }, key);
    expect(retried.statusCode, retried.body).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    const named = (await admin.get('/v1/employers?limit=100'))
      .json()
      .employers.filter((e: { name: string }) => e.name === name);
    expect(named).toHaveLength(1);
    expect(crashes).toEqual([]);
  });

  it('starts a process while PostgreSQL is down: it waits, saying so, and starts once the database is back', async () => {
    await server.stop();
    let down = true;
    try {
      const child = runEntry('src/server.ts', [], childEnv({ DATABASE_URL: server.url }));
      await until(child, 'it said it waits for the database', () =>
        child.output().stderr.includes('The database cannot be reached'),
      );
      expect(child.output().stdout).not.toMatch(LISTENING);
      await server.start();
      down = false;
      await until(child, 'it listened', () => LISTENING.test(child.output().stdout));
      const url = LISTENING.exec(child.output().stdout)![1]!;
      // Ready once its match index is loaded, in the background after it listens.
      await eventually(async () => (await fetch(`${url}/readyz`)).status === 200, 60_000);
      expect(await child.stop()).toBe(0);
    } finally {
      killLeftovers();
      if (down) await server.start();
    }
  }, 120_000);

  it('keeps serving while every connection of the app is terminated again and again under load', async () => {
    const { adminKey } = await createWorkspace(t.app);
    const admin = caller(t.app, adminKey);
    const statuses: number[] = [];
    let running = true;
    const load = (async () => {
      while (running) {
        const responses = await Promise.all([
          admin.post('/v1/employers', { name: 'Load' }, { 'idempotency-key': unique('load') }),
          admin.post('/v1/employers', { name: 'Load' }),
          admin.get('/v1/employers'),
        ]);
        statuses.push(...responses.map((r) => r.statusCode));
      }
    })();
    for (let round = 0; round < 5; round++) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      await direct((client) =>
        client.query(`select pg_terminate_backend(pid) from (${appBackends}) backends`),
      );
    }
    running = false;
    await load;
    expect(statuses.filter((status) => ![200, 201, 503].includes(status))).toEqual([]);
    await eventually(async () => (await admin.get('/v1/employers')).statusCode === 200, 5_000);
    // Every connection that failed was given back to the pool, none leaked (it would run dry);
    // background work (catch-up, webhook rounds) may hold one for a moment.
    const { pool } = t.database as Extract<Database, { kind: 'postgres' }>;
    await eventually(async () => pool.totalCount === pool.idleCount, 10_000);
    expect(crashes).toEqual([]);
  });
});
