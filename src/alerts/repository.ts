import type { DbOrTx } from '../db/client.ts';
import { and, asc, eq, gt, lt, sql } from '../db/orm.ts';
import { rowsOf } from '../db/rows.ts';
import { alertEvents, alerts, workspaces } from '../db/schema.ts';
import type { IndexSide } from '../matching/index.ts';
import { DEFAULT_SCORE_METHOD } from '../matching/types.ts';

/** The feed keeps events this long (then the hourly purge drops them). */
export const ALERT_EVENT_RETENTION_DAYS = 30;

const subjectColumn = (side: IndexSide) => (side === 'job' ? alerts.jobId : alerts.candidateId);

const lockKey = (name: string, workspaceId: string) =>
  sql`hashtextextended(${`mutualfit.alerts.${name}:${workspaceId}`}, 0)`;

/**
 * The start of every market write (docs/architecture.md#alerts): a shared hold on the workspace's
 * alert gate (writers do not wait for each other; an alert switch-on waits for every write in
 * flight), then, in a later statement so that its snapshot sees every alert committed before the
 * hold was granted, whether the workspace has an alert. Only then does the write serialise on the
 * market lock. True when it did (and must evaluate).
 */
export async function enterMarketWrite(tx: DbOrTx, workspaceId: string): Promise<boolean> {
  await tx.execute(sql`select pg_advisory_xact_lock_shared(${lockKey('gate', workspaceId)})`);
  if (!(await workspaceHasAlerts(tx, workspaceId))) return false;
  await lockMarket(tx, workspaceId);
  return true;
}

/**
 * Switching an alert on, off or to a new threshold: the gate exclusively (every write in flight has
 * committed, and none starts until this commits, so each later write sees the alert), then the market.
 */
export async function enterAlertChange(tx: DbOrTx, workspaceId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${lockKey('gate', workspaceId)})`);
  await lockMarket(tx, workspaceId);
}

/**
 * Serialises the evaluating writes (and alert changes) of one workspace until the transaction ends:
 * an evaluation then sees every earlier one committed, and two cannot announce the same crossing.
 */
async function lockMarket(tx: DbOrTx, workspaceId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${lockKey('market', workspaceId)})`);
}

async function workspaceHasAlerts(tx: DbOrTx, workspaceId: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: alerts.id })
    .from(alerts)
    .where(eq(alerts.workspaceId, workspaceId))
    .limit(1);
  return row !== undefined;
}

export async function findAlert(tx: DbOrTx, workspaceId: string, side: IndexSide, subjectId: string) {
  const [row] = await tx
    .select({ minScore: alerts.minScore, createdAt: alerts.createdAt, updatedAt: alerts.updatedAt })
    .from(alerts)
    .where(and(eq(alerts.workspaceId, workspaceId), eq(subjectColumn(side), subjectId)));
  return row;
}

/** The workspace's alert generation (see AlertRegistry) and its score method, in one read. */
export async function alertGenerationOf(tx: DbOrTx, workspaceId: string) {
  const [row] = await tx
    .select({ generation: workspaces.alertGeneration, method: workspaces.scoreMethod })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return row ?? { generation: 0, method: DEFAULT_SCORE_METHOD };
}

/** Thresholds of every alert of the workspace, by side and subject. */
export async function thresholdsOf(
  tx: DbOrTx,
  workspaceId: string,
): Promise<Record<IndexSide, Map<string, number>>> {
  const rows = await tx
    .select({ jobId: alerts.jobId, candidateId: alerts.candidateId, minScore: alerts.minScore })
    .from(alerts)
    .where(eq(alerts.workspaceId, workspaceId));
  const thresholds = { job: new Map<string, number>(), candidate: new Map<string, number>() };
  for (const { jobId, candidateId, minScore } of rows) {
    if (jobId) thresholds.job.set(jobId, minScore);
    else thresholds.candidate.set(candidateId!, minScore);
  }
  return thresholds;
}

export async function upsertAlert(
  tx: DbOrTx,
  workspaceId: string,
  side: IndexSide,
  subjectId: string,
  minScore: number,
) {
  const subject = side === 'job' ? { jobId: subjectId } : { candidateId: subjectId };
  const [row] = await tx
    .insert(alerts)
    .values({ workspaceId, side, ...subject, minScore })
    .onConflictDoUpdate({ target: subjectColumn(side), set: { minScore, updatedAt: sql`now()` } })
    .returning({ minScore: alerts.minScore, createdAt: alerts.createdAt, updatedAt: alerts.updatedAt });
  return row!;
}

/** Switches an alert off (its feed stays until it expires). */
export async function deleteAlert(tx: DbOrTx, workspaceId: string, side: IndexSide, subjectId: string) {
  const deleted = await tx
    .delete(alerts)
    .where(and(eq(alerts.workspaceId, workspaceId), eq(subjectColumn(side), subjectId)))
    .returning({ id: alerts.id });
  return deleted.length > 0;
}

export type AlertEventType = 'match.created' | 'match.removed';

export interface AlertEvent {
  type: AlertEventType;
  alertOf: IndexSide;
  jobId: string;
  candidateId: string;
  score: number | null;
}

export async function insertAlertEvents(
  tx: DbOrTx,
  workspaceId: string,
  events: AlertEvent[],
): Promise<void> {
  for (let start = 0; start < events.length; start += WRITE_BATCH) {
    const batch = events.slice(start, start + WRITE_BATCH);
    // Sequence numbers follow the events' order (the feed's order): `order by n` numbers them so.
    await tx.execute(sql`
      insert into alert_events (workspace_id, alert_of, subject_id, type, job_id, candidate_id, score)
      select ${workspaceId}::uuid, alert_of::alert_side,
             case when alert_of = 'job' then job_id else candidate_id end, type, job_id, candidate_id, score
        from unnest(${sql.param(batch.map((e) => e.alertOf))}::text[],
                    ${sql.param(batch.map((e) => e.type))}::text[],
                    ${sql.param(batch.map((e) => e.jobId))}::uuid[],
                    ${sql.param(batch.map((e) => e.candidateId))}::uuid[],
                    ${sql.param(batch.map((e) => e.score))}::float8[])
             with ordinality as event(alert_of, type, job_id, candidate_id, score, n)
       order by n`);
  }
}

/** The highest sequence number any alert event was given (0 before the first): no cursor is beyond it. */
export async function lastAlertEventSeq(db: DbOrTx): Promise<number> {
  const result = await db.execute(
    sql`select case when is_called then last_value else 0 end as last from alert_events_seq_seq`,
  );
  return Number(rowsOf<{ last: string | number }>(result)[0]!.last);
}

/** One subject's feed, oldest first, after the sequence number `after`. */
export async function listAlertEvents(
  db: DbOrTx,
  workspaceId: string,
  side: IndexSide,
  subjectId: string,
  page: { limit: number; after?: number | undefined },
) {
  return db
    .select({
      seq: alertEvents.seq,
      type: alertEvents.type,
      jobId: alertEvents.jobId,
      candidateId: alertEvents.candidateId,
      score: alertEvents.score,
      alertOf: alertEvents.alertOf,
      createdAt: alertEvents.createdAt,
    })
    .from(alertEvents)
    .where(
      and(
        eq(alertEvents.subjectId, subjectId),
        eq(alertEvents.workspaceId, workspaceId),
        eq(alertEvents.alertOf, side),
        page.after === undefined ? undefined : gt(alertEvents.seq, page.after),
      ),
    )
    .orderBy(asc(alertEvents.seq))
    .limit(page.limit + 1);
}

/**
 * Erasure: the candidate's own feed and every earlier event naming it go; the match.removed
 * events its erasure raises for alerting jobs are written afterwards.
 */
export async function forgetCandidateAlertEvents(tx: DbOrTx, workspaceId: string, candidateId: string) {
  await tx
    .delete(alertEvents)
    .where(and(eq(alertEvents.workspaceId, workspaceId), eq(alertEvents.candidateId, candidateId)));
}

export async function purgeAlertEventsBefore(db: DbOrTx, cutoff: Date): Promise<void> {
  await db.delete(alertEvents).where(lt(alertEvents.createdAt, cutoff));
}

/** Rows per statement (one array per column): bounds a statement's size, not its parameter count. */
const WRITE_BATCH = 5_000;

/** What alerts hold about a candidate (export): the announcements naming it in every feed (its own and alerting jobs'), oldest first. */
export async function alertEventsOfCandidate(db: DbOrTx, workspaceId: string, candidateId: string) {
  return db
    .select({
      alertOf: alertEvents.alertOf,
      subjectId: alertEvents.subjectId,
      type: alertEvents.type,
      jobId: alertEvents.jobId,
      score: alertEvents.score,
      at: alertEvents.createdAt,
    })
    .from(alertEvents)
    .where(and(eq(alertEvents.workspaceId, workspaceId), eq(alertEvents.candidateId, candidateId)))
    .orderBy(asc(alertEvents.seq));
}
