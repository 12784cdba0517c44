import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loggerOptions } from '../../src/logger.ts';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import {
  caller,
  createCandidate,
  createEmployer,
  createJob,
  createWorkspace,
  expectProblem,
  miniAnswers,
  mintKey,
  tablesMentioning,
  unique,
  uniqueEmail,
} from '../support/factories.ts';
import { createMarket, goodCandidate, putAnswers } from '../support/matching-factories.ts';

const nonZero = (counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).filter(([, count]) => count > 0));

/** Contact details that occur nowhere else: a hit in a table or a log is theirs. */
const freshContact = () => ({
  name: `Zoë ${unique('Private')}`,
  email: uniqueEmail(),
  phone: `+32 470 ${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`,
});

describe.each(availableDatabaseKinds())('privacy on %s', (kind) => {
  const logLines: string[] = [];
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      kind,
      // The app's own logger options (redaction, serializers) at trace level, into memory;
      // NODE_ENV production so that pino-pretty, which cannot take a stream, is never used.
      logger: {
        ...(loggerOptions({ LOG_LEVEL: 'trace', NODE_ENV: 'production' }) as object),
        stream: { write: (line: string) => void logLines.push(line) },
      },
    });
  });
  afterAll(() => t.close());
  beforeEach(() => {
    logLines.length = 0;
  });

  /** A candidate with contact, answers, a key, and an idempotent reply that quotes the contact. */
  async function storedCandidate() {
    const { adminKey, admin } = await createWorkspace(t.app);
    const contact = freshContact();
    const created = await admin.post(
      '/v1/candidates',
      { headline: 'Nurse', contact, externalId: unique('ext') },
      { 'idempotency-key': unique('create') },
    );
    expect(created.statusCode, created.body).toBe(201);
    const candidate = created.json().candidate as { id: string; externalId: string };
    expect((await admin.put(`/v1/candidates/${candidate.id}/answers`, miniAnswers())).statusCode).toBe(200);
    const key = await mintKey(t.app, adminKey, {
      role: 'candidate',
      candidateId: candidate.id,
      label: contact.email,
    });
    return { adminKey, admin, contact, candidate, key, self: caller(t.app, key.key) };
  }

  describe('export', () => {
    it('returns the candidate, contact, answers and keys without secrets', async () => {
      const { admin, contact, candidate, key, self } = await storedCandidate();
      const response = await admin.get(`/v1/candidates/${candidate.id}/export`);
      expect(response.statusCode, response.body).toBe(200);
      const data = response.json().export;
      expect(data.candidate).toMatchObject({
        id: candidate.id,
        headline: 'Nurse',
        externalId: candidate.externalId,
      });
      expect(data.contact).toEqual(contact);
      expect(data.answers).toMatchObject({ questionnaireId: 'mini', questionnaireVersion: 1 });
      expect(data.answers.answers).toEqual(miniAnswers().answers);
      expect(data.apiKeys).toEqual([
        expect.objectContaining({ id: key.id, role: 'candidate', label: contact.email }),
      ]);
      expect(response.body).not.toContain(key.key);
      expect(data.exportedAt).toEqual(expect.any(String));

      const own = await self.get(`/v1/candidates/${candidate.id}/export`);
      expect(own.statusCode).toBe(200);
      expect(own.json().export.contact).toEqual(contact);
    });

    it('exports a candidate that has no answers yet with answers null', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const candidate = await createCandidate(t.app, adminKey);
      const data = (await admin.get(`/v1/candidates/${candidate.id}/export`)).json().export;
      expect(data).toMatchObject({ answers: null, apiKeys: [], contact: candidate.contact });
    });
  });

  describe('export of what was done with a candidate', () => {
    /** Where the export answers for each table that can name a candidate. */
    const exportedAs: Record<string, string> = {
      candidates: 'candidate',
      candidate_contacts: 'contact',
      answer_sets: 'answers',
      api_keys: 'apiKeys',
      sessions: 'sessions',
      introductions: 'introductions',
      introduction_events: 'introductions',
      alerts: 'alert',
      alert_feed: 'alertEvents',
      alert_mentions: 'alertEvents',
      allocations: 'allocations',
      audit_events: 'access',
    };
    /** Copies of what the export holds, or bare ids (docs/architecture.md, Export). */
    const copies = ['idempotency_keys', 'profile_changes', 'webhook_deliveries', 'webhook_attempts'];

    it('holds its introductions and steps, sessions, alert and announcements, allocations and who was shown it; every table naming it is covered', async () => {
      const m = await createMarket(t.app);
      expect((await m.admin.put(`/v1/jobs/${m.job.id}/alert`, {})).statusCode).toBe(200);
      const candidate = await createCandidate(t.app, m.adminKey, { minScore: 0.5 });
      expect((await m.admin.put(`/v1/candidates/${candidate.id}/alert`, {})).statusCode).toBe(200);
      await putAnswers(m.admin, `/v1/candidates/${candidate.id}/answers`, goodCandidate);
      expect((await m.admin.get(`/v1/jobs/${m.job.id}/matches`)).statusCode).toBe(200);
      const introduced = await m.admin.post(`/v1/jobs/${m.job.id}/introductions/${candidate.id}`, {
        action: 'interested',
        side: 'employer',
      });
      expect(introduced.statusCode, introduced.body).toBe(200);
      const session = await m.admin.post('/v1/sessions', { candidateId: candidate.id });
      expect(session.statusCode, session.body).toBe(201);
      const allocated = await m.admin.post('/v1/allocations', { source: 'matches' });
      expect(allocated.statusCode, allocated.body).toBe(201);

      const response = await m.admin.get(`/v1/candidates/${candidate.id}/export`);
      expect(response.statusCode, response.body).toBe(200);
      const data = response.json().export;
      expect(data.introductions).toEqual([
        expect.objectContaining({
          id: introduced.json().introduction.id,
          jobId: m.job.id,
          status: 'pending',
          employerState: 'interested',
          candidateState: 'none',
          steps: [expect.objectContaining({ side: 'employer', action: 'interested', actorRole: 'admin' })],
        }),
      ]);
      expect(data.sessions).toEqual([expect.objectContaining({ id: session.json().session.id })]);
      expect(response.body).not.toContain(session.json().session.token);
      expect(data.alert).toMatchObject({ minScore: 0.5 });
      for (const alertOf of ['job', 'candidate']) {
        expect(data.alertEvents).toContainEqual(
          expect.objectContaining({
            alertOf,
            subjectId: alertOf === 'job' ? m.job.id : candidate.id,
            type: 'match.created',
            jobId: m.job.id,
          }),
        );
      }
      const allocation = allocated.json().allocation as {
        id: string;
        assignments: { jobId: string; candidateId: string }[];
        unassigned: string[];
      };
      const given = allocation.assignments.find((a) => a.candidateId === candidate.id)?.jobId ?? null;
      expect(given !== null || allocation.unassigned.includes(candidate.id)).toBe(true);
      expect(data.allocations).toEqual([
        { allocationId: allocation.id, createdAt: expect.any(String), jobId: given },
      ]);
      expect(data.access).toContainEqual(
        expect.objectContaining({
          action: 'matches.job',
          actorRole: 'admin',
          subjectId: m.job.id,
          records: 1,
        }),
      );

      const naming = Object.keys(nonZero(await tablesMentioning(t.database.db, candidate.id)));
      const uncovered = naming.filter((table) => !(table in exportedAs) && !copies.includes(table));
      expect(uncovered).toEqual([]);
      for (const table of naming.filter((name) => name in exportedAs)) {
        expect(data[exportedAs[table]!], table).not.toEqual(table === 'alerts' ? null : []);
      }
    });
  });

  describe('erasure', () => {
    it('erases profile, contact, answers, keys and stored replies: no table mentions the email or id', async () => {
      const { admin, contact, candidate, self } = await storedCandidate();
      const bystander = await storedCandidate();
      expect(nonZero(await tablesMentioning(t.database.db, contact.email))).toMatchObject({
        candidate_contacts: 1,
        idempotency_keys: 1,
      });
      expect(Object.keys(nonZero(await tablesMentioning(t.database.db, candidate.id)))).toEqual(
        expect.arrayContaining(['candidates', 'candidate_contacts', 'answer_sets', 'api_keys']),
      );

      expect((await admin.delete(`/v1/candidates/${candidate.id}`)).statusCode).toBe(204);
      for (const needle of [contact.email, contact.name, contact.phone, candidate.id]) {
        expect(nonZero(await tablesMentioning(t.database.db, needle)), needle).toEqual({});
      }
      expectProblem(await admin.get(`/v1/candidates/${candidate.id}`), 404, 'not_found');
      expectProblem(await admin.get(`/v1/candidates/${candidate.id}/answers`), 404, 'not_found');
      expectProblem(await admin.get(`/v1/candidates/${candidate.id}/export`), 404, 'not_found');
      expect(
        (await admin.get(`/v1/candidates?externalId=${candidate.externalId}`)).json().candidates,
      ).toEqual([]);
      expectProblem(await self.get(`/v1/candidates/${candidate.id}`), 401, 'unauthorized');
      expectProblem(await admin.delete(`/v1/candidates/${candidate.id}`), 404, 'not_found');

      const other = await bystander.admin.get(`/v1/candidates/${bystander.candidate.id}/export`);
      expect(other.json().export).toMatchObject({ contact: bystander.contact, apiKeys: [expect.anything()] });
      expect((await bystander.self.get(`/v1/candidates/${bystander.candidate.id}`)).statusCode).toBe(200);
    });

    it('answers a retry of the request that created the erased candidate 410 erased, and writes nothing', async () => {
      const { admin } = await createWorkspace(t.app);
      const contact = freshContact();
      const body = { headline: 'Nurse', contact };
      const key = { 'idempotency-key': unique('create') };
      const created = await admin.post('/v1/candidates', body, key);
      expect(created.statusCode, created.body).toBe(201);
      expect((await admin.delete(`/v1/candidates/${created.json().candidate.id}`)).statusCode).toBe(204);

      for (const retry of [body, { ...body, headline: 'Another body' }]) {
        const replayed = expectProblem(await admin.post('/v1/candidates', retry, key), 410, 'erased');
        expect(replayed.detail).toMatch(/erased/);
      }
      expect((await admin.get('/v1/candidates')).json().candidates).toEqual([]);
      for (const needle of [contact.email, contact.name, created.json().candidate.id]) {
        expect(nonZero(await tablesMentioning(t.database.db, needle)), needle).toEqual({});
      }
      // A new key is a new request.
      expect(
        (await admin.post('/v1/candidates', body, { 'idempotency-key': unique('again') })).statusCode,
      ).toBe(201);
    });

    it('lets a candidate key erase itself, after which the key answers 401', async () => {
      const { admin, contact, candidate, self } = await storedCandidate();
      expect((await self.delete(`/v1/candidates/${candidate.id}`)).statusCode).toBe(204);
      expectProblem(await self.get(`/v1/candidates/${candidate.id}`), 401, 'unauthorized');
      expectProblem(await admin.get(`/v1/candidates/${candidate.id}`), 404, 'not_found');
      expect(nonZero(await tablesMentioning(t.database.db, contact.email))).toEqual({});
    });

    it('erases the replies of idempotent bulk uploads that named the candidate', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const contact = freshContact();
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/candidates:bulk',
        headers: {
          ...bearer(adminKey),
          'content-type': 'application/x-ndjson',
          'idempotency-key': unique('bulk'),
        },
        payload: JSON.stringify({ externalId: 'bulk-erase', contact }),
      });
      expect(response.statusCode, response.body).toBe(200);
      const id = response.json().results[0].id as string;
      expect((await admin.delete(`/v1/candidates/${id}`)).statusCode).toBe(204);
      for (const needle of [contact.email, contact.name, id]) {
        expect(nonZero(await tablesMentioning(t.database.db, needle)), needle).toEqual({});
      }
    });
  });

  describe('a candidate key', () => {
    it('sees only itself, with its own contact, and can answer for itself', async () => {
      const { adminKey, contact, candidate, self } = await storedCandidate();
      const other = await createCandidate(t.app, adminKey, { externalId: unique('other') });
      const own = await self.get(`/v1/candidates/${candidate.id}`);
      expect(own.statusCode).toBe(200);
      expect(own.json().candidate.contact).toEqual(contact);
      const listed = (await self.get('/v1/candidates')).json().candidates as { id: string }[];
      expect(listed.map((c) => c.id)).toEqual([candidate.id]);
      expect((await self.get(`/v1/candidates?externalId=${other.externalId}`)).json().candidates).toEqual([]);
      const patched = await self.patch(`/v1/candidates/${candidate.id}`, {
        contact: { phone: '+32 2 555 55 55' },
      });
      expect(patched.json().candidate.contact).toEqual({ ...contact, phone: '+32 2 555 55 55' });
      expect((await self.put(`/v1/candidates/${candidate.id}/answers`, miniAnswers())).statusCode).toBe(200);
    });

    it.each([
      ['GET', ''],
      ['PATCH', '', { headline: 'Mine now' }],
      ['DELETE', ''],
      ['GET', '/export'],
      ['GET', '/answers'],
      ['PUT', '/answers', miniAnswers()],
    ] as const)(
      'answers 404 not_found to %s another candidate%s and leaves it alone',
      async (method, suffix, body?) => {
        const { adminKey, admin, key } = await storedCandidate();
        const other = await createCandidate(t.app, adminKey);
        const response = await t.app.inject({
          method,
          url: `/v1/candidates/${other.id}${suffix}`,
          headers: bearer(key.key),
          ...(body ? { payload: body } : {}),
        });
        expectProblem(response, 404, 'not_found');
        expect((await admin.get(`/v1/candidates/${other.id}`)).json().candidate).toEqual(other);
        expectProblem(await admin.get(`/v1/candidates/${other.id}/answers`), 404, 'not_found');
      },
    );

    it('cannot create candidates, mint keys or see employers and jobs', async () => {
      const { adminKey, self } = await storedCandidate();
      const employer = await createEmployer(t.app, adminKey);
      const job = await createJob(t.app, adminKey, employer.id);
      expectProblem(await self.post('/v1/candidates', { contact: freshContact() }), 404, 'not_found');
      expectProblem(await self.post('/v1/api-keys', { role: 'admin' }), 404, 'not_found');
      expectProblem(await self.get('/v1/employers'), 404, 'not_found');
      expectProblem(await self.get(`/v1/jobs/${job.id}`), 404, 'not_found');
      expectProblem(await self.get(`/v1/jobs/${job.id}/answers`), 404, 'not_found');
    });
  });

  describe('logs', () => {
    it('never contain the contact details of a candidate created, read, changed, exported or erased', async () => {
      const { admin, adminKey, contact, candidate, self } = await storedCandidate();
      await admin.get(`/v1/candidates/${candidate.id}`);
      await self.get(`/v1/candidates/${candidate.id}`);
      await admin.patch(`/v1/candidates/${candidate.id}`, { contact: { name: `${contact.name} Jr` } });
      await admin.get(`/v1/candidates/${candidate.id}/export`);
      const bulkContact = freshContact();
      await t.app.inject({
        method: 'POST',
        url: '/v1/candidates:bulk',
        headers: { ...bearer(adminKey), 'content-type': 'application/x-ndjson' },
        payload: JSON.stringify({ externalId: 'logged', contact: bulkContact }),
      });
      await admin.post('/v1/candidates', { contact: { ...freshContact(), email: contact.email, shoe: 44 } });
      expect((await admin.delete(`/v1/candidates/${candidate.id}`)).statusCode).toBe(204);

      const text = logLines.join('');
      expect(text).toContain(candidate.id);
      for (const detail of [...Object.values(contact), ...Object.values(bulkContact)]) {
        expect(text).not.toContain(detail);
      }
    });

    it('never contain the contact details of a candidate the database refuses to store', async () => {
      const { adminKey, admin } = await createWorkspace(t.app);
      const contact = { ...freshContact(), name: 'Nul\u0000Person' };
      const single = await admin.post('/v1/candidates', { contact });
      expect(single.statusCode).toBeGreaterThanOrEqual(400);
      const bulkContact = { ...freshContact(), name: 'Bulk\u0000Person' };
      await t.app.inject({
        method: 'POST',
        url: '/v1/candidates:bulk',
        headers: { ...bearer(adminKey), 'content-type': 'application/x-ndjson' },
        payload: JSON.stringify({ externalId: 'refused', contact: bulkContact }),
      });
      const text = logLines.join('');
      for (const detail of [contact.email, contact.phone, bulkContact.email, bulkContact.phone]) {
        expect(text).not.toContain(detail);
      }
    });
  });
});
