import type { DbOrTx } from '../db/client.ts';
import { and, eq, sql } from '../db/orm.ts';
import { alerts, workspaces } from '../db/schema.ts';
import type { IndexSide } from '../matching/index.ts';
import { DEFAULT_SCORE_METHOD } from '../matching/types.ts';

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
