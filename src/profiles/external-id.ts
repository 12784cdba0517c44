import { z } from 'zod';
import type { DbOrTx } from '../db/client.ts';
import { sqlStateOf } from '../db/faults.ts';
import { and, eq } from '../db/orm.ts';
import { withSavepoint } from '../db/request-transaction.ts';
import { candidates, employers, jobs } from '../db/schema.ts';
import { AppError, problemSchema } from '../http/errors.ts';

const UNIQUE_VIOLATION = '23505';
const tables = { Employer: employers, Job: jobs, Candidate: candidates };

/** The 409 of a create or change whose externalId another record of the workspace already has. */
export const externalIdConflictSchema = problemSchema
  .extend({
    existingId: z.uuid().optional().describe('The record that already has this externalId'),
  })
  .meta({ id: 'ExternalIdConflict' });

/** The caller's reach: a workspace, narrowed to one employer or one candidate for their keys. */
export interface Reach {
  workspaceId: string;
  employerId?: string | undefined;
  candidateId?: string | undefined;
}

/**
 * Runs a write and turns a clash on (workspace, externalId) into a 409 naming the record that
 * has it, so a client that retries a create can carry on.
 *
 * Only an admin key sets an externalId (or clears one). It is the integration's own id for the
 * record, which its bulk upserts write by: an employer or a candidate who could set it could take
 * the id of a record the integration has not written yet and receive that record's data (a
 * candidate another person's contact and answers), and a 409 would tell them which ids exist.
 */
export async function uniqueExternalId<T>(
  db: DbOrTx,
  target: { kind: keyof typeof tables; reach: Reach; externalId: string | null | undefined },
  write: () => Promise<T>,
): Promise<T> {
  const { kind, reach, externalId } = target;
  if (externalId !== undefined && (reach.employerId !== undefined || reach.candidateId !== undefined)) {
    throw new AppError(
      'validation_failed',
      `Only an admin key can set a ${kind.toLowerCase()}'s externalId: it is the integration's own id for the record.`,
      { errors: [{ path: 'body.externalId', message: 'only an admin key can set it' }] },
    );
  }
  try {
    return await withSavepoint(write);
  } catch (error) {
    if (sqlStateOf(error) !== UNIQUE_VIOLATION) throw error;
    const existingId = externalId ? await findId(db, kind, reach.workspaceId, externalId) : undefined;
    throw new AppError(
      'conflict',
      existingId
        ? `${kind} ${existingId} already has externalId "${externalId}" in this workspace.`
        : 'Another record in this workspace already has this externalId.',
      {
        errors: [{ path: 'body.externalId', message: 'already in use' }],
        extra: existingId ? { existingId } : undefined,
      },
    );
  }
}

async function findId(
  db: DbOrTx,
  kind: keyof typeof tables,
  workspaceId: string,
  externalId: string,
): Promise<string | undefined> {
  const table = tables[kind];
  const [row] = await db
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.workspaceId, workspaceId), eq(table.externalId, externalId)))
    .limit(1);
  return row?.id;
}
