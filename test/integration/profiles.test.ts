import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import {
  type Candidate,
  caller,
  createCandidate,
  createEmployer,
  createJob,
  createWorkspace,
  type Employer,
  expectProblem,
  type Job,
  mintKey,
  tablesMentioning,
  unique,
  walkList,
} from '../support/factories.ts';

describe.each(availableDatabaseKinds())('profiles on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ kind });
  });
  afterAll(() => t.close());

  describe('workspaces and api keys', () => {
    it('creates a workspace with a first admin key that is stored only as a hash', async () => {
      const { workspace, adminKey, admin } = await createWorkspace(t.app);
      const seen = await admin.get('/v1/workspace');
      expect(seen.statusCode).toBe(200);
      expect(seen.json().workspace).toMatchObject({ id: workspace.id, name: workspace.name });
      const stored = await tablesMentioning(t.database.db, adminKey);
      expect(
        Object.values(stored).every((count) => count === 0),
        JSON.stringify(stored),
      ).toBe(true);
    });

    it('mints employer and candidate keys bound to their records and lists them without secrets', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const employer = await createEmployer(t.app, adminKey);
      const candidate = await createCandidate(t.app, adminKey);
      const employerKey = await mintKey(t.app, adminKey, { role: 'employer', employerId: employer.id });
      const candidateKey = await mintKey(t.app, adminKey, { role: 'candidate', candidateId: candidate.id });
      expect(employerKey).toMatchObject({ role: 'employer', employerId: employer.id, key: /^mf_/ });
      expect(candidateKey).toMatchObject({ role: 'candidate', candidateId: candidate.id, key: /^mf_/ });

      const listed = await admin.get('/v1/api-keys');
      expect(listed.statusCode).toBe(200);
      const keys = listed.json().apiKeys as Record<string, unknown>[];
      expect(keys.map((key) => key.id)).toEqual(expect.arrayContaining([employerKey.id, candidateKey.id]));
      for (const key of keys) expect(key).not.toHaveProperty('key');
      for (const secret of [adminKey, employerKey.key, candidateKey.key]) {
        expect(listed.body).not.toContain(secret);
      }
      expect(keys.find((key) => key.id === employerKey.id)?.keyPrefix).toBe(employerKey.key.slice(0, 10));
    });

    it('revokes a key so that it answers 401 unauthorized at once', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const second = await mintKey(t.app, adminKey, { role: 'admin' });
      expect((await caller(t.app, second.key).get('/v1/workspace')).statusCode).toBe(200);
      expect((await admin.delete(`/v1/api-keys/${second.id}`)).statusCode).toBe(204);
      expectProblem(await caller(t.app, second.key).get('/v1/workspace'), 401, 'unauthorized');
      const listed = (await admin.get('/v1/api-keys')).json().apiKeys as { id: string; revokedAt: unknown }[];
      expect(listed.find((key) => key.id === second.id)?.revokedAt).toEqual(expect.any(String));
    });

    it('answers 422 invalid_input when binding a key to a record of another workspace', async () => {
      const mine = await createWorkspace(t.app);
      const theirs = await createWorkspace(t.app);
      const employer = await createEmployer(t.app, theirs.adminKey);
      const candidate = await createCandidate(t.app, theirs.adminKey);
      const asEmployer = await mine.admin.post('/v1/api-keys', { role: 'employer', employerId: employer.id });
      expectProblem(asEmployer, 422, 'invalid_input');
      const asCandidate = await mine.admin.post('/v1/api-keys', {
        role: 'candidate',
        candidateId: candidate.id,
      });
      expectProblem(asCandidate, 422, 'invalid_input');
    });
  });

  describe('employers', () => {
    it('creates, reads, renames and deletes an employer, with its jobs', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const employer = await createEmployer(t.app, adminKey, { name: 'Acme', externalId: 'acme-1' });
      expect(employer).toMatchObject({ name: 'Acme', externalId: 'acme-1' });
      const job = await createJob(t.app, adminKey, employer.id);
      expect((await admin.get(`/v1/employers/${employer.id}`)).json().employer).toEqual(employer);

      const renamed = await admin.patch(`/v1/employers/${employer.id}`, { name: 'Acme Corp' });
      expect(renamed.statusCode).toBe(200);
      expect(renamed.json().employer).toMatchObject({
        id: employer.id,
        name: 'Acme Corp',
        externalId: 'acme-1',
      });

      expect((await admin.delete(`/v1/employers/${employer.id}`)).statusCode).toBe(204);
      expectProblem(await admin.get(`/v1/employers/${employer.id}`), 404, 'not_found');
      expectProblem(await admin.get(`/v1/jobs/${job.id}`), 404, 'not_found');
    });

    it('answers 409 conflict for an externalId already used in the workspace, but not in another', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const other = await createWorkspace(t.app);
      const externalId = unique('emp');
      await createEmployer(t.app, adminKey, { externalId });
      expectProblem(await admin.post('/v1/employers', { name: 'Twin', externalId }), 409, 'conflict');
      await createEmployer(t.app, other.adminKey, { externalId });

      const second = await createEmployer(t.app, adminKey);
      expectProblem(await admin.patch(`/v1/employers/${second.id}`, { externalId }), 409, 'conflict');
      const listed = await admin.get(`/v1/employers?externalId=${externalId}`);
      expect(listed.json().employers).toHaveLength(1);
    });
  });

  describe('jobs', () => {
    it('defaults capacity to 1, status to open and minScore to 0.5', async () => {
      const { adminKey } = await createWorkspace(t.app);
      const employer = await createEmployer(t.app, adminKey);
      const job = await createJob(t.app, adminKey, employer.id, { title: 'Welder' });
      expect(job).toMatchObject({
        employerId: employer.id,
        title: 'Welder',
        capacity: 1,
        status: 'open',
        minScore: 0.5,
        externalId: null,
      });
    });

    it.each([
      ['capacity 0', { capacity: 0 }, 'capacity'],
      ['a fractional capacity', { capacity: 1.5 }, 'capacity'],
      ['minScore above 1', { minScore: 1.01 }, 'minScore'],
      ['a negative minScore', { minScore: -0.1 }, 'minScore'],
      ['an unknown status', { status: 'paused' }, 'status'],
      ['an empty title', { title: '  ' }, 'title'],
    ])('answers 400 validation_failed for %s', async (_case, fields, field) => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const employer = await createEmployer(t.app, adminKey);
      const response = await admin.post('/v1/jobs', { employerId: employer.id, title: 'Job', ...fields });
      const problem = expectProblem(response, 400, 'validation_failed');
      expect(problem.errors?.map((error) => error.path)).toContain(`body.${field}`);
      expect((await admin.get('/v1/jobs')).json().jobs).toEqual([]);
    });

    it('closes a job and answers 409 conflict for a clashing externalId', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const employer = await createEmployer(t.app, adminKey);
      const first = await createJob(t.app, adminKey, employer.id, { externalId: 'job-1', capacity: 3 });
      const second = await createJob(t.app, adminKey, employer.id);
      const closed = await admin.patch(`/v1/jobs/${first.id}`, { status: 'closed', minScore: 0.7 });
      expect(closed.json().job).toMatchObject({ status: 'closed', minScore: 0.7, capacity: 3 });
      const clash = await admin.post('/v1/jobs', {
        employerId: employer.id,
        title: 'Twin',
        externalId: 'job-1',
      });
      expectProblem(clash, 409, 'conflict');
      expectProblem(await admin.patch(`/v1/jobs/${second.id}`, { externalId: 'job-1' }), 409, 'conflict');
    });

    it('answers 422 invalid_input for an employer of another workspace', async () => {
      const mine = await createWorkspace(t.app);
      const theirs = await createWorkspace(t.app);
      const employer = await createEmployer(t.app, theirs.adminKey);
      const response = await mine.admin.post('/v1/jobs', { employerId: employer.id, title: 'Job' });
      expectProblem(response, 422, 'invalid_input');
    });
  });

  describe('candidates', () => {
    it('keeps contact details apart: shown on create and read, never in lists', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const contact = {
        name: 'Ann Peeters',
        email: `${unique('ann')}@example.com`,
        phone: '+32 470 12 34 56',
      };
      const candidate = await createCandidate(t.app, adminKey, { contact, minScore: 0.6, externalId: 'c-1' });
      expect(candidate).toMatchObject({
        headline: 'Backend developer',
        minScore: 0.6,
        externalId: 'c-1',
        contact,
      });
      expect((await admin.get(`/v1/candidates/${candidate.id}`)).json().candidate.contact).toEqual(contact);

      const listed = await admin.get('/v1/candidates');
      expect(listed.json().candidates).toEqual([expect.objectContaining({ id: candidate.id })]);
      expect(listed.json().candidates[0]).not.toHaveProperty('contact');
      for (const detail of Object.values(contact)) expect(listed.body).not.toContain(detail);
    });

    it('changes only the contact fields given and keeps the others', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const candidate = await createCandidate(t.app, adminKey);
      const patched = await admin.patch(`/v1/candidates/${candidate.id}`, {
        headline: null,
        contact: { phone: '+32 2 123 45 67' },
      });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(patched.json().candidate).toMatchObject({
        headline: null,
        contact: { ...candidate.contact, phone: '+32 2 123 45 67' },
      });
    });

    it('answers 400 validation_failed for an invalid email and 409 conflict for a used externalId', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const bad = await admin.post('/v1/candidates', { contact: { name: 'X', email: 'not-an-email' } });
      const problem = expectProblem(bad, 400, 'validation_failed');
      expect(problem.errors?.map((error) => error.path)).toContain('body.contact.email');
      await createCandidate(t.app, adminKey, { externalId: 'cand-1' });
      const clash = await admin.post('/v1/candidates', {
        externalId: 'cand-1',
        contact: { name: 'Y', email: 'y@example.com' },
      });
      expectProblem(clash, 409, 'conflict');
      expect((await admin.get('/v1/candidates')).json().candidates).toHaveLength(1);
    });
  });

  describe('lists', () => {
    const kinds = [
      ['employers', async (key: string, _employer: Employer) => (await createEmployer(t.app, key)).id],
      ['jobs', async (key: string, employer: Employer) => (await createJob(t.app, key, employer.id)).id],
      ['candidates', async (key: string) => (await createCandidate(t.app, key)).id],
    ] as const;

    it.each(kinds)(
      'walks every one of the %s exactly once, ending with nextCursor null',
      async (path, make) => {
        const { adminKey, admin } = await createWorkspace(t.app);
        const employer = await createEmployer(t.app, adminKey);
        const made: string[] = path === 'employers' ? [employer.id] : [];
        for (let i = 0; i < 7; i++) made.push(await make(adminKey, employer));
        const walked = await walkList(admin, `/v1/${path}`, path, 3);
        expect(walked).toHaveLength(made.length);
        expect(new Set(walked)).toEqual(new Set(made));
        const last = await admin.get(`/v1/${path}?limit=100`);
        expect(last.json().nextCursor).toBeNull();
      },
    );

    it.each(kinds)(
      'repeats and skips none of the %s when rows are added between pages',
      async (path, make) => {
        const { adminKey, admin } = await createWorkspace(t.app);
        const employer = await createEmployer(t.app, adminKey);
        const original = path === 'employers' ? [employer.id] : [];
        for (let i = 0; i < 6; i++) original.push(await make(adminKey, employer));
        const walked = await walkList(admin, `/v1/${path}`, path, 2, async () => {
          await make(adminKey, employer);
        });
        expect(new Set(walked).size).toBe(walked.length);
        for (const id of original) expect(walked.filter((seen) => seen === id)).toHaveLength(1);
      },
    );

    it.each(['employers', 'jobs', 'candidates'])(
      'answers 400 validation_failed for %s?limit=0 and limit=101',
      async (path) => {
        const { admin } = await createWorkspace(t.app);
        for (const limit of [0, 101]) {
          const problem = expectProblem(
            await admin.get(`/v1/${path}?limit=${limit}`),
            400,
            'validation_failed',
          );
          expect(problem.errors?.map((error) => error.path)).toContain('querystring.limit');
        }
      },
    );

    it('filters by externalId, and jobs by employerId and status', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const acme = await createEmployer(t.app, adminKey, { externalId: 'acme' });
      const beta = await createEmployer(t.app, adminKey);
      const open = await createJob(t.app, adminKey, acme.id, { externalId: 'j-open' });
      const closed = await createJob(t.app, adminKey, acme.id, { status: 'closed' });
      const betaJob = await createJob(t.app, adminKey, beta.id);
      const candidate = await createCandidate(t.app, adminKey, { externalId: 'cand-x' });
      await createCandidate(t.app, adminKey);

      const ids = async (url: string, field: string) =>
        ((await admin.get(url)).json()[field] as { id: string }[]).map((item) => item.id);
      expect(await ids('/v1/employers?externalId=acme', 'employers')).toEqual([acme.id]);
      expect(await ids('/v1/jobs?externalId=j-open', 'jobs')).toEqual([open.id]);
      expect(await ids('/v1/candidates?externalId=cand-x', 'candidates')).toEqual([candidate.id]);
      expect(await ids('/v1/candidates?externalId=nobody', 'candidates')).toEqual([]);
      expect(await ids(`/v1/jobs?employerId=${acme.id}`, 'jobs')).toEqual([open.id, closed.id]);
      expect(await ids(`/v1/jobs?employerId=${beta.id}`, 'jobs')).toEqual([betaJob.id]);
      expect(await ids('/v1/jobs?status=closed', 'jobs')).toEqual([closed.id]);
      expect(await ids(`/v1/jobs?status=open&employerId=${acme.id}`, 'jobs')).toEqual([open.id]);
    });
  });

  describe('an employer key', () => {
    async function employerMarket() {
      const { adminKey, admin } = await createWorkspace(t.app);
      const own = await createEmployer(t.app, adminKey);
      const other = await createEmployer(t.app, adminKey);
      const ownJob = await createJob(t.app, adminKey, own.id);
      const otherJob = await createJob(t.app, adminKey, other.id);
      const candidate = await createCandidate(t.app, adminKey);
      const key = await mintKey(t.app, adminKey, { role: 'employer', employerId: own.id });
      return { admin, own, other, ownJob, otherJob, candidate, api: caller(t.app, key.key) };
    }

    it('sees and changes only its own employer, and cannot create or delete employers', async () => {
      const { api, own, other } = await employerMarket();
      expect((await api.get(`/v1/employers/${own.id}`)).statusCode).toBe(200);
      expect((await api.patch(`/v1/employers/${own.id}`, { name: 'Renamed' })).statusCode).toBe(200);
      expect((await api.get('/v1/employers')).json().employers.map((e: Employer) => e.id)).toEqual([own.id]);
      expectProblem(await api.get(`/v1/employers/${other.id}`), 404, 'not_found');
      expectProblem(await api.patch(`/v1/employers/${other.id}`, { name: 'Mine now' }), 404, 'not_found');
      expectProblem(await api.post('/v1/employers', { name: 'New' }), 404, 'not_found');
      expectProblem(await api.delete(`/v1/employers/${own.id}`), 404, 'not_found');
    });

    it("sees only its own jobs: another employer's job is 404 and cannot be created", async () => {
      const { api, admin, own, other, ownJob, otherJob } = await employerMarket();
      expect((await api.get(`/v1/jobs/${ownJob.id}`)).statusCode).toBe(200);
      expect((await api.get('/v1/jobs')).json().jobs.map((j: Job) => j.id)).toEqual([ownJob.id]);
      expect((await api.get(`/v1/jobs?employerId=${other.id}`)).json().jobs).toEqual([]);
      expectProblem(await api.get(`/v1/jobs/${otherJob.id}`), 404, 'not_found');
      expectProblem(await api.patch(`/v1/jobs/${otherJob.id}`, { status: 'closed' }), 404, 'not_found');
      expectProblem(await api.delete(`/v1/jobs/${otherJob.id}`), 404, 'not_found');
      expect((await admin.get(`/v1/jobs/${otherJob.id}`)).json().job.status).toBe('open');
      expectProblem(
        await api.post('/v1/jobs', { employerId: other.id, title: 'Sneaky' }),
        422,
        'invalid_input',
      );
      expect((await api.post('/v1/jobs', { employerId: own.id, title: 'Mine' })).statusCode).toBe(201);
    });

    it('cannot read candidates', async () => {
      const { api, candidate } = await employerMarket();
      expectProblem(await api.get('/v1/candidates'), 404, 'not_found');
      expectProblem(await api.get(`/v1/candidates/${candidate.id}`), 404, 'not_found');
      expectProblem(await api.get(`/v1/candidates/${candidate.id}/export`), 404, 'not_found');
    });
  });

  describe('another workspace', () => {
    const requests = [
      ['GET', '/v1/employers/$employer'],
      ['PATCH', '/v1/employers/$employer', { name: 'Taken over' }],
      ['DELETE', '/v1/employers/$employer'],
      ['GET', '/v1/jobs/$job'],
      ['PATCH', '/v1/jobs/$job', { status: 'closed' }],
      ['DELETE', '/v1/jobs/$job'],
      ['GET', '/v1/jobs/$job/answers'],
      ['PUT', '/v1/jobs/$job/answers', { questionnaireId: 'mini', answers: {} }],
      ['GET', '/v1/candidates/$candidate'],
      ['PATCH', '/v1/candidates/$candidate', { headline: 'Taken over' }],
      ['DELETE', '/v1/candidates/$candidate'],
      ['GET', '/v1/candidates/$candidate/answers'],
      ['PUT', '/v1/candidates/$candidate/answers', { questionnaireId: 'mini', answers: {} }],
      ['GET', '/v1/candidates/$candidate/export'],
    ] as const;

    it.each(requests)(
      'answers 404 not_found to %s %s and leaves the record alone',
      async (method, path, body?) => {
        const owner = await createWorkspace(t.app);
        const intruder = await createWorkspace(t.app);
        const employer = await createEmployer(t.app, owner.adminKey);
        const job = await createJob(t.app, owner.adminKey, employer.id);
        const candidate: Candidate = await createCandidate(t.app, owner.adminKey);
        const url = path
          .replace('$employer', employer.id)
          .replace('$job', job.id)
          .replace('$candidate', candidate.id);
        const response = await t.app.inject({
          method,
          url,
          headers: { authorization: `Bearer ${intruder.adminKey}` },
          ...(body ? { payload: body } : {}),
        });
        expectProblem(response, 404, 'not_found');
        expect((await owner.admin.get(`/v1/employers/${employer.id}`)).json().employer).toEqual(employer);
        expect((await owner.admin.get(`/v1/jobs/${job.id}`)).json().job).toEqual(job);
        expect((await owner.admin.get(`/v1/candidates/${candidate.id}`)).json().candidate).toEqual(candidate);
        expectProblem(await owner.admin.get(`/v1/jobs/${job.id}/answers`), 404, 'not_found');
        expectProblem(await owner.admin.get(`/v1/candidates/${candidate.id}/answers`), 404, 'not_found');
      },
    );
  });
});
