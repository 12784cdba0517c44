import type { DbOrTx } from '../db/client.ts';
import { and, eq, inArray } from '../db/orm.ts';
import { employerContacts, employers, jobs } from '../db/schema.ts';

export type EmployerContactRow = Pick<typeof employerContacts.$inferSelect, 'name' | 'email' | 'phone'>;

const contactColumns = {
  name: employerContacts.name,
  email: employerContacts.email,
  phone: employerContacts.phone,
};

/** Stores the employer's contact; false when the workspace has no such employer. */
export async function upsertEmployerContact(
  db: DbOrTx,
  workspaceId: string,
  employerId: string,
  contact: EmployerContactRow,
): Promise<EmployerContactRow | undefined> {
  const [employer] = await db
    .select({ id: employers.id })
    .from(employers)
    .where(and(eq(employers.workspaceId, workspaceId), eq(employers.id, employerId)))
    .for('share');
  if (!employer) return undefined;
  const [row] = await db
    .insert(employerContacts)
    .values({ workspaceId, employerId, ...contact })
    .onConflictDoUpdate({ target: employerContacts.employerId, set: { ...contact, updatedAt: new Date() } })
    .returning(contactColumns);
  return row;
}

export async function findEmployerContact(db: DbOrTx, workspaceId: string, employerId: string) {
  const [row] = await db
    .select(contactColumns)
    .from(employerContacts)
    .where(and(eq(employerContacts.workspaceId, workspaceId), eq(employerContacts.employerId, employerId)));
  return row;
}

/** What a job ad shows a candidate: the title and the employer's name, nothing else of the employer. */
export interface JobFacts {
  title: string;
  employerId: string;
  employerName: string;
}

/** The facts of a page's jobs in one query, by job id (ids the workspace does not have are absent). */
export async function jobFactsOf(
  db: DbOrTx,
  workspaceId: string,
  jobIds: readonly string[],
): Promise<Map<string, JobFacts>> {
  if (jobIds.length === 0) return new Map();
  const rows = await db
    .select({ id: jobs.id, title: jobs.title, employerId: jobs.employerId, employerName: employers.name })
    .from(jobs)
    .innerJoin(employers, eq(employers.id, jobs.employerId))
    .where(and(eq(jobs.workspaceId, workspaceId), inArray(jobs.id, [...new Set(jobIds)])));
  return new Map(rows.map(({ id, ...facts }) => [id, facts]));
}
