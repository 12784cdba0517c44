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

  it('names the existing record only when the caller may see it', async () => {
    const { adminKey } = await createWorkspace(t.app);
    const mine = await createEmployer(t.app, adminKey);
    const theirs = await createEmployer(t.app, adminKey, { externalId: unique('theirs') });
    const theirJob = await createJob(t.app, adminKey, theirs.id, { externalId: unique('their-job') });
    const myJob = await createJob(t.app, adminKey, mine.id, { externalId: unique('my-job') });
    const employer = caller(
      t.app,
      (await mintKey(t.app, adminKey, { role: 'employer', employerId: mine.id })).key,
    );

    const clashWithTheirs = expectProblem(
      await employer.post('/v1/jobs', { employerId: mine.id, title: 'X', externalId: theirJob.externalId }),
      409,
      'conflict',
    );
    expect(clashWithTheirs).not.toHaveProperty('existingId');
    expect(clashWithTheirs.detail).not.toContain(theirJob.id);
    const clashWithMine = expectProblem(
      await employer.post('/v1/jobs', { employerId: mine.id, title: 'X', externalId: myJob.externalId }),
      409,
      'conflict',
    );
    expect(clashWithMine).toMatchObject({ existingId: myJob.id });
    const renameToTheirs = expectProblem(
      await employer.patch(`/v1/employers/${mine.id}`, { externalId: theirs.externalId }),
      409,
      'conflict',
    );
    expect(renameToTheirs).not.toHaveProperty('existingId');

    const [me, other] = [
      await createCandidate(t.app, adminKey),
      await createCandidate(t.app, adminKey, { externalId: unique('c') }),
    ];
    const candidate = caller(
      t.app,
      (await mintKey(t.app, adminKey, { role: 'candidate', candidateId: me.id })).key,
    );
    const clash = expectProblem(
      await candidate.patch(`/v1/candidates/${me.id}`, { externalId: other.externalId }),
      409,
      'conflict',
    );
    expect(clash).not.toHaveProperty('existingId');
  });
});
