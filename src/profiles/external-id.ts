import { z } from 'zod';
import type { DbOrTx } from '../db/client.ts';
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

function isUniqueViolation(error: unknown): boolean {
  const candidate = error as { code?: unknown; cause?: { code?: unknown } };
  return candidate?.code === UNIQUE_VIOLATION || candidate?.cause?.code === UNIQUE_VIOLATION;
}

/** The caller's reach: a workspace, narrowed to one employer or one candidate for their keys. */
export interface Reach {
  workspaceId: string;
  employerId?: string | undefined;
  candidateId?: string | undefined;
}

/**
 * Runs a write and turns a clash on (workspace, externalId) into a 409 naming the record that
 * has it, when the caller may see that record, so a client that retries a create can carry on.
 */
export async function uniqueExternalId<T>(
  db: DbOrTx,
  target: { kind: keyof typeof tables; reach: Reach; externalId: string | null | undefined },
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await withSavepoint(write);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const { kind, reach, externalId } = target;
    const existingId = externalId ? await findReachableId(db, kind, reach, externalId) : undefined;
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

async function findReachableId(
  db: DbOrTx,
  kind: keyof typeof tables,
  reach: Reach,
  externalId: string,
): Promise<string | undefined> {
  const table = tables[kind];
  const [row] = await db
    .select({ id: table.id })
    .from(table)
    .where(
      and(eq(table.workspaceId, reach.workspaceId), eq(table.externalId, externalId), within(kind, reach)),
    )
    .limit(1);
  return row?.id;
}

/** An employer key reaches its own employer and jobs, a candidate key itself. */
function within(kind: keyof typeof tables, reach: Reach) {
  if (kind === 'Job') return reach.employerId ? eq(jobs.employerId, reach.employerId) : undefined;
  const own = kind === 'Employer' ? reach.employerId : reach.candidateId;
  return own ? eq(tables[kind].id, own) : undefined;
}
