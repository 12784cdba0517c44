import { and, eq, lt, or, sql } from 'drizzle-orm';
import type { WorkspacePrincipal } from '../auth/principal.ts';
import type { DbOrTx } from '../db/client.ts';
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
