import type { DbOrTx } from '../db/client.ts';
import { type AnyPgColumn, and, asc, eq, gt, inArray, type SQL, sql } from '../db/orm.ts';
import { candidateContacts, candidates, employers, jobs } from '../db/schema.ts';

export type EmployerRow = typeof employers.$inferSelect;
export type JobRow = typeof jobs.$inferSelect;
export type CandidateRow = typeof candidates.$inferSelect;
export type ContactRow = Pick<typeof candidateContacts.$inferSelect, 'name' | 'email' | 'phone'>;

/**
 * A pair's job and candidate as a read of the pair judges it: who may reach it (the job's employer,
 * the candidate's pause and hidden employers) and whether it is acceptable (status, `minScore`).
 */
export const pairColumns = {
  job: { id: jobs.id, employerId: jobs.employerId, status: jobs.status, minScore: jobs.minScore },
  candidate: {
    id: candidates.id,
    paused: candidates.paused,
    hiddenFromEmployerIds: candidates.hiddenFromEmployerIds,
    minScore: candidates.minScore,
  },
};

export interface Page {
  limit: number;
  after?: string | undefined;
}

const employerColumns = {
  id: employers.id,
  workspaceId: employers.workspaceId,
  name: employers.name,
  externalId: employers.externalId,
  createdAt: employers.createdAt,
  updatedAt: employers.updatedAt,
};

const jobColumns = {
  id: jobs.id,
  workspaceId: jobs.workspaceId,
  employerId: jobs.employerId,
  title: jobs.title,
  capacity: jobs.capacity,
  status: jobs.status,
  minScore: jobs.minScore,
  externalId: jobs.externalId,
  createdAt: jobs.createdAt,
  updatedAt: jobs.updatedAt,
};

const candidateColumns = {
  id: candidates.id,
  workspaceId: candidates.workspaceId,
  headline: candidates.headline,
  minScore: candidates.minScore,
  externalId: candidates.externalId,
  paused: candidates.paused,
  hiddenFromEmployerIds: candidates.hiddenFromEmployerIds,
  createdAt: candidates.createdAt,
  updatedAt: candidates.updatedAt,
};

const contactColumns = {
  name: candidateContacts.name,
  email: candidateContacts.email,
  phone: candidateContacts.phone,
};

/** Rows of one page in id (= creation) order, one extra to tell whether another page follows. */
function pageWhere(idColumn: AnyPgColumn, page: Page, ...filters: (SQL | undefined)[]) {
  return and(...filters, page.after === undefined ? undefined : gt(idColumn, page.after));
}

// Employers

export async function insertEmployer(db: DbOrTx, values: typeof employers.$inferInsert) {
  const [row] = await db.insert(employers).values(values).returning(employerColumns);
  return row!;
}

export async function findEmployer(db: DbOrTx, workspaceId: string, id: string) {
  const [row] = await db
    .select(employerColumns)
    .from(employers)
    .where(and(eq(employers.workspaceId, workspaceId), eq(employers.id, id)));
  return row;
}

export async function listEmployers(
  db: DbOrTx,
  workspaceId: string,
  filter: { externalId?: string | undefined; id?: string | undefined },
  page: Page,
) {
  return db
    .select(employerColumns)
    .from(employers)
    .where(
      pageWhere(
        employers.id,
        page,
        eq(employers.workspaceId, workspaceId),
        filter.externalId === undefined ? undefined : eq(employers.externalId, filter.externalId),
        filter.id === undefined ? undefined : eq(employers.id, filter.id),
      ),
    )
    .orderBy(asc(employers.id))
    .limit(page.limit + 1);
}

export async function updateEmployer(
  db: DbOrTx,
  workspaceId: string,
  id: string,
  values: Partial<typeof employers.$inferInsert>,
) {
  const [row] = await db
    .update(employers)
    .set(values)
    .where(and(eq(employers.workspaceId, workspaceId), eq(employers.id, id)))
    .returning(employerColumns);
  return row;
}

/**
 * Which of these ids are employers of the workspace, share-locked to the end of the transaction
 * (a concurrent deletion waits, then takes them out of the lists written meanwhile).
 */
export async function existingEmployerIds(db: DbOrTx, workspaceId: string, ids: string[]) {
  if (ids.length === 0) return new Set<string>();
  const rows = await db
    .select({ id: employers.id })
    .from(employers)
    .where(and(eq(employers.workspaceId, workspaceId), inArray(employers.id, ids)))
    .for('share');
  return new Set(rows.map((row) => row.id));
}

/** The names of these employers of the workspace, by id (a candidate's page names those it hides from). */
export async function employerNames(db: DbOrTx, workspaceId: string, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db
    .select({ id: employers.id, name: employers.name })
    .from(employers)
    .where(and(eq(employers.workspaceId, workspaceId), inArray(employers.id, [...ids])))
    .orderBy(asc(employers.id));
}

/** Takes an employer out of every candidate's hidden list (before it is deleted); the candidates' ids. */
export async function unhideEmployer(db: DbOrTx, workspaceId: string, employerId: string) {
  const rows = await db
    .update(candidates)
    .set({
      hiddenFromEmployerIds: sql`array_remove(${candidates.hiddenFromEmployerIds}, ${employerId}::uuid)`,
    })
    .where(
      and(
        eq(candidates.workspaceId, workspaceId),
        // the partial GIN index's predicate and operator, so the look-up uses it
        sql`cardinality(${candidates.hiddenFromEmployerIds}) > 0`,
        sql`${candidates.hiddenFromEmployerIds} @> array[${employerId}::uuid]`,
      ),
    )
    .returning({ id: candidates.id });
  return rows.map((row) => row.id);
}

export async function deleteEmployer(db: DbOrTx, workspaceId: string, id: string) {
  const [row] = await db
    .delete(employers)
    .where(and(eq(employers.workspaceId, workspaceId), eq(employers.id, id)))
    .returning({ id: employers.id });
  return row;
}

// Jobs

export async function insertJob(db: DbOrTx, values: typeof jobs.$inferInsert) {
  const [row] = await db.insert(jobs).values(values).returning(jobColumns);
  return row!;
}

export async function findJob(db: DbOrTx, workspaceId: string, id: string) {
  const [row] = await db
    .select(jobColumns)
    .from(jobs)
    .where(and(eq(jobs.workspaceId, workspaceId), eq(jobs.id, id)));
  return row;
}

export async function listJobs(
  db: DbOrTx,
  workspaceId: string,
  filter: {
    externalId?: string | undefined;
    employerId?: string | undefined;
    status?: 'open' | 'closed' | undefined;
  },
  page: Page,
) {
  return db
    .select(jobColumns)
    .from(jobs)
    .where(
      pageWhere(
        jobs.id,
        page,
        eq(jobs.workspaceId, workspaceId),
        filter.externalId === undefined ? undefined : eq(jobs.externalId, filter.externalId),
        filter.employerId === undefined ? undefined : eq(jobs.employerId, filter.employerId),
        filter.status === undefined ? undefined : eq(jobs.status, filter.status),
      ),
    )
    .orderBy(asc(jobs.id))
    .limit(page.limit + 1);
}

export async function updateJob(
  db: DbOrTx,
  workspaceId: string,
  id: string,
  values: Partial<typeof jobs.$inferInsert>,
) {
  const [row] = await db
    .update(jobs)
    .set(values)
    .where(and(eq(jobs.workspaceId, workspaceId), eq(jobs.id, id)))
    .returning(jobColumns);
  return row;
}

export async function listJobIdsOfEmployer(db: DbOrTx, workspaceId: string, employerId: string) {
  const rows = await db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.workspaceId, workspaceId), eq(jobs.employerId, employerId)));
  return rows.map((row) => row.id);
}

export async function deleteJob(db: DbOrTx, workspaceId: string, id: string) {
  const [row] = await db
    .delete(jobs)
    .where(and(eq(jobs.workspaceId, workspaceId), eq(jobs.id, id)))
    .returning({ id: jobs.id });
  return row;
}

// Candidates

export async function insertCandidate(db: DbOrTx, values: typeof candidates.$inferInsert) {
  const [row] = await db.insert(candidates).values(values).returning(candidateColumns);
  return row!;
}

export async function findCandidate(db: DbOrTx, workspaceId: string, id: string) {
  const [row] = await db
    .select(candidateColumns)
    .from(candidates)
    .where(and(eq(candidates.workspaceId, workspaceId), eq(candidates.id, id)));
  return row;
}

export async function listCandidates(
  db: DbOrTx,
  workspaceId: string,
  filter: { externalId?: string | undefined; id?: string | undefined },
  page: Page,
) {
  return db
    .select(candidateColumns)
    .from(candidates)
    .where(
      pageWhere(
        candidates.id,
        page,
        eq(candidates.workspaceId, workspaceId),
        filter.externalId === undefined ? undefined : eq(candidates.externalId, filter.externalId),
        filter.id === undefined ? undefined : eq(candidates.id, filter.id),
      ),
    )
    .orderBy(asc(candidates.id))
    .limit(page.limit + 1);
}

export async function updateCandidate(
  db: DbOrTx,
  workspaceId: string,
  id: string,
  values: Partial<typeof candidates.$inferInsert>,
) {
  const [row] = await db
    .update(candidates)
    .set(values)
    .where(and(eq(candidates.workspaceId, workspaceId), eq(candidates.id, id)))
    .returning(candidateColumns);
  return row;
}

export async function deleteCandidate(db: DbOrTx, workspaceId: string, id: string) {
  const [row] = await db
    .delete(candidates)
    .where(and(eq(candidates.workspaceId, workspaceId), eq(candidates.id, id)))
    .returning({ id: candidates.id });
  return row;
}

export async function upsertContact(
  db: DbOrTx,
  workspaceId: string,
  candidateId: string,
  contact: ContactRow,
) {
  await db
    .insert(candidateContacts)
    .values({ workspaceId, candidateId, ...contact })
    .onConflictDoUpdate({
      target: candidateContacts.candidateId,
      set: { ...contact, updatedAt: new Date() },
    });
}

export async function findContact(db: DbOrTx, workspaceId: string, candidateId: string) {
  const [row] = await db
    .select(contactColumns)
    .from(candidateContacts)
    .where(
      and(eq(candidateContacts.workspaceId, workspaceId), eq(candidateContacts.candidateId, candidateId)),
    );
  return row;
}
