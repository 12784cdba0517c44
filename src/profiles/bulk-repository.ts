import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../db/client.ts';
import { employers } from '../db/schema.ts';
import { uuidv7Batch } from '../db/uuid.ts';
import type { ProfileSync } from '../matching/profile-sync.ts';
import type { BulkEntry } from './bulk.ts';

type Written = Map<string, { id: string; inserted: boolean }>;

/*
 * Bulk writes pass one array per column and let PostgreSQL unnest them: one statement and a
 * handful of parameters per batch, however many rows (DESIGN §6 asks ≥ 10,000 candidates/s).
 * `xmax = 0` tells a row this statement inserted from one it updated.
 */

export interface CandidateLine {
  externalId: string;
  headline?: string | undefined;
  minScore: number;
  contact: { name: string; email: string; phone?: string | undefined };
}

export async function writeCandidates(
  tx: Tx,
  workspaceId: string,
  entries: BulkEntry<CandidateLine>[],
  sync: Pick<ProfileSync, 'origin' | 'pack'>,
): Promise<Written> {
  await markOrigin(tx, sync.origin);
  const records = entries.map((e) => e.record);
  const result = await tx.execute(sql`
    insert into candidates (id, workspace_id, external_id, headline, min_score)
    select id, ${workspaceId}::uuid, external_id, headline, min_score
      from unnest(${sql.param(newIds(entries.length))}::uuid[], ${sql.param(records.map((r) => r.externalId))}::text[],
                  ${sql.param(records.map((r) => r.headline ?? null))}::text[], ${sql.param(records.map((r) => r.minScore))}::float8[])
        as t(id, external_id, headline, min_score)
    on conflict (workspace_id, external_id) do update
      set headline = excluded.headline, min_score = excluded.min_score, updated_at = now()
    returning id, external_id, (xmax = 0) as inserted`);
  const written = toWritten(rowsOf(result));
  const ids = entries.map((e) => written.get(e.externalId)!.id);
  await tx.execute(sql`
    insert into candidate_contacts (candidate_id, workspace_id, name, email, phone)
    select candidate_id, ${workspaceId}::uuid, name, email, phone
      from unnest(${sql.param(ids)}::uuid[], ${sql.param(records.map((r) => r.contact.name))}::text[],
                  ${sql.param(records.map((r) => r.contact.email))}::text[], ${sql.param(records.map((r) => r.contact.phone ?? null))}::text[])
        as t(candidate_id, name, email, phone)
    on conflict (candidate_id) do update
      set name = excluded.name, email = excluded.email, phone = excluded.phone, updated_at = now()`);
  await writeAnswers(tx, workspaceId, entries, written, 'candidate', sync);
  return written;
}

export interface JobLine {
  externalId: string;
  employerId?: string | undefined;
  employerExternalId?: string | undefined;
  title: string;
  capacity: number;
  status: 'open' | 'closed';
  minScore: number;
}

export async function writeJobs(
  tx: Tx,
  workspaceId: string,
  entries: BulkEntry<JobLine & { resolvedEmployerId: string }>[],
  sync: Pick<ProfileSync, 'origin' | 'pack'>,
): Promise<Written> {
  await markOrigin(tx, sync.origin);
  const records = entries.map((e) => e.record);
  const result = await tx.execute(sql`
    insert into jobs (id, workspace_id, external_id, employer_id, title, capacity, status, min_score)
    select id, ${workspaceId}::uuid, external_id, employer_id, title, capacity, status::job_status, min_score
      from unnest(${sql.param(newIds(entries.length))}::uuid[], ${sql.param(records.map((r) => r.externalId))}::text[],
                  ${sql.param(records.map((r) => r.resolvedEmployerId))}::uuid[], ${sql.param(records.map((r) => r.title))}::text[],
                  ${sql.param(records.map((r) => r.capacity))}::int[], ${sql.param(records.map((r) => r.status))}::text[],
                  ${sql.param(records.map((r) => r.minScore))}::float8[])
        as t(id, external_id, employer_id, title, capacity, status, min_score)
    on conflict (workspace_id, external_id) do update
      set employer_id = excluded.employer_id, title = excluded.title, capacity = excluded.capacity,
          status = excluded.status, min_score = excluded.min_score, updated_at = now()
    returning id, external_id, (xmax = 0) as inserted`);
  const written = toWritten(rowsOf(result));
  await writeAnswers(tx, workspaceId, entries, written, 'job', sync);
  return written;
}

/** Employer ids by externalId and the set of known employer ids, among those the lines name. */
export async function resolveEmployers(db: DbOrTx, workspaceId: string, lines: JobLine[]) {
  const ids = [...new Set(lines.flatMap((l) => (l.employerId ? [l.employerId] : [])))];
  const externalIds = [
    ...new Set(lines.flatMap((l) => (l.employerExternalId ? [l.employerExternalId] : []))),
  ];
  const byId = new Set<string>();
  const byExternalId = new Map<string, string>();
  if (ids.length > 0) {
    const rows = await db
      .select({ id: employers.id })
      .from(employers)
      .where(and(eq(employers.workspaceId, workspaceId), inArray(employers.id, ids)));
    for (const row of rows) byId.add(row.id);
  }
  if (externalIds.length > 0) {
    const rows = await db
      .select({ id: employers.id, externalId: employers.externalId })
      .from(employers)
      .where(and(eq(employers.workspaceId, workspaceId), inArray(employers.externalId, externalIds)));
    for (const row of rows) byExternalId.set(row.externalId!, row.id);
  }
  return { byId, byExternalId };
}

async function writeAnswers<T>(
  tx: Tx,
  workspaceId: string,
  entries: BulkEntry<T>[],
  written: Written,
  side: 'job' | 'candidate',
  sync: Pick<ProfileSync, 'pack'>,
) {
  const withAnswers = entries.filter((e) => e.answers);
  const packed = sync.pack(withAnswers.map((e) => e.answers!));
  if (withAnswers.length === 0) return;
  const subjectIds = withAnswers.map((e) => written.get(e.externalId)!.id);
  const column = sql.raw(side === 'job' ? 'job_id' : 'candidate_id');
  await tx.execute(sql`
    insert into answer_sets (id, workspace_id, ${column}, questionnaire_id, questionnaire_version, answers, index_row, index_layout)
    select id, ${workspaceId}::uuid, subject_id, questionnaire_id, questionnaire_version, answers, decode(index_row, 'hex'), index_layout
      from unnest(${sql.param(newIds(withAnswers.length))}::uuid[], ${sql.param(subjectIds)}::uuid[],
                  ${sql.param(withAnswers.map((e) => e.answers!.questionnaireId))}::text[],
                  ${sql.param(withAnswers.map((e) => e.answers!.questionnaireVersion))}::int[],
                  ${sql.param(withAnswers.map((e) => JSON.stringify(e.answers!.answers)))}::jsonb[],
                  ${sql.param(packed.map((p) => p.indexRow.toString('hex')))}::text[],
                  ${sql.param(packed.map((p) => p.indexLayout))}::text[])
        as t(id, subject_id, questionnaire_id, questionnaire_version, answers, index_row, index_layout)
    on conflict (${column}) do update
      set questionnaire_id = excluded.questionnaire_id, questionnaire_version = excluded.questionnaire_version,
          answers = excluded.answers, index_row = excluded.index_row, index_layout = excluded.index_layout,
          updated_at = now()`);
}

/** Tags this transaction's change-feed rows as the writing app's (it refreshes its index itself). */
async function markOrigin(tx: Tx, origin: string): Promise<void> {
  await tx.execute(sql`select set_config('mutualfit.origin', ${origin}, true)`);
}

/** Both drivers answer `{ rows }`; the shared Db type does not say so. */
function rowsOf(result: unknown): { id: string; external_id: string; inserted: boolean }[] {
  return (result as { rows: { id: string; external_id: string; inserted: boolean }[] }).rows;
}

function newIds(count: number): string[] {
  return uuidv7Batch(count);
}

function toWritten(rows: { id: string; external_id: string; inserted: boolean }[]): Written {
  return new Map(rows.map((row) => [row.external_id, { id: row.id, inserted: row.inserted }]));
}
