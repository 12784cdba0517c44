import { describe, expect, it } from 'vitest';
import { bearer, useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import {
  caller,
  createCandidate,
  createEmployer,
  createJob,
  createWorkspace,
  expectProblem,
  mintKey,
} from '../support/factories.ts';
import { eventually, goodCandidate, jobAnswers, marketCandidates } from '../support/matching-factories.ts';
import {
  subscribe,
  useReceivers,
  verified,
  type WebhookEvent,
  webhookTestEnv,
} from '../support/webhook-receiver.ts';

describe.each(availableDatabaseKinds())('alerts on %s', (kind) => {
  const t = useTestApp({ kind, env: webhookTestEnv });
  const receiver = useReceivers();

  async function market() {
    const { admin, adminKey } = await createWorkspace(t.app);
    const employer = await createEmployer(t.app, adminKey);
    const job = await createJob(t.app, adminKey, employer.id);
    const candidate = await createCandidate(t.app, adminKey);
    const put = async (path: string, answers: object) => {
      const response = await admin.put(path, { questionnaireId: 'mini', answers });
      expect(response.statusCode, response.body).toBe(200);
    };
    await put(`/v1/jobs/${job.id}/answers`, jobAnswers);
    const feed = async (path: string) => {
      const response = await admin.get(`${path}/alert/events`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json().events as {
        type: string;
        jobId: string;
        candidateId: string;
        alertOf: string;
      }[];
    };
    return { admin, adminKey, employer, job, candidate, put, feed };
  }

  it('announces a new mutual match to an alerting job once, and its end once', async () => {
    const m = await market();
    const on = await m.admin.put(`/v1/jobs/${m.job.id}/alert`, {});
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json().alert.minScore).toBe(0.5);
    await m.put(`/v1/candidates/${m.candidate.id}/answers`, goodCandidate);
    await m.put(`/v1/candidates/${m.candidate.id}/answers`, marketCandidates.better.answers);
    expect(await m.feed(`/v1/jobs/${m.job.id}`)).toMatchObject([
      { type: 'match.created', jobId: m.job.id, candidateId: m.candidate.id, alertOf: 'job' },
    ]);
    await m.put(`/v1/candidates/${m.candidate.id}/answers`, marketCandidates.tooExpensive.answers);
    const events = await m.feed(`/v1/jobs/${m.job.id}`);
    expect(events.map((e) => e.type)).toEqual(['match.created', 'match.removed']);
    expect(events[1]).toMatchObject({ score: null });
  });

  it('switches an alert on at the default threshold from a PUT without a body, as from {}', async () => {
    const m = await market();
    const on = await t.app.inject({
      method: 'PUT',
      url: `/v1/candidates/${m.candidate.id}/alert`,
      headers: bearer(m.adminKey),
    });
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json().alert.minScore).toBe(0.5);
    expect((await m.admin.get(`/v1/candidates/${m.candidate.id}/alert`)).json().alert.minScore).toBe(0.5);
    // A body that is there is still checked, and the alert keeps its threshold.
    const bad = await m.admin.put(`/v1/candidates/${m.candidate.id}/alert`, { minScore: 2 });
    expect(expectProblem(bad, 400, 'validation_failed').errors?.map((e) => e.path)).toEqual([
      'body.minScore',
    ]);
    expect((await m.admin.get(`/v1/candidates/${m.candidate.id}/alert`)).json().alert.minScore).toBe(0.5);
  });

  it('raises nothing for pairs already above when switched on, nor when the threshold changes', async () => {
    const m = await market();
    await m.put(`/v1/candidates/${m.candidate.id}/answers`, goodCandidate);
    expect((await m.admin.put(`/v1/jobs/${m.job.id}/alert`, { minScore: 0.9 })).statusCode).toBe(200);
    expect((await m.admin.put(`/v1/candidates/${m.candidate.id}/alert`, {})).statusCode).toBe(200);
    const changed = await m.admin.put(`/v1/jobs/${m.job.id}/alert`, { minScore: 0.3 });
    expect(changed.json().alert.minScore).toBe(0.3);
    expect((await m.admin.get(`/v1/jobs/${m.job.id}/alert`)).json().alert.minScore).toBe(0.3);
    expect(await m.feed(`/v1/jobs/${m.job.id}`)).toEqual([]);
    expect(await m.feed(`/v1/candidates/${m.candidate.id}`)).toEqual([]);
    // Both alerts are on all the same: the pair's end is raised on each side.
    await m.put(`/v1/candidates/${m.candidate.id}/answers`, marketCandidates.tooExpensive.answers);
    for (const path of [`/v1/jobs/${m.job.id}`, `/v1/candidates/${m.candidate.id}`]) {
      expect((await m.feed(path)).map((e) => e.type)).toEqual(['match.removed']);
    }
  });

  it('tells both alerting sides when a job closes and opens again, and nothing after the alert is off', async () => {
    const m = await market();
    await m.put(`/v1/candidates/${m.candidate.id}/answers`, goodCandidate);
    await m.admin.put(`/v1/jobs/${m.job.id}/alert`, {});
    await m.admin.put(`/v1/candidates/${m.candidate.id}/alert`, {});
    await m.admin.patch(`/v1/jobs/${m.job.id}`, { status: 'closed' });
    await m.admin.patch(`/v1/jobs/${m.job.id}`, { status: 'open' });
    for (const path of [`/v1/jobs/${m.job.id}`, `/v1/candidates/${m.candidate.id}`]) {
      expect((await m.feed(path)).map((e) => e.type)).toEqual(['match.removed', 'match.created']);
    }
    expect((await m.admin.delete(`/v1/jobs/${m.job.id}/alert`)).statusCode).toBe(204);
    expectProblem(await m.admin.get(`/v1/jobs/${m.job.id}/alert`), 404, 'not_found');
    expectProblem(await m.admin.delete(`/v1/jobs/${m.job.id}/alert`), 404, 'not_found');
    await m.admin.patch(`/v1/jobs/${m.job.id}`, { minScore: 1 });
    expect(await m.feed(`/v1/jobs/${m.job.id}`)).toHaveLength(2);
    expect((await m.feed(`/v1/candidates/${m.candidate.id}`)).map((e) => e.type)).toEqual([
      'match.removed',
      'match.created',
      'match.removed',
    ]);
  });

  it('tells an alerting job when a candidate pauses or hides from its employer, and when it comes back', async () => {
    const m = await market();
    const elsewhere = await createEmployer(t.app, m.adminKey);
    await m.put(`/v1/candidates/${m.candidate.id}/answers`, goodCandidate);
    await m.admin.put(`/v1/jobs/${m.job.id}/alert`, {});
    const self = caller(
      t.app,
      (await mintKey(t.app, m.adminKey, { role: 'candidate', candidateId: m.candidate.id })).key,
    );
    const patch = async (change: object) => {
      const response = await self.patch(`/v1/candidates/${m.candidate.id}`, change);
      expect(response.statusCode, response.body).toBe(200);
    };
    await patch({ paused: true });
    await patch({ paused: false });
    await patch({ hiddenFromEmployerIds: [elsewhere.id] });
    expect((await m.feed(`/v1/jobs/${m.job.id}`)).map((e) => e.type)).toEqual([
      'match.removed',
      'match.created',
    ]);
    await patch({ hiddenFromEmployerIds: [m.employer.id, elsewhere.id] });
    await patch({ hiddenFromEmployerIds: [elsewhere.id] });
    const events = await m.feed(`/v1/jobs/${m.job.id}`);
    expect(events.map((e) => e.type)).toEqual([
      'match.removed',
      'match.created',
      'match.removed',
      'match.created',
    ]);
    expect(events[2]).toMatchObject({ candidateId: m.candidate.id, score: null });
    // Deleting the employer it hides from unhides it there, and changes no pair of this job.
    expect((await m.admin.delete(`/v1/employers/${elsewhere.id}`)).statusCode).toBe(204);
    expect(await m.feed(`/v1/jobs/${m.job.id}`)).toHaveLength(4);
  });

  it('pages the feed in order with nextCursor and hasMore, and refuses a foreign cursor', async () => {
    const m = await market();
    await m.admin.put(`/v1/jobs/${m.job.id}/alert`, {});
    for (const answers of [goodCandidate, marketCandidates.tooExpensive.answers, goodCandidate])
      await m.put(`/v1/candidates/${m.candidate.id}/answers`, answers);
    const first = (await m.admin.get(`/v1/jobs/${m.job.id}/alert/events?limit=2`)).json();
    expect(first.events.map((e: { type: string }) => e.type)).toEqual(['match.created', 'match.removed']);
    expect(first.hasMore).toBe(true);
    const cursor = encodeURIComponent(first.nextCursor);
    const second = (await m.admin.get(`/v1/jobs/${m.job.id}/alert/events?limit=2&cursor=${cursor}`)).json();
    expect(second.events.map((e: { type: string }) => e.type)).toEqual(['match.created']);
    expect(second.hasMore).toBe(false);
    const last = encodeURIComponent(second.nextCursor);
    const empty = (await m.admin.get(`/v1/jobs/${m.job.id}/alert/events?cursor=${last}`)).json();
    expect(empty).toEqual({ events: [], nextCursor: second.nextCursor, hasMore: false });
    expectProblem(await m.admin.get(`/v1/jobs/${m.job.id}/alert/events?cursor=nope`), 400, 'invalid_cursor');
    // A cursor belongs to its feed: another subject's feed refuses it. (The candidate's alert took
    // its minScore as it was; it keeps that threshold when the minScore changes.)
    await m.admin.put(`/v1/candidates/${m.candidate.id}/alert`, {});
    const threshold = (await m.admin.get(`/v1/candidates/${m.candidate.id}/alert`)).json().alert.minScore;
    expect((await m.admin.patch(`/v1/candidates/${m.candidate.id}`, { minScore: 0.05 })).statusCode).toBe(
      200,
    );
    expect((await m.admin.get(`/v1/candidates/${m.candidate.id}/alert`)).json().alert.minScore).toBe(
      threshold,
    );
    expect(threshold).not.toBe(0.05);
    const elsewhere = await m.admin.get(`/v1/candidates/${m.candidate.id}/alert/events?cursor=${cursor}`);
    expect(expectProblem(elsewhere, 400, 'invalid_cursor').detail).toContain('for this feed');
    // Sealed: the cursor shows nothing (the sequence counts every workspace's events), and a
    // changed byte makes it one the service did not issue.
    const text = Buffer.from(second.nextCursor, 'base64url').toString('latin1');
    expect(text).not.toContain('seq');
    const bytes = Buffer.from(second.nextCursor, 'base64url');
    bytes[bytes.length - 1]! ^= 1;
    const tampered = encodeURIComponent(bytes.toString('base64url'));
    expectProblem(
      await m.admin.get(`/v1/jobs/${m.job.id}/alert/events?cursor=${tampered}`),
      400,
      'invalid_cursor',
    );
    // A cursor from before the seal ({ seq } alone, base64url JSON) still works, unless it is
    // beyond every event ever raised (not issued) or names more than its place.
    const unsealed = (body: object) =>
      encodeURIComponent(Buffer.from(JSON.stringify(body)).toString('base64url'));
    const feed = (c: string) => m.admin.get(`/v1/jobs/${m.job.id}/alert/events?cursor=${c}`);
    expect((await feed(unsealed({ seq: 1 }))).json().events).toHaveLength(3);
    expectProblem(await feed(unsealed({ seq: 10 ** 12 })), 400, 'invalid_cursor');
    expectProblem(await feed(unsealed({ seq: 1, of: m.job.id })), 400, 'invalid_cursor');
  });

  it('answers 404 to a key outside the subject’s reach, as for a missing record', async () => {
    const m = await market();
    const otherEmployer = await createEmployer(t.app, m.adminKey);
    const other = await createCandidate(t.app, m.adminKey);
    const employerKey = (await mintKey(t.app, m.adminKey, { role: 'employer', employerId: otherEmployer.id }))
      .key;
    const candidateKey = (await mintKey(t.app, m.adminKey, { role: 'candidate', candidateId: other.id })).key;
    const stranger = await createWorkspace(t.app);
    const paths = [`/v1/jobs/${m.job.id}`, `/v1/candidates/${m.candidate.id}`];
    for (const key of [employerKey, candidateKey, stranger.adminKey]) {
      const api = caller(t.app, key);
      for (const path of paths) {
        expectProblem(await api.put(`${path}/alert`, {}), 404, 'not_found');
        expectProblem(await api.get(`${path}/alert`), 404, 'not_found');
        expectProblem(await api.delete(`${path}/alert`), 404, 'not_found');
        expectProblem(await api.get(`${path}/alert/events`), 404, 'not_found');
      }
    }
    const own = caller(
      t.app,
      (await mintKey(t.app, m.adminKey, { role: 'employer', employerId: m.employer.id })).key,
    );
    expect((await own.put(`/v1/jobs/${m.job.id}/alert`, { minScore: 0.7 })).statusCode).toBe(200);
    const self = caller(
      t.app,
      (await mintKey(t.app, m.adminKey, { role: 'candidate', candidateId: m.candidate.id })).key,
    );
    expect((await self.put(`/v1/candidates/${m.candidate.id}/alert`, {})).statusCode).toBe(200);
    expectProblem(
      await self.put(`/v1/candidates/${m.candidate.id}/alert`, { minScore: 2 }),
      400,
      'validation_failed',
    );
  });

  it('announces candidates of a bulk upload to an alerting job', async () => {
    const m = await market();
    await m.admin.put(`/v1/jobs/${m.job.id}/alert`, {});
    const lines = ['a', 'b', 'c'].map((externalId, i) => ({
      externalId,
      contact: { name: `Person ${externalId}`, email: `${externalId}-${m.job.id}@example.com` },
      questionnaireId: 'mini',
      answers: i === 1 ? marketCandidates.tooExpensive.answers : goodCandidate,
    }));
    const upload = () =>
      t.app.inject({
        method: 'POST',
        url: '/v1/candidates:bulk',
        headers: { ...bearer(m.adminKey), 'content-type': 'application/x-ndjson' },
        payload: lines.map((line) => JSON.stringify(line)).join('\n'),
      });
    const response = await upload();
    expect(response.statusCode, response.body).toBe(200);
    const ids = response.json().results.map((r: { id: string }) => r.id);
    const created = (await m.feed(`/v1/jobs/${m.job.id}`)).map((e) => e.candidateId).sort();
    expect(created).toEqual([ids[0], ids[2]].sort());
    // The same upload again changes nothing, and announces nothing.
    const again = await upload();
    expect(again.json().summary).toEqual({ created: 0, updated: 0, unchanged: 3, failed: 0 });
    expect(await m.feed(`/v1/jobs/${m.job.id}`)).toHaveLength(2);
  });

  it('delivers the events signed, and on erasure tells the alerting job without contact details', async () => {
    const m = await market();
    const hooks = await receiver();
    const { secret } = await subscribe(m.admin, hooks.url, ['match.created', 'match.removed']);
    await m.admin.put(`/v1/jobs/${m.job.id}/alert`, {});
    await m.admin.put(`/v1/candidates/${m.candidate.id}/alert`, {});
    await m.put(`/v1/candidates/${m.candidate.id}/answers`, goodCandidate);
    // (Erasure drops deliveries still pending that name the candidate: let these two go out first.)
    await eventually(async () => hooks.received.length === 2, 30_000, 25);
    expect((await m.admin.delete(`/v1/candidates/${m.candidate.id}`)).statusCode).toBe(204);
    await eventually(async () => hooks.received.length === 3, 30_000, 25);
    const bodies = hooks.received.map((r) => verified(secret, r));
    const pair = { jobId: m.job.id, candidateId: m.candidate.id };
    const order = (b: WebhookEvent) => `${b.type}:${b.data.alertOf}`;
    expect(bodies.sort((a, b) => order(a).localeCompare(order(b)))).toEqual([
      {
        type: 'match.created',
        timestamp: expect.any(String),
        data: { ...pair, score: expect.any(Number), alertOf: 'candidate' },
      },
      {
        type: 'match.created',
        timestamp: expect.any(String),
        data: { ...pair, score: expect.any(Number), alertOf: 'job' },
      },
      {
        type: 'match.removed',
        timestamp: expect.any(String),
        data: { ...pair, score: null, alertOf: 'job' },
      },
    ]);
    for (const r of hooks.received) expect(r.body).not.toContain(m.candidate.contact.email);
    expect((await m.feed(`/v1/jobs/${m.job.id}`)).map((e) => e.type)).toEqual(['match.removed']);
  });
});
