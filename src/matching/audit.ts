import { v7 as uuidv7 } from 'uuid';
import type { WorkspacePrincipal } from '../auth/principal.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { GroupCommit } from '../db/group-commit.ts';
import { executeNamed } from '../db/named-statement.ts';
import { and, eq, lt, or, sql } from '../db/orm.ts';
import { rowsOf } from '../db/rows.ts';
import { auditEvents } from '../db/schema.ts';
import type { IndexSide } from './index.ts';
import { DEFAULT_SCORE_METHOD, type ScoreMethod } from './types.ts';

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

/** One page of a listing to record, with what it was ranked under (checked at the record). */
export interface ListingRecord {
  principal: WorkspacePrincipal;
  side: IndexSide;
  subjectId: string;
  /** An employer key's employer: the job must be one of theirs. */
  ownerEmployerId?: string | undefined;
  /** The score method the page was ranked with. */
  method: ScoreMethod;
  questionnaireId?: string | undefined;
  questionnaireVersion?: number | undefined;
  /** The ids of the other side, in the listing's order. */
  listed: string[];
}

/** What the database said about a listing: recorded only when the subject is there to list. */
export interface ListingOutcome {
  /** The subject exists in the workspace and is the caller's to list. */
  found: boolean;
  paused: boolean;
  /**
   * The subject has answered a questionnaire: always for a page the index ranked (it holds only
   * profiles with answers); else the database says, from the answer sets.
   */
  answered: boolean;
  /** The workspace's score method now. */
  scoreMethod: ScoreMethod;
  /** The listed ids that still exist (jobs: are open), which the record holds; undefined when nothing was recorded. */
  present: Set<string> | undefined;
}

/**
 * Listings' audit records by group commit: one call for every listing waiting (see `GroupCommit`)
 * of `record_listings_answered` (migrations/0017), which passes the workspaces' erasure gates
 * (src/db/erasure-gate.ts), then per listing checks the subject (exists, the caller's, not paused,
 * has answered — looked up only when the index ranked nothing — the workspace's score method is
 * the one it was ranked with), keeps of the listed ids those that still exist, and appends the
 * record — all or nothing for the batch, committed before any of them answers. A subject that fails a check gets no record; the caller answers 404 or 409, or
 * ranks again with the current method.
 */
export function listingRecorder(db: Db, options: { maxBatch?: number } = {}) {
  const batches = new GroupCommit<ListingRecord, ListingOutcome>(
    (records) => recordListings(db, records),
    options,
  );
  return (record: ListingRecord) => batches.submit(record);
}

async function recordListings(db: Db, records: ListingRecord[]): Promise<ListingOutcome[]> {
  const input = records.map((r, n) => ({
    n,
    id: uuidv7(),
    workspace_id: r.principal.workspaceId,
    actor_role: r.principal.role,
    actor_key_id: r.principal.keyId,
    action: r.side === 'job' ? 'matches.job' : 'matches.candidate',
    side: r.side,
    subject_id: r.subjectId,
    owner: r.ownerEmployerId ?? null,
    method: r.method,
    questionnaire_id: r.questionnaireId ?? null,
    questionnaire_version: r.questionnaireVersion ?? null,
    listed: r.listed,
  }));
  // migrations/0017: the workspaces' erasure gates, then the recording statement, in one call.
  const result = await executeNamed(
    db,
    'record_listings_answered',
    sql`select listing as n, subject_found as found, subject_paused as paused,
               subject_answered as answered, workspace_method as score_method, kept as result_ids
          from record_listings_answered(${JSON.stringify(input)}::jsonb)`,
  );
  const outcomes: ListingOutcome[] = records.map(() => ({
    found: false,
    paused: false,
    answered: false,
    scoreMethod: DEFAULT_SCORE_METHOD,
    present: undefined,
  }));
  for (const row of rowsOf<{
    n: number;
    found: boolean;
    paused: boolean;
    answered: boolean;
    score_method: ScoreMethod | null;
    result_ids: string[] | null;
  }>(result)) {
    outcomes[row.n] = {
      found: row.found,
      paused: row.paused,
      answered: row.answered,
      scoreMethod: row.score_method ?? DEFAULT_SCORE_METHOD,
      present: row.result_ids ? new Set(row.result_ids) : undefined,
    };
  }
  return outcomes;
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
    .where(namingProfile(workspaceId, profileId));
}

/** The audit records of a workspace that name a profile, as subject or among the results. */
const namingProfile = (workspaceId: string, profileId: string) =>
  and(
    eq(auditEvents.workspaceId, workspaceId),
    or(eq(auditEvents.subjectId, profileId), sql`jsonb_exists(${auditEvents.resultIds}, ${profileId}::text)`),
  );

/**
 * Who was shown or asked about a profile (export): the audit records naming it as subject or in
 * their results, grouped by action, asking role and subject, with how often and when.
 */
export async function auditOfProfile(db: DbOrTx, workspaceId: string, profileId: string) {
  return rowsOf<{
    action: string;
    actorRole: string;
    subjectId: string | null;
    records: number;
    firstAt: Date | string;
    lastAt: Date | string;
  }>(
    await db.execute(sql`
      select action, actor_role as "actorRole", subject_id as "subjectId", count(*)::int as records,
             min(created_at) as "firstAt", max(created_at) as "lastAt"
        from audit_events
       where ${namingProfile(workspaceId, profileId)}
       group by action, actor_role, subject_id
       order by min(created_at), action, actor_role, subject_id`),
  ).map((row) => ({ ...row, firstAt: new Date(row.firstAt), lastAt: new Date(row.lastAt) }));
}

export async function purgeAuditBefore(db: DbOrTx, before: Date): Promise<void> {
  await db.delete(auditEvents).where(lt(auditEvents.createdAt, before));
}
