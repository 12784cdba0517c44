import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WORKSPACE_ID } from '../../src/auth/bootstrap.ts';
import { KeyCommandError, mintKeyFromShell, parseKeyArgs } from '../../src/auth/key-command.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { availableDatabaseKinds, createTestDatabase } from '../support/database.ts';
import { caller, createCandidate, createEmployer, createWorkspace } from '../support/factories.ts';

describe('npm run key: its arguments', () => {
  it('asks for an admin key of the default workspace by default', () => {
    expect(parseKeyArgs([])).toEqual({ role: 'admin', workspace: 'default' });
  });

  it('needs the employer of an employer key and the candidate of a candidate key, as uuids', () => {
    expect(() => parseKeyArgs(['--role', 'employer'])).toThrow(/--employer/);
    expect(() => parseKeyArgs(['--role', 'candidate', '--candidate', 'ann'])).toThrow(/--candidate/);
    expect(() => parseKeyArgs(['--role', 'owner'])).toThrow(/--role/);
    expect(() => parseKeyArgs(['--wrokspace', 'x'])).toThrow(KeyCommandError);
    const employerId = '00000000-0000-7000-8000-00000000000a';
    expect(parseKeyArgs(['--workspace', 'board', '--role', 'employer', '--employer', employerId])).toEqual({
      role: 'employer',
      employer: employerId,
      workspace: 'board',
      label: undefined,
    });
  });
});

describe.each(availableDatabaseKinds())('npm run key on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ kind });
  });
  afterAll(() => t.close());

  it('creates the default workspace on a database that has none, with a working admin key', {
    timeout: 120_000,
  }, async () => {
    const database = await createTestDatabase(kind);
    try {
      const minted = await mintKeyFromShell(database.db, { role: 'admin', workspace: 'default' });
      expect(minted).toMatchObject({
        role: 'admin',
        workspace: { id: DEFAULT_WORKSPACE_ID, name: 'default' },
      });
      const app = await createTestApp({ database });
      const seen = await caller(app.app, minted.key).get('/v1/workspace');
      await app.close();
      expect(seen.json().workspace).toMatchObject({ id: DEFAULT_WORKSPACE_ID });
    } finally {
      await database.close();
    }
  });

  it('mints admin, employer and candidate keys of a workspace named or given by id', async () => {
    const { workspace, adminKey } = await createWorkspace(t.app);
    const employer = await createEmployer(t.app, adminKey);
    const candidate = await createCandidate(t.app, adminKey);
    const db = t.database.db;
    const admin = await mintKeyFromShell(db, { role: 'admin', workspace: workspace.name });
    const ofEmployer = await mintKeyFromShell(db, {
      role: 'employer',
      employer: employer.id,
      workspace: workspace.id,
    });
    const ofCandidate = await mintKeyFromShell(db, {
      role: 'candidate',
      candidate: candidate.id,
      workspace: workspace.id,
      label: 'lost key',
    });
    expect((await caller(t.app, admin.key).get('/v1/workspace')).json().workspace.id).toBe(workspace.id);
    expect((await caller(t.app, ofEmployer.key).get(`/v1/employers/${employer.id}`)).statusCode).toBe(200);
    expect((await caller(t.app, ofCandidate.key).get(`/v1/candidates/${candidate.id}`)).statusCode).toBe(200);
    const listed = (await caller(t.app, admin.key).get('/v1/api-keys')).json().apiKeys;
    expect(listed).toEqual(
      expect.arrayContaining([expect.objectContaining({ candidateId: candidate.id, label: 'lost key' })]),
    );
  });

  it('refuses an unknown workspace, an ambiguous name and another workspace’s employer', async () => {
    const db = t.database.db;
    const { workspace } = await createWorkspace(t.app, 'twin board');
    await createWorkspace(t.app, 'twin board');
    const other = await createWorkspace(t.app);
    const theirs = await createEmployer(t.app, other.adminKey);
    await expect(mintKeyFromShell(db, { role: 'admin', workspace: 'no such board' })).rejects.toThrow(
      'No workspace "no such board"',
    );
    await expect(mintKeyFromShell(db, { role: 'admin', workspace: 'twin board' })).rejects.toThrow(
      workspace.id,
    );
    await expect(
      mintKeyFromShell(db, { role: 'employer', employer: theirs.id, workspace: workspace.id }),
    ).rejects.toThrow(KeyCommandError);
  });
});
