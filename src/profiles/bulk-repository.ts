import { and, eq, inArray, sql } from 'drizzle-orm';
import { upsertAnswerSets } from '../answers/repository.ts';
import type { DbOrTx, Tx } from '../db/client.ts';
import { candidateContacts, candidates, employers, jobs } from '../db/schema.ts';
import type { BulkEntry } from './bulk.ts';

type Written = Map<string, { id: string; inserted: boolean }>;
const excluded = (column: string) => sql.raw(`excluded.${column}`);
/** A row whose xmax is 0 was inserted by this statement rather than updated. */
const wasInserted = sql<boolean>`(xmax = 0)`;

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
): Promise<Written> {
  const rows = await tx
    .insert(candidates)
    .values(
      entries.map(({ record }) => ({
        workspaceId,
        externalId: record.externalId,
        headline: record.headline ?? null,
        minScore: record.minScore,
      })),
    )
    .onConflictDoUpdate({
      target: [candidates.workspaceId, candidates.externalId],
      set: { headline: excluded('headline'), minScore: excluded('min_score'), updatedAt: new Date() },
    })
    .returning({ id: candidates.id, externalId: candidates.externalId, inserted: wasInserted });
  const written = toWritten(rows);
  await tx
    .insert(candidateContacts)
    .values(
      entries.map(({ externalId, record }) => ({
        workspaceId,
        candidateId: written.get(externalId)!.id,
        name: record.contact.name,
        email: record.contact.email,
        phone: record.contact.phone ?? null,
      })),
    )
    .onConflictDoUpdate({
      target: candidateContacts.candidateId,
      set: {
        name: excluded('name'),
        email: excluded('email'),
        phone: excluded('phone'),
        updatedAt: new Date(),
      },
    });
  await writeAnswers(tx, workspaceId, entries, written, 'candidate');
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
): Promise<Written> {
  const rows = await tx
    .insert(jobs)
    .values(
      entries.map(({ record }) => ({
        workspaceId,
        externalId: record.externalId,
        employerId: record.resolvedEmployerId,
        title: record.title,
        capacity: record.capacity,
        status: record.status,
        minScore: record.minScore,
      })),
    )
    .onConflictDoUpdate({
      target: [jobs.workspaceId, jobs.externalId],
      set: {
        employerId: excluded('employer_id'),
        title: excluded('title'),
        capacity: excluded('capacity'),
        status: excluded('status'),
        minScore: excluded('min_score'),
        updatedAt: new Date(),
      },
    })
    .returning({ id: jobs.id, externalId: jobs.externalId, inserted: wasInserted });
  const written = toWritten(rows);
  await writeAnswers(tx, workspaceId, entries, written, 'job');
  return written;
}

/** Employer ids by externalId and the set of known employer ids, among those the lines name. */
export async function resolveEmployers(tx: DbOrTx, workspaceId: string, lines: JobLine[]) {
  const ids = [...new Set(lines.flatMap((l) => (l.employerId ? [l.employerId] : [])))];
  const externalIds = [
    ...new Set(lines.flatMap((l) => (l.employerExternalId ? [l.employerExternalId] : []))),
  ];
  const byId = new Set<string>();
  const byExternalId = new Map<string, string>();
  if (ids.length > 0) {
    const rows = await tx
      .select({ id: employers.id })
      .from(employers)
      .where(and(eq(employers.workspaceId, workspaceId), inArray(employers.id, ids)));
    for (const row of rows) byId.add(row.id);
  }
  if (externalIds.length > 0) {
    const rows = await tx
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
) {
  const rows = entries.flatMap(({ externalId, answers }) => {
    if (!answers) return [];
    const id = written.get(externalId)!.id;
    return [{ workspaceId, ...(side === 'job' ? { jobId: id } : { candidateId: id }), ...answers }];
  });
  await upsertAnswerSets(tx, rows, side);
}

function toWritten(rows: { id: string; externalId: string | null; inserted: boolean }[]): Written {
  return new Map(rows.map((row) => [row.externalId!, { id: row.id, inserted: row.inserted }]));
}
