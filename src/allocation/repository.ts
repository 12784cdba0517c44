import type { DbOrTx } from '../db/client.ts';
import { and, eq, inArray, sql } from '../db/orm.ts';
import { rowsOf } from '../db/rows.ts';
import { allocations, candidates, jobs } from '../db/schema.ts';

const allocationColumns = {
  id: allocations.id,
  createdAt: allocations.createdAt,
  source: allocations.source,
  assignments: allocations.assignments,
  unassigned: allocations.unassigned,
  blockingPairs: allocations.blockingPairs,
};

export async function insertAllocation(db: DbOrTx, values: typeof allocations.$inferInsert) {
  const [row] = await db.insert(allocations).values(values).returning(allocationColumns);
  return row!;
}

export async function findAllocation(db: DbOrTx, workspaceId: string, id: string) {
  const [row] = await db
    .select(allocationColumns)
    .from(allocations)
    .where(and(eq(allocations.workspaceId, workspaceId), eq(allocations.id, id)));
  return row;
}

/** Open jobs of the workspace (all, or those named) with their capacities. */
export async function openJobsWithCapacity(db: DbOrTx, workspaceId: string, ids: string[] | undefined) {
  return db
    .select({ id: jobs.id, capacity: jobs.capacity })
    .from(jobs)
    .where(
      and(
        eq(jobs.workspaceId, workspaceId),
        eq(jobs.status, 'open'),
        ids === undefined ? undefined : inArray(jobs.id, ids),
      ),
    )
    .orderBy(jobs.id);
}

/**
 * Of these jobs, the ones still open, with their capacities and employers, locked FOR SHARE: until
 * the transaction commits, no write closes them or changes their capacity.
 */
export async function lockOpenJobs(db: DbOrTx, workspaceId: string, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .select({ id: jobs.id, capacity: jobs.capacity, employerId: jobs.employerId })
    .from(jobs)
    .where(and(eq(jobs.workspaceId, workspaceId), eq(jobs.status, 'open'), anyOf(jobs.id, ids)))
    .for('share');
}

/**
 * Of these candidate ids, the ones that still exist, with their privacy settings (paused, hidden
 * from), locked FOR SHARE: until the transaction commits, no write pauses them or changes whom they
 * hide from. Read after the workspace's erasure gate, so an allocation from the matches is stored
 * without a candidate erased while it ran.
 */
export async function lockCandidates(
  db: DbOrTx,
  workspaceId: string,
  ids: string[],
): Promise<{ id: string; paused: boolean; hiddenFromEmployerIds: string[] }[]> {
  if (ids.length === 0) return [];
  return db
    .select({
      id: candidates.id,
      paused: candidates.paused,
      hiddenFromEmployerIds: candidates.hiddenFromEmployerIds,
    })
    .from(candidates)
    .where(and(eq(candidates.workspaceId, workspaceId), anyOf(candidates.id, ids)))
    .for('share');
}

/** Of these ids, the candidates of the workspace that take part in allocations (not paused). */
export async function activeCandidateIds(
  db: DbOrTx,
  workspaceId: string,
  ids: string[],
): Promise<Set<string>> {
  const rows = await db
    .select({ id: candidates.id })
    .from(candidates)
    .where(
      and(eq(candidates.workspaceId, workspaceId), eq(candidates.paused, false), anyOf(candidates.id, ids)),
    );
  return new Set(rows.map((row) => row.id));
}

/** One array parameter, not one per id: an allocation can name more ids than a statement has parameters. */
const anyOf = (column: typeof jobs.id | typeof candidates.id, ids: string[]) =>
  sql`${column} = any(${sql.param(ids)}::uuid[])`;

/** Erasure: the candidate leaves every stored allocation (its seat shows as no longer assigned). */
export async function scrubCandidateFromAllocations(db: DbOrTx, workspaceId: string, candidateId: string) {
  await db.execute(sql`
    update allocations
       set assignments = coalesce(
             (select jsonb_agg(a) from jsonb_array_elements(assignments) a where a->>'candidateId' <> ${candidateId}),
             '[]'::jsonb),
           unassigned = unassigned - ${candidateId}::text
     where workspace_id = ${workspaceId} and ${namesCandidate(candidateId)}`);
}

/** An allocation row that assigns the candidate or leaves it unassigned. */
const namesCandidate = (candidateId: string) =>
  sql`(jsonb_exists(unassigned, ${candidateId}::text)
       or assignments @> jsonb_build_array(jsonb_build_object('candidateId', ${candidateId}::text)))`;

/** The stored allocations a candidate took part in (export), with the job it was given, if any. */
export async function allocationsOfCandidate(db: DbOrTx, workspaceId: string, candidateId: string) {
  return rowsOf<{ allocationId: string; createdAt: Date | string; jobId: string | null }>(
    await db.execute(sql`
      select id as "allocationId", created_at as "createdAt",
             (select a->>'jobId' from jsonb_array_elements(assignments) a
               where a->>'candidateId' = ${candidateId} limit 1) as "jobId"
        from allocations
       where workspace_id = ${workspaceId} and ${namesCandidate(candidateId)}
       order by id`),
  ).map((row) => ({ ...row, createdAt: new Date(row.createdAt) }));
}
