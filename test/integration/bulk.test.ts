import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileChanges } from '../../src/db/schema.ts';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import {
  type Caller,
  caller,
  createCandidate,
  createEmployer,
  createWorkspace,
  expectProblem,
  miniAnswers,
  mintKey,
  uniqueEmail,
  walkList,
} from '../support/factories.ts';

interface LineResult {
  line: number;
  status: 'created' | 'updated' | 'unchanged' | 'error';
  id?: string;
  externalId?: string;
  error?: { code: string; detail: string; errors?: { path: string; message: string }[] };
}

const ndjson = (lines: unknown[]) =>
  lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n');

const candidateLine = (externalId: string, extra: Record<string, unknown> = {}) => ({
  externalId,
  headline: `Candidate ${externalId}`,
  contact: { name: `Person ${externalId}`, email: uniqueEmail() },
  ...extra,
});

const invalidAnswers = {
  questionnaireId: 'mini',
  answers: { remote: { value: 7, accept: { min: 0, max: 2 }, importance: 'very' } },
};

describe.each(availableDatabaseKinds())('bulk upserts on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ kind });
  });
  afterAll(() => t.close());

  function upload(key: string, path: 'candidates' | 'jobs', body: string) {
    return t.app.inject({
      method: 'POST',
      url: `/v1/${path}:bulk`,
      headers: { ...bearer(key), 'content-type': 'application/x-ndjson' },
      payload: body,
    });
  }

  async function uploadOk(key: string, path: 'candidates' | 'jobs', lines: unknown[]) {
    const response = await upload(key, path, ndjson(lines));
    expect(response.statusCode, response.body.slice(0, 2000)).toBe(200);
    return response.json() as { results: LineResult[]; summary: Record<string, number> };
  }

  const byExternalId = async (api: Caller, path: 'candidates' | 'jobs', externalId: string) =>
    (await api.get(`/v1/${path}?externalId=${encodeURIComponent(externalId)}`)).json()[path] as {
      id: string;
    }[];

  const readBack = (api: Caller, results: LineResult[]) =>
    Promise.all(
      results.map(
        async (r) => (await api.get(`/v1/candidates/${r.id}`)).json().candidate as { updatedAt: string },
      ),
    );

  /** How many change-feed rows each result's profile has. */
  const feedRowsOf = (results: LineResult[]) =>
    Promise.all(
      results.map(
        async (r) =>
          (await t.database.db.select().from(profileChanges).where(eq(profileChanges.profileId, r.id!)))
            .length,
      ),
    );

  it("echoes every line's externalId trimmed, as it is stored, whether the line is written or refused", async () => {
    const { adminKey } = await createWorkspace(t.app);
    const { results } = await uploadOk(adminKey, 'candidates', [
      candidateLine('  trim-ok '),
      { externalId: '  trim-refused\t', headline: 'no contact' },
      { externalId: '   ', headline: 'blank id' },
    ]);
    expect(results.map((r) => [r.status, r.externalId])).toEqual([
      ['created', 'trim-ok'],
      ['error', 'trim-refused'],
      ['error', undefined],
    ]);
    const jobs = await uploadOk(adminKey, 'jobs', [{ externalId: ' trim-job ', title: 'no employer' }]);
    expect(jobs.results[0]).toMatchObject({ status: 'error', externalId: 'trim-job' });
  });

  it('answers 415 naming the NDJSON types to a body sent as application/json, and stores nothing', async () => {
    const { adminKey } = await createWorkspace(t.app);
    for (const [path, payload] of [
      ['candidates', '{"externalId":"json-1","contact":{"name":"n","email":"n@example.com"}}'],
      ['jobs', '[{"externalId":"json-2"}]'],
    ] as const) {
      const response = await t.app.inject({
        method: 'POST',
        url: `/v1/${path}:bulk`,
        headers: { ...bearer(adminKey), 'content-type': 'application/json' },
        payload,
      });
      expect(expectProblem(response, 415, 'unsupported_media_type').detail).toContain('application/x-ndjson');
    }
    expect(await byExternalId(caller(t.app, adminKey), 'candidates', 'json-1')).toEqual([]);
  });

  it('answers 415 to any other media type, naming the one sent', async () => {
    const { adminKey } = await createWorkspace(t.app);
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/candidates:bulk',
      headers: { ...bearer(adminKey), 'content-type': 'application/xml' },
      payload: '<candidates/>',
    });
    const { detail } = expectProblem(response, 415, 'unsupported_media_type');
    expect(detail).toContain('application/xml');
    expect(detail).toContain('application/x-ndjson');
  });

  describe('candidates', () => {
    it('creates each line with its contact and answers, and answers per line in line order', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const lines = [
        candidateLine('c-1', miniAnswers()),
        candidateLine('c-2', { minScore: 0.8 }),
        candidateLine('c-3', {
          contact: { name: 'Ann', email: 'ann@example.com', phone: '+32 470 11 22 33' },
        }),
      ];
      const { results, summary } = await uploadOk(adminKey, 'candidates', lines);
      expect(summary).toEqual({ created: 3, updated: 0, unchanged: 0, failed: 0 });
      expect(results.map((r) => [r.line, r.status, r.externalId])).toEqual([
        [1, 'created', 'c-1'],
        [2, 'created', 'c-2'],
        [3, 'created', 'c-3'],
      ]);
      const [first, second, third] = results.map((r) => r.id!);
      const answers = await admin.get(`/v1/candidates/${first}/answers`);
      expect(answers.json().answers.answers).toEqual(miniAnswers().answers);
      expect((await admin.get(`/v1/candidates/${second}`)).json().candidate).toMatchObject({
        externalId: 'c-2',
        minScore: 0.8,
        headline: 'Candidate c-2',
      });
      expect((await admin.get(`/v1/candidates/${third}`)).json().candidate.contact).toEqual({
        name: 'Ann',
        email: 'ann@example.com',
        phone: '+32 470 11 22 33',
      });
    });

    it('refuses a line with invalid answers without creating its candidate or blocking the others', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const lines = [candidateLine('good-1'), candidateLine('bad', invalidAnswers), candidateLine('good-2')];
      const { results, summary } = await uploadOk(adminKey, 'candidates', lines);
      expect(summary).toEqual({ created: 2, updated: 0, unchanged: 0, failed: 1 });
      expect(results[1]).toMatchObject({ line: 2, status: 'error', externalId: 'bad' });
      expect(results[1]?.error?.code).toBe('invalid_answers');
      expect(results[1]?.error?.errors?.map((e) => e.path)).toContain('answers.remote.value');
      expect(await byExternalId(admin, 'candidates', 'bad')).toEqual([]);
      expect(await byExternalId(admin, 'candidates', 'good-1')).toHaveLength(1);
      expect(await byExternalId(admin, 'candidates', 'good-2')).toHaveLength(1);
    });

    it('reports lines that are not JSON or break the line schema with validation_failed', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const lines = [
        '{"externalId": "broken", ',
        candidateLine('ok'),
        { externalId: 'no-contact' },
        candidateLine('extra', { nickname: 'x' }),
        candidateLine('answers-without-questionnaire', { answers: miniAnswers().answers }),
      ];
      const { results } = await uploadOk(adminKey, 'candidates', lines);
      expect(results.map((r) => [r.line, r.status, r.error?.code])).toEqual([
        [1, 'error', 'validation_failed'],
        [2, 'created', undefined],
        [3, 'error', 'validation_failed'],
        [4, 'error', 'validation_failed'],
        [5, 'error', 'validation_failed'],
      ]);
      // A line that names its externalId has it in its result, even when it breaks the schema.
      expect(results.map((r) => r.externalId)).toEqual([
        undefined,
        'ok',
        'no-contact',
        'extra',
        'answers-without-questionnaire',
      ]);
      expect(JSON.stringify(results[3]?.error)).toContain('nickname');
      expect(JSON.stringify(results[4]?.error)).toContain('questionnaireId');
      expect((await admin.get('/v1/candidates')).json().candidates).toHaveLength(1);
    });

    it('refuses a line holding U+0000 with validation_failed naming where, before writing', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const lines = [
        candidateLine('nul-name', { contact: { name: 'a\u0000b', email: uniqueEmail() } }),
        candidateLine('fine'),
      ];
      const { results } = await uploadOk(adminKey, 'candidates', lines);
      expect(results[0]).toEqual({
        line: 1,
        status: 'error',
        externalId: 'nul-name',
        error: {
          code: 'validation_failed',
          detail: 'contact.name: must not contain the NUL character (U+0000)',
          errors: [{ path: 'contact.name', message: 'must not contain the NUL character (U+0000)' }],
        },
      });
      expect(results[1]).toMatchObject({ status: 'created', externalId: 'fine' });
      expect(await byExternalId(admin, 'candidates', 'nul-name')).toEqual([]);
    });

    it('refuses a repeated externalId on the later line and keeps the first', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const lines = [
        candidateLine('twin', { headline: 'first' }),
        candidateLine('twin', { headline: 'second' }),
      ];
      const { results } = await uploadOk(adminKey, 'candidates', lines);
      expect(results[0]).toMatchObject({ line: 1, status: 'created' });
      expect(results[1]).toMatchObject({ line: 2, status: 'error', error: { code: 'invalid_input' } });
      expect(results[1]?.error?.detail).toContain('line 1');
      const listed = (await admin.get('/v1/candidates?externalId=twin')).json().candidates;
      expect(listed).toEqual([expect.objectContaining({ id: results[0]?.id, headline: 'first' })]);
    });

    it('reports unchanged, with the same ids, the lines of an upload sent again, writing nothing of them', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const lines = [candidateLine('u-1', miniAnswers()), candidateLine('u-2'), candidateLine('u-3')];
      const first = await uploadOk(adminKey, 'candidates', lines);
      const before = await readBack(admin, first.results);
      const feedBefore = await feedRowsOf(first.results);
      const changedContact = { ...lines[2]!, contact: { ...lines[2]!.contact, phone: '+32 9 000 00 00' } };
      const second = await uploadOk(adminKey, 'candidates', [lines[0], lines[1], changedContact]);
      expect(second.summary).toEqual({ created: 0, updated: 1, unchanged: 2, failed: 0 });
      expect(second.results.map((r) => r.status)).toEqual(['unchanged', 'unchanged', 'updated']);
      expect(second.results.map((r) => r.id)).toEqual(first.results.map((r) => r.id));
      const after = await readBack(admin, first.results);
      expect(after.slice(0, 2)).toEqual(before.slice(0, 2));
      expect(after[2]!.updatedAt).not.toBe(before[2]!.updatedAt);
      // Only the updated candidate reaches the change feed (the index, alerts and other replicas).
      const feedAfter = await feedRowsOf(first.results);
      expect(feedAfter.map((n, i) => n - feedBefore[i]!)).toEqual([0, 0, 1]);
      // Other answers, or answers given where none are stored, are a change.
      const answered = await uploadOk(adminKey, 'candidates', [
        {
          ...lines[0],
          answers: {
            ...miniAnswers().answers,
            remote: { value: 2, accept: { min: 0, max: 2 }, importance: 'little' },
          },
        },
        { ...lines[1], ...miniAnswers() },
      ]);
      expect(answered.results.map((r) => r.status)).toEqual(['updated', 'updated']);
      // Their own fields did not change, yet they are updated: a newer updatedAt, one feed row each.
      const afterAnswers = await readBack(admin, first.results.slice(0, 2));
      expect(afterAnswers.map((c, i) => c.updatedAt === after[i]!.updatedAt)).toEqual([false, false]);
      const feedAnswered = await feedRowsOf(first.results.slice(0, 2));
      expect(feedAnswered.map((n, i) => n - feedAfter[i]!)).toEqual([1, 1]);
      expect((await admin.get('/v1/candidates')).json().candidates).toHaveLength(3);
    });

    it('reports unchanged a job line that gives what is stored, the answers compared as JSON values', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      await createEmployer(t.app, adminKey, { externalId: 'acme' });
      const line = {
        externalId: 'same-job',
        employerExternalId: 'acme',
        title: 'Welder',
        capacity: 2,
        ...miniAnswers(),
      };
      const created = await uploadOk(adminKey, 'jobs', [line]);
      const before = (await admin.get(`/v1/jobs/${created.results[0]!.id}`)).json().job;
      // The same answers with their keys in another order, and fields left out that are stored.
      const reordered = Object.fromEntries(Object.entries(miniAnswers().answers).reverse());
      const again = await uploadOk(adminKey, 'jobs', [
        {
          externalId: 'same-job',
          employerExternalId: 'acme',
          title: 'Welder',
          questionnaireId: 'mini',
          answers: reordered,
        },
      ]);
      expect(again.results[0]).toMatchObject({
        status: 'unchanged',
        id: created.results[0]!.id,
        externalId: 'same-job',
      });
      expect((await admin.get(`/v1/jobs/${created.results[0]!.id}`)).json().job).toEqual(before);
      const closed = await uploadOk(adminKey, 'jobs', [{ ...line, status: 'closed' }]);
      expect(closed.summary).toEqual({ created: 0, updated: 1, unchanged: 0, failed: 0 });
      const closedJob = (await admin.get(`/v1/jobs/${created.results[0]!.id}`)).json().job;
      // Other answers alone are a change too.
      const otherAnswers = {
        ...miniAnswers().answers,
        remote: { value: 2, accept: { min: 0, max: 2 }, importance: 'little' },
      };
      const answered = await uploadOk(adminKey, 'jobs', [
        { ...line, status: 'closed', answers: otherAnswers },
      ]);
      expect(answered.results[0]).toMatchObject({ status: 'updated', id: created.results[0]!.id });
      const answeredJob = (await admin.get(`/v1/jobs/${created.results[0]!.id}`)).json().job;
      expect(answeredJob.updatedAt).not.toBe(closedJob.updatedAt);
    });

    it('updates the profile, contact and answers of a candidate created earlier with that externalId', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const existing = await createCandidate(t.app, adminKey, { externalId: 'known' });
      const contact = { name: 'New Name', email: uniqueEmail(), phone: '+32 9 000 00 00' };
      const line = { externalId: 'known', headline: 'Updated', contact, ...miniAnswers() };
      const { results } = await uploadOk(adminKey, 'candidates', [line]);
      expect(results).toEqual([{ line: 1, status: 'updated', id: existing.id, externalId: 'known' }]);
      const read = (await admin.get(`/v1/candidates/${existing.id}`)).json().candidate;
      expect(read).toMatchObject({ headline: 'Updated', contact });
      expect((await admin.get(`/v1/candidates/${existing.id}/answers`)).statusCode).toBe(200);
    });

    it('keeps the headline, minScore and answers of an existing candidate its line leaves out', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const line = {
        externalId: 'kept',
        headline: 'Nurse',
        minScore: 0.65,
        contact: { name: 'A', email: uniqueEmail() },
      };
      const created = await uploadOk(adminKey, 'candidates', [{ ...line, ...miniAnswers() }]);
      const id = created.results[0]!.id;
      const contact = { name: 'Renamed', email: uniqueEmail() };
      const { results } = await uploadOk(adminKey, 'candidates', [
        { externalId: 'kept', contact },
        { externalId: 'new-one', contact: { name: 'B', email: uniqueEmail() } },
      ]);
      expect(results.map((r) => r.status)).toEqual(['updated', 'created']);
      expect((await admin.get(`/v1/candidates/${id}`)).json().candidate).toMatchObject({
        headline: 'Nurse',
        minScore: 0.65,
        contact,
      });
      expect((await admin.get(`/v1/candidates/${id}/answers`)).statusCode).toBe(200);
      expect((await admin.get(`/v1/candidates/${results[1]!.id}`)).json().candidate).toMatchObject({
        headline: null,
        minScore: 0.5,
      });
    });

    // A lone surrogate ("\ud800" in JSON) would reach PostgreSQL as U+FFFD: refused as the line's fault.
    it.each([
      ['its profile', { headline: 'a\ud800b' }, 'headline'],
      ['its contact', { contact: { name: 'a\ud800b', email: uniqueEmail() } }, 'contact.name'],
    ])(
      'refuses the line whose %s holds a lone surrogate, naming where, and writes the others',
      async (_case, extra, path) => {
        const { adminKey, admin } = await createWorkspace(t.app);
        const lines = [candidateLine('fine-1'), candidateLine('lone', extra), candidateLine('fine-2')];
        const { results } = await uploadOk(adminKey, 'candidates', lines);
        expect(results.map((r) => r.status)).toEqual(['created', 'error', 'created']);
        expect(results[1]).toMatchObject({
          externalId: 'lone',
          error: {
            code: 'validation_failed',
            errors: [{ path, message: 'must be well-formed Unicode (it holds a lone surrogate)' }],
          },
        });
        expect(await byExternalId(admin, 'candidates', 'lone')).toEqual([]);
      },
    );
  });

  describe('jobs', () => {
    it('creates jobs for employers named by id or by externalId', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const acme = await createEmployer(t.app, adminKey, { externalId: 'acme' });
      const lines = [
        { externalId: 'j-1', employerId: acme.id, title: 'Welder', capacity: 2 },
        { externalId: 'j-2', employerExternalId: 'acme', title: 'Cook', status: 'closed', ...miniAnswers() },
      ];
      const { results, summary } = await uploadOk(adminKey, 'jobs', lines);
      expect(summary).toEqual({ created: 2, updated: 0, unchanged: 0, failed: 0 });
      const jobs = (await admin.get(`/v1/jobs?employerId=${acme.id}`)).json().jobs;
      expect(jobs).toEqual([
        expect.objectContaining({
          id: results[0]?.id,
          title: 'Welder',
          capacity: 2,
          status: 'open',
          minScore: 0.5,
        }),
        expect.objectContaining({ id: results[1]?.id, title: 'Cook', capacity: 1, status: 'closed' }),
      ]);
      expect((await admin.get(`/v1/jobs/${results[1]?.id}/answers`)).json().answers.answers).toEqual(
        miniAnswers().answers,
      );
    });

    it("gives each job of a 5,000-line upload its own line's employer, whichever batch wrote it", async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const employers = await Promise.all(
        ['e-a', 'e-b', 'e-c'].map((externalId) => createEmployer(t.app, adminKey, { externalId })),
      );
      // On PostgreSQL a request writes two batches at once: a batch's employer look-up may end
      // before the batch before it has written its jobs.
      const owner = (i: number) => employers[(i * 7 + Math.floor(i / 1_000)) % 3]!;
      const lines = Array.from({ length: 5_000 }, (_, i) =>
        i % 2
          ? { externalId: `job-${i}`, title: `Job ${i}`, employerId: owner(i).id }
          : { externalId: `job-${i}`, title: `Job ${i}`, employerExternalId: owner(i).externalId },
      );
      const { results, summary } = await uploadOk(adminKey, 'jobs', lines);
      expect(summary).toEqual({ created: 5_000, updated: 0, unchanged: 0, failed: 0 });
      for (const employer of employers) {
        const listed = await walkList(admin, `/v1/jobs?employerId=${employer.id}`, 'jobs', 100);
        const expected = results.filter((_, i) => owner(i) === employer).map((r) => r.id);
        expect(new Set(listed)).toEqual(new Set(expected));
      }
    });

    it('refuses lines naming an unknown employer, one of another workspace, both or neither', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const other = await createWorkspace(t.app);
      const mine = await createEmployer(t.app, adminKey, { externalId: 'mine' });
      const theirs = await createEmployer(t.app, other.adminKey, { externalId: 'theirs' });
      const lines = [
        { externalId: 'x-1', employerExternalId: 'nobody', title: 'Job' },
        { externalId: 'x-2', employerId: theirs.id, title: 'Job' },
        { externalId: 'x-3', employerExternalId: 'theirs', title: 'Job' },
        { externalId: 'x-4', employerId: mine.id, employerExternalId: 'mine', title: 'Job' },
        { externalId: 'x-5', title: 'Job' },
        { externalId: 'x-6', employerExternalId: 'mine', title: 'Job', ...invalidAnswers },
        { externalId: 'ok', employerExternalId: 'mine', title: 'Job' },
      ];
      const { results } = await uploadOk(adminKey, 'jobs', lines);
      expect(results.map((r) => r.error?.code ?? r.status)).toEqual([
        'invalid_input',
        'invalid_input',
        'invalid_input',
        'validation_failed',
        'validation_failed',
        'invalid_answers',
        'created',
      ]);
      expect(
        (await admin.get('/v1/jobs')).json().jobs.map((j: { externalId: string }) => j.externalId),
      ).toEqual(['ok']);
      expect((await caller(t.app, other.adminKey).get('/v1/jobs')).json().jobs).toEqual([]);
    });

    it('keeps the status, capacity and minScore of an existing job its line leaves out; a new job takes the defaults', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      await createEmployer(t.app, adminKey, { externalId: 'acme' });
      const created = await uploadOk(adminKey, 'jobs', [
        { externalId: 'filled', employerExternalId: 'acme', title: 'Welder', capacity: 3, minScore: 0.7 },
      ]);
      const jobId = created.results[0]!.id;
      expect((await admin.patch(`/v1/jobs/${jobId}`, { status: 'closed' })).statusCode).toBe(200);
      const { results } = await uploadOk(adminKey, 'jobs', [
        { externalId: 'filled', employerExternalId: 'acme', title: 'Senior welder' },
        { externalId: 'fresh', employerExternalId: 'acme', title: 'Cook' },
        { externalId: 'filled-2', employerExternalId: 'acme', title: 'Baker', minScore: 0.4 },
      ]);
      expect(results.map((r) => r.status)).toEqual(['updated', 'created', 'created']);
      expect((await admin.get(`/v1/jobs/${jobId}`)).json().job).toMatchObject({
        title: 'Senior welder',
        status: 'closed',
        capacity: 3,
        minScore: 0.7,
      });
      expect((await admin.get(`/v1/jobs/${results[1]!.id}`)).json().job).toMatchObject({
        status: 'open',
        capacity: 1,
        minScore: 0.5,
      });
      // A field the line gives is written, the others kept.
      await uploadOk(adminKey, 'jobs', [
        { externalId: 'filled', employerExternalId: 'acme', title: 'Senior welder', status: 'open' },
      ]);
      expect((await admin.get(`/v1/jobs/${jobId}`)).json().job).toMatchObject({
        status: 'open',
        capacity: 3,
        minScore: 0.7,
      });
    });

    it('never moves a job to another employer: the line is refused 409 and the job stays as it was', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const first = await createEmployer(t.app, adminKey, { externalId: 'first' });
      const second = await createEmployer(t.app, adminKey, { externalId: 'second' });
      const created = await uploadOk(adminKey, 'jobs', [
        { externalId: 'j-1', employerId: first.id, title: 'Welder' },
      ]);
      const jobId = created.results[0]!.id;
      const { results, summary } = await uploadOk(adminKey, 'jobs', [
        { externalId: 'j-1', employerId: second.id, title: 'Moved' },
        { externalId: 'j-1b', employerExternalId: 'second', title: 'Fine' },
      ]);
      expect(summary).toEqual({ created: 1, updated: 0, unchanged: 0, failed: 1 });
      expect(results[0]).toMatchObject({ status: 'error', externalId: 'j-1', error: { code: 'conflict' } });
      expect(results[0]!.error!.detail).toContain(`belongs to employer ${first.id}`);
      expect(results[0]!.error!.errors).toEqual([{ path: 'employerId', message: "not the job's employer" }]);
      expect((await admin.get(`/v1/jobs/${jobId}`)).json().job).toMatchObject({
        employerId: first.id,
        title: 'Welder',
      });
      // The same line for the job's own employer updates it.
      const again = await uploadOk(adminKey, 'jobs', [
        { externalId: 'j-1', employerExternalId: 'first', title: 'Senior welder' },
      ]);
      expect(again.results[0]).toMatchObject({ status: 'updated', id: jobId });
    });
  });

  describe('limits', () => {
    it.each([
      ['an empty body', ''],
      ['only blank lines', '\n  \n\n'],
    ])('answers 422 invalid_input for %s', async (_case, body) => {
      const { adminKey } = await createWorkspace(t.app);
      expectProblem(await upload(adminKey, 'candidates', body), 422, 'invalid_input');
    });

    it('answers 422 invalid_input for 10,001 lines and writes none of them', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const lines = Array.from({ length: 10_001 }, (_, i) => candidateLine(`many-${i}`));
      expectProblem(await upload(adminKey, 'candidates', ndjson(lines)), 422, 'invalid_input');
      expect((await admin.get('/v1/candidates')).json().candidates).toEqual([]);
    });

    it('takes 10,000 lines, answering each', async () => {
      const { adminKey } = await createWorkspace(t.app);
      const { results, summary } = await uploadOk(
        adminKey,
        'jobs',
        Array.from({ length: 10_000 }, () => '{}'),
      );
      expect(results).toHaveLength(10_000);
      expect(summary).toEqual({ created: 0, updated: 0, unchanged: 0, failed: 10_000 });
    });

    it('takes 10,000 lines among blank ones, though the body has more lines than a request takes', async () => {
      const { adminKey } = await createWorkspace(t.app);
      const lines = Array.from({ length: 10_000 }, (_, i) => (i % 2_000 === 0 ? '\n{}' : '{}'));
      const { results, summary } = await uploadOk(adminKey, 'jobs', lines);
      expect(results).toHaveLength(10_000);
      expect(results[1]!.line).toBe(3);
      expect(summary).toEqual({ created: 0, updated: 0, unchanged: 0, failed: 10_000 });
    });

    it('creates 2,000 candidates in one upload and lists every one of them', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const lines = Array.from({ length: 2_000 }, (_, i) =>
        candidateLine(`bulk-${i}`, i % 2 ? miniAnswers() : {}),
      );
      const { results, summary } = await uploadOk(adminKey, 'candidates', lines);
      expect(summary).toEqual({ created: 2_000, updated: 0, unchanged: 0, failed: 0 });
      const listed = await walkList(admin, '/v1/candidates', 'candidates', 100);
      expect(listed).toHaveLength(2_000);
      expect(new Set(listed)).toEqual(new Set(results.map((r) => r.id)));
    });

    it('accepts an NDJSON body of about 1.5 MB, over the 1 MB JSON limit', async () => {
      const { adminKey } = await createWorkspace(t.app);
      const padding = 'x'.repeat(190);
      const lines = Array.from({ length: 2_400 }, (_, i) =>
        candidateLine(`big-${i}`, { headline: `${i} ${padding}`, ...miniAnswers() }),
      );
      const body = ndjson(lines);
      expect(Buffer.byteLength(body)).toBeGreaterThan(1_400_000);
      expect(Buffer.byteLength(body)).toBeGreaterThan(t.config.BODY_LIMIT_BYTES);
      const response = await upload(adminKey, 'candidates', body);
      expect(response.statusCode, response.body.slice(0, 500)).toBe(200);
      expect(response.json().summary).toEqual({ created: 2_400, updated: 0, unchanged: 0, failed: 0 });
    });

    it('answers 404 not_found to keys that are not admin keys', async () => {
      const { adminKey } = await createWorkspace(t.app);
      const employer = await createEmployer(t.app, adminKey);
      const key = await mintKey(t.app, adminKey, { role: 'employer', employerId: employer.id });
      const line = ndjson([{ externalId: 'j', employerId: employer.id, title: 'Job' }]);
      expectProblem(await upload(key.key, 'jobs', line), 404, 'not_found');
      expectProblem(await upload(key.key, 'candidates', ndjson([candidateLine('c')])), 404, 'not_found');
    });
  });
});
