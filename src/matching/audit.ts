import { and, eq, lt, or, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { WorkspacePrincipal } from '../auth/principal.ts';
import type { DbOrTx } from '../db/client.ts';
import { rowsOf } from '../db/rows.ts';
import { auditEvents } from '../db/schema.ts';

export type AuditAction =
  | 'matches.job'
  | 'matches.candidate'
  | 'matches.explain'
  | 'matches.adhoc'
  | 'allocation';

export interface AuditRecord {
  action: AuditAction;
  subjectId?: string | undefined;
  questionnaireId?: string | undefined;
  questionnaireVersion?: number | undefined;
  resultIds: string[];
}

/** Appends who asked for what, when, against which questionnaire version, and the ids returned. */
export async function recordAudit(
  db: DbOrTx,
  principal: WorkspacePrincipal,
  record: AuditRecord,
): Promise<void> {
  await db.insert(auditEvents).values({
    workspaceId: principal.workspaceId,
    actorRole: principal.role,
    actorKeyId: principal.keyId,
    action: record.action,
    subjectId: record.subjectId ?? null,
    questionnaireId: record.questionnaireId ?? null,
    questionnaireVersion: record.questionnaireVersion ?? null,
    resultIds: record.resultIds,
  });
}

/**
 * Appends the audit record of a listing and answers which of the listed ids still exist (for
 * jobs: are open), in the listing's order: one statement, the check and the record together. The
 * record holds those ids only. A replica's index can lag behind a deletion or an erasure by a
 * moment; what the database no longer has is neither shown nor recorded.
 */
export async function recordListing(
  db: DbOrTx,
  principal: WorkspacePrincipal,
  record: Omit<AuditRecord, 'resultIds'>,
  listed: { side: 'job' | 'candidate'; ids: string[] },
): Promise<Set<string>> {
  const exists =
    listed.side === 'job'
      ? sql`exists (select 1 from jobs p where p.workspace_id = ${principal.workspaceId}::uuid and p.id = l.id and p.status = 'open')`
      : sql`exists (select 1 from candidates p where p.workspace_id = ${principal.workspaceId}::uuid and p.id = l.id)`;
  const result = await db.execute(sql`
    with present as (
      select l.id, l.n from unnest(${sql.param(listed.ids)}::uuid[]) with ordinality as l(id, n) where ${exists}
    )
    insert into audit_events (id, workspace_id, actor_role, actor_key_id, action, subject_id,
                              questionnaire_id, questionnaire_version, result_ids)
    values (${uuidv7()}::uuid, ${principal.workspaceId}::uuid, ${principal.role}, ${principal.keyId ?? null}::uuid,
            ${record.action}, ${record.subjectId ?? null}::uuid, ${record.questionnaireId ?? null},
            ${record.questionnaireVersion ?? null}::smallint,
            coalesce((select jsonb_agg(id::text order by n) from present), '[]'::jsonb))
    returning result_ids`);
  const [row] = rowsOf<{ result_ids: string[] }>(result);
  return new Set(row?.result_ids ?? []);
}

/**
 * Erasure outranks the audit trail's immutability: an erased candidate's id is taken out of
 * every record (the records themselves stay, so the trail still shows that a listing happened).
 */
export async function scrubFromAudit(db: DbOrTx, workspaceId: string, profileId: string): Promise<void> {
  await db
    .update(auditEvents)
    .set({
      resultIds: sql`${auditEvents.resultIds} - ${profileId}::text`,
      subjectId: sql`case when ${auditEvents.subjectId} = ${profileId} then null else ${auditEvents.subjectId} end`,
    })
    .where(
      and(
        eq(auditEvents.workspaceId, workspaceId),
        or(
          eq(auditEvents.subjectId, profileId),
          sql`jsonb_exists(${auditEvents.resultIds}, ${profileId}::text)`,
        ),
      ),
    );
}

export async function purgeAuditBefore(db: DbOrTx, before: Date): Promise<void> {
  await db.delete(auditEvents).where(lt(auditEvents.createdAt, before));
}
