import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { candidates } from '../../src/db/schema.ts';
import { createTestApp, useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import {
  caller,
  createCandidate,
  createEmployer,
  createWorkspace,
  expectProblem,
  mintKey,
} from '../support/factories.ts';
import { createMarket, matchedCandidateIds, matchedJobIds } from '../support/matching-factories.ts';

/** PATCH /v1/candidates/{id} { paused, hiddenFromEmployerIds }: who may, what is checked, where it shows. */
describe.each(availableDatabaseKinds())('candidate privacy settings on %s', (kind) => {
  const t = useTestApp({ kind });

  async function candidateWithEmployers() {
    const { adminKey, admin } = await createWorkspace(t.app);
    const candidate = await createCandidate(t.app, adminKey);
    const employers = await Promise.all([1, 2, 3].map(() => createEmployer(t.app, adminKey)));
    return { adminKey, admin, candidate, employerIds: employers.map((e) => e.id) };
  }

  it('starts a candidate unpaused and hidden from nobody', async () => {
    const { admin, candidate } = await candidateWithEmployers();
    expect(candidate).toMatchObject({ paused: false, hiddenFromEmployerIds: [], hiddenFromEmployers: [] });
    const listed = (await admin.get('/v1/candidates')).json().candidates;
    expect(listed).toEqual([expect.objectContaining({ paused: false, hiddenFromEmployerIds: [] })]);
  });

  it('pauses and hides by an admin; the list comes back sorted and shows in the candidate, the list and the export', async () => {
    const { admin, candidate, employerIds } = await candidateWithEmployers();
    // The same id in upper case too: one uuid, kept once.
    const given = [...[...employerIds].reverse(), employerIds[2]!.toUpperCase()];
    const response = await admin.patch(`/v1/candidates/${candidate.id}`, {
      paused: true,
      hiddenFromEmployerIds: given,
    });
    expect(response.statusCode, response.body).toBe(200);
    const sorted = [...employerIds].sort();
    expect(response.json().candidate).toMatchObject({ paused: true, hiddenFromEmployerIds: sorted });
    const read = (await admin.get(`/v1/candidates/${candidate.id}`)).json().candidate;
    expect(read).toMatchObject({ paused: true, hiddenFromEmployerIds: sorted, contact: candidate.contact });
    expect((await admin.get('/v1/candidates')).json().candidates[0]).toMatchObject({
      paused: true,
      hiddenFromEmployerIds: sorted,
    });
    const exported = (await admin.get(`/v1/candidates/${candidate.id}/export`)).json().export;
    expect(exported.candidate).toMatchObject({ paused: true, hiddenFromEmployerIds: sorted });
  });

  it('lets the candidate change its own settings with its key or a browser session, other fields untouched', async () => {
    const { adminKey, admin, candidate, employerIds } = await candidateWithEmployers();
    const key = await mintKey(t.app, adminKey, { role: 'candidate', candidateId: candidate.id });
    const self = caller(t.app, key.key);
    const paused = await self.patch(`/v1/candidates/${candidate.id}`, { paused: true });
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json().candidate).toMatchObject({
      paused: true,
      hiddenFromEmployerIds: [],
      headline: candidate.headline,
      minScore: candidate.minScore,
    });
    const session = (await admin.post('/v1/sessions', { candidateId: candidate.id })).json().session;
    const browser = caller(t.app, session.token);
    const hidden = await browser.patch(`/v1/candidates/${candidate.id}`, {
      hiddenFromEmployerIds: [employerIds[0]],
    });
    expect(hidden.statusCode, hidden.body).toBe(200);
    expect(hidden.json().candidate).toMatchObject({ paused: true, hiddenFromEmployerIds: [employerIds[0]] });
    const resumed = await browser.patch(`/v1/candidates/${candidate.id}`, {
      paused: false,
      hiddenFromEmployerIds: [],
    });
    expect(resumed.json().candidate).toMatchObject({ paused: false, hiddenFromEmployerIds: [] });
  });

  it('answers the same to the same PATCH sent twice', async () => {
    const { admin, candidate, employerIds } = await candidateWithEmployers();
    const body = { paused: true, hiddenFromEmployerIds: employerIds.slice(0, 2) };
    const first = await admin.patch(`/v1/candidates/${candidate.id}`, body);
    const second = await admin.patch(`/v1/candidates/${candidate.id}`, body);
    expect(second.statusCode).toBe(200);
    const { updatedAt: _a, ...once } = first.json().candidate;
    const { updatedAt: _b, ...twice } = second.json().candidate;
    expect(twice).toEqual(once);
  });

  it('answers 404 to another candidate, another workspace and an employer key, and changes nothing', async () => {
    const { adminKey, admin, candidate } = await candidateWithEmployers();
    const other = await createCandidate(t.app, adminKey);
    const otherKey = await mintKey(t.app, adminKey, { role: 'candidate', candidateId: other.id });
    const employer = await createEmployer(t.app, adminKey);
    const employerKey = await mintKey(t.app, adminKey, { role: 'employer', employerId: employer.id });
    const stranger = await createWorkspace(t.app);
    for (const api of [caller(t.app, otherKey.key), caller(t.app, employerKey.key), stranger.admin]) {
      expectProblem(await api.patch(`/v1/candidates/${candidate.id}`, { paused: true }), 404, 'not_found');
    }
    expect((await admin.get(`/v1/candidates/${candidate.id}`)).json().candidate.paused).toBe(false);
  });

  it('answers 422 naming every id that is no employer of the workspace, another workspace’s included', async () => {
    const { admin, candidate, employerIds } = await candidateWithEmployers();
    const stranger = await createWorkspace(t.app);
    const theirs = await createEmployer(t.app, stranger.adminKey);
    const ghost = '0190aaaa-0000-7000-8000-000000000001';
    const response = await admin.patch(`/v1/candidates/${candidate.id}`, {
      paused: true,
      hiddenFromEmployerIds: [employerIds[0], theirs.id, ghost],
    });
    const problem = expectProblem(response, 422, 'invalid_input');
    expect(problem.detail).toContain(theirs.id);
    expect(problem.detail).toContain(ghost);
    expect(problem.detail).not.toContain(employerIds[0]);
    expect(problem.errors?.map((e) => e.path).sort()).toEqual([
      'body.hiddenFromEmployerIds.1',
      'body.hiddenFromEmployerIds.2',
    ]);
    expect((await admin.get(`/v1/candidates/${candidate.id}`)).json().candidate).toMatchObject({
      paused: false,
      hiddenFromEmployerIds: [],
    });
    // A candidate of another workspace is not found before its list is looked at.
    const elsewhere = await stranger.admin.patch(`/v1/candidates/${candidate.id}`, {
      hiddenFromEmployerIds: [theirs.id],
    });
    expectProblem(elsewhere, 404, 'not_found');
  });

  it('refuses a list over 1,000 ids, a repeated id and a malformed one with 400', async () => {
    const { admin, candidate, employerIds } = await candidateWithEmployers();
    const many = Array.from(
      { length: 1001 },
      (_, i) => `0190aaaa-0000-7000-8000-${String(i).padStart(12, '0')}`,
    );
    for (const hiddenFromEmployerIds of [many, [employerIds[0], employerIds[0]], ['acme']]) {
      const response = await admin.patch(`/v1/candidates/${candidate.id}`, { hiddenFromEmployerIds });
      expectProblem(response, 400, 'validation_failed');
    }
    expectProblem(
      await admin.patch(`/v1/candidates/${candidate.id}`, { paused: 'yes' }),
      400,
      'validation_failed',
    );
  });

  it('takes a deleted employer out of every hidden list, and its other employers stay hidden', async () => {
    const { admin, candidate, employerIds } = await candidateWithEmployers();
    const [gone, kept] = [...employerIds].sort();
    await admin.patch(`/v1/candidates/${candidate.id}`, { hiddenFromEmployerIds: [gone, kept] });
    expect((await admin.delete(`/v1/employers/${gone}`)).statusCode).toBe(204);
    const read = (await admin.get(`/v1/candidates/${candidate.id}`)).json().candidate;
    expect(read.hiddenFromEmployerIds).toEqual([kept]);
    // So the list read back can be sent back as it is.
    const again = await admin.patch(`/v1/candidates/${candidate.id}`, {
      hiddenFromEmployerIds: read.hiddenFromEmployerIds,
    });
    expect(again.statusCode, again.body).toBe(200);
  });

  it('names the hidden employers (id and name only) to the candidate’s session after PATCH and on every read, a deleted one in neither list', async () => {
    const { adminKey, admin, candidate } = await candidateWithEmployers();
    const named = await Promise.all(
      ['Bakkerij De Korenaar', 'Atelier Lumière'].map((name) => createEmployer(t.app, adminKey, { name })),
    );
    const expected = named.map(({ id, name }) => ({ id, name })).sort((a, b) => (a.id < b.id ? -1 : 1));
    const session = (await admin.post('/v1/sessions', { candidateId: candidate.id })).json().session;
    const browser = caller(t.app, session.token);
    const saved = await browser.patch(`/v1/candidates/${candidate.id}`, {
      hiddenFromEmployerIds: named.map((employer) => employer.id),
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().candidate.hiddenFromEmployers).toEqual(expected);
    const read = (await browser.get(`/v1/candidates/${candidate.id}`)).json().candidate;
    expect(read.hiddenFromEmployers).toEqual(expected);
    expect(read.hiddenFromEmployerIds).toEqual(expected.map((employer) => employer.id));
    // Pausing alone answers the names too: the page adopts every PATCH's answer.
    const paused = (await browser.patch(`/v1/candidates/${candidate.id}`, { paused: true })).json();
    expect(paused.candidate.hiddenFromEmployers).toEqual(expected);

    expect((await admin.delete(`/v1/employers/${expected[0]!.id}`)).statusCode).toBe(204);
    const after = (await browser.get(`/v1/candidates/${candidate.id}`)).json().candidate;
    expect(after).toMatchObject({
      hiddenFromEmployerIds: [expected[1]!.id],
      hiddenFromEmployers: [expected[1]],
    });
  });

  it('leaves nothing of the settings once the candidate is erased', async () => {
    const { admin, candidate, employerIds } = await candidateWithEmployers();
    await admin.patch(`/v1/candidates/${candidate.id}`, { paused: true, hiddenFromEmployerIds: employerIds });
    expect((await admin.delete(`/v1/candidates/${candidate.id}`)).statusCode).toBe(204);
    expectProblem(await admin.get(`/v1/candidates/${candidate.id}/export`), 404, 'not_found');
    const [left] = await t.database.db
      .select({ n: count() })
      .from(candidates)
      .where(eq(candidates.id, candidate.id));
    expect(left?.n).toBe(0);
  });

  it('reaches another replica through the change feed, and an app started later loads both settings', async () => {
    const m = await createMarket(t.app);
    const replica = await createTestApp({ database: t.database });
    try {
      await replica.app.changeFollower.stop();
      const onReplica = caller(replica.app, m.adminKey);
      expect(await matchedCandidateIds(onReplica, m.job.id)).toEqual([m.ids.better, m.ids.good]);
      await m.admin.patch(`/v1/candidates/${m.ids.better}`, { paused: true });
      await m.admin.patch(`/v1/candidates/${m.ids.good}`, { hiddenFromEmployerIds: [m.employer.id] });
      await replica.app.changeFollower.catchUp();
      expect(await matchedCandidateIds(onReplica, m.job.id)).toEqual([]);
      expect(await matchedJobIds(onReplica, m.ids.good)).toEqual([m.otherJob.id]);
      // An app started now loads both settings with the index.
      const late = await createTestApp({ database: t.database });
      try {
        const onLate = caller(late.app, m.adminKey);
        expect(await matchedCandidateIds(onLate, m.job.id)).toEqual([]);
        expect(await matchedJobIds(onLate, m.ids.good)).toEqual([m.otherJob.id]);
      } finally {
        await late.close();
      }
      await m.admin.patch(`/v1/candidates/${m.ids.better}`, { paused: false });
      await m.admin.patch(`/v1/candidates/${m.ids.good}`, { hiddenFromEmployerIds: [] });
      await replica.app.changeFollower.catchUp();
      expect(await matchedCandidateIds(onReplica, m.job.id)).toEqual([m.ids.better, m.ids.good]);
    } finally {
      await replica.close();
    }
  });
});
