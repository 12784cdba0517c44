import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import {
  caller,
  createCandidate,
  createEmployer,
  createJob,
  createWorkspace,
  expectProblem,
  mintKey,
  unique,
} from '../support/factories.ts';

// A client that runs the same script twice (the README's walk-through) carries on with the
// record the 409 names.
describe.each(availableDatabaseKinds())('a duplicate externalId on %s', (kind) => {
  const t = useTestApp({ kind });

  // For each kind: makes one record with the given externalId (or none), and the body of a create.
  const kinds = {
    employers: {
      make: (key: string, fields: Record<string, unknown>) => createEmployer(t.app, key, fields),
      body: () => ({ name: 'Twin' }),
    },
    jobs: {
      make: async (key: string, fields: Record<string, unknown>) =>
        createJob(t.app, key, (await createEmployer(t.app, key)).id, fields),
      body: (first: { employerId?: string }) => ({ employerId: first.employerId, title: 'Twin' }),
    },
    candidates: {
      make: (key: string, fields: Record<string, unknown>) => createCandidate(t.app, key, fields),
      body: () => ({ contact: { name: 'Twin', email: 'twin@example.com' } }),
    },
  };

  it.each(Object.keys(kinds) as (keyof typeof kinds)[])(
    'answers 409 naming the existing record of %s, on create and on change',
    async (path) => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const externalId = unique(path);
      const first: { id: string; employerId?: string } = await kinds[path].make(adminKey, { externalId });
      const again = expectProblem(
        await admin.post(`/v1/${path}`, { ...kinds[path].body(first), externalId }),
        409,
        'conflict',
      );
      expect(again).toMatchObject({ existingId: first.id, detail: expect.stringContaining(first.id) });
      const second = await kinds[path].make(adminKey, {});
      const changed = expectProblem(
        await admin.patch(`/v1/${path}/${second.id}`, { externalId }),
        409,
        'conflict',
      );
      expect(changed).toMatchObject({ existingId: first.id });
    },
  );

  // externalId is the integration's key for its upserts: an employer or a candidate who could set
  // it could take an id the integration writes later (and receive that record's data), and a 409
  // would tell them which ids exist.
  it('refuses an externalId from employer and candidate keys, naming the field, and writes nothing', async () => {
    const { adminKey, admin } = await createWorkspace(t.app);
    const mine = await createEmployer(t.app, adminKey);
    const theirs = await createEmployer(t.app, adminKey, { externalId: unique('theirs') });
    const myJob = await createJob(t.app, adminKey, mine.id, { externalId: unique('my-job') });
    const employer = caller(
      t.app,
      (await mintKey(t.app, adminKey, { role: 'employer', employerId: mine.id })).key,
    );
    const me = await createCandidate(t.app, adminKey, { externalId: unique('me') });
    const candidate = caller(
      t.app,
      (await mintKey(t.app, adminKey, { role: 'candidate', candidateId: me.id })).key,
    );

    const refusals = [
      // a free id, one another record has, and clearing one's own
      await employer.post('/v1/jobs', { employerId: mine.id, title: 'X', externalId: unique('free') }),
      await employer.patch(`/v1/jobs/${myJob.id}`, { externalId: unique('free') }),
      await employer.patch(`/v1/jobs/${myJob.id}`, { externalId: null }),
      await employer.patch(`/v1/employers/${mine.id}`, { externalId: theirs.externalId }),
      await candidate.patch(`/v1/candidates/${me.id}`, { externalId: unique('victim@example.com') }),
      await candidate.patch(`/v1/candidates/${me.id}`, { externalId: theirs.externalId, headline: 'Hi' }),
    ];
    for (const response of refusals) {
      const problem = expectProblem(response, 400, 'validation_failed');
      expect(problem.detail).toContain('Only an admin key');
      expect(problem.errors).toEqual([{ path: 'body.externalId', message: 'only an admin key can set it' }]);
    }
    // Nothing was written: no new job, and every record keeps its id and fields.
    const jobs = (await admin.get(`/v1/jobs?employerId=${mine.id}`)).json().jobs;
    expect(jobs.map((j: { id: string; externalId: string }) => [j.id, j.externalId])).toEqual([
      [myJob.id, myJob.externalId],
    ]);
    expect((await admin.get(`/v1/employers/${mine.id}`)).json().employer.externalId).toBeNull();
    expect((await admin.get(`/v1/candidates/${me.id}`)).json().candidate).toMatchObject({
      externalId: me.externalId,
      headline: me.headline ?? null,
    });

    // The same keys change their records' other fields as before.
    expect((await employer.patch(`/v1/jobs/${myJob.id}`, { title: 'Renamed' })).statusCode).toBe(200);
    expect((await candidate.patch(`/v1/candidates/${me.id}`, { headline: 'Planner' })).statusCode).toBe(200);
  });
});
