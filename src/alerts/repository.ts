import type { DbOrTx } from '../db/client.ts';
import { and, eq, sql } from '../db/orm.ts';
import { rowsOf } from '../db/rows.ts';
import { alerts, workspaces } from '../db/schema.ts';
import type { IndexSide } from '../matching/index.ts';
import { DEFAULT_SCORE_METHOD } from '../matching/types.ts';
import type { SubjectThresholds } from './registry.ts';

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

/**
 * Every alert of the workspace, by side: its subjects' ids as words and their thresholds (see
 * SubjectThresholds), each side's in two runs of bytes. A registry's load reads a hundred thousand
 * alerts at a time: a row object and an id string each cost several times the read.
 */
export async function alertingSubjectsOf(
  tx: DbOrTx,
  workspaceId: string,
): Promise<Record<IndexSide, SubjectThresholds>> {
  // Both aggregates of a group take its rows in one order (each row goes to every aggregate in
  // turn), so the nth id and the nth threshold are one alert's.
  const rows = rowsOf<{ side: IndexSide; ids: Uint8Array; scores: Uint8Array }>(
    await tx.execute(sql`
      select side, string_agg(uuid_send(coalesce(job_id, candidate_id)), ''::bytea) as ids,
             string_agg(float8send(min_score), ''::bytea) as scores
        from alerts where workspace_id = ${workspaceId}::uuid group by side`),
  );
  const subjects: Record<IndexSide, SubjectThresholds> = {
    job: { words: new Uint32Array(0), values: new Float64Array(0) },
    candidate: { words: new Uint32Array(0), values: new Float64Array(0) },
  };
  for (const { side, ids, scores } of rows) subjects[side] = decodeSubjects(ids, scores);
  return subjects;
}

/** Big-endian bytes (uuid_send, float8send) to words and thresholds. */
function decodeSubjects(ids: Uint8Array, scores: Uint8Array): SubjectThresholds {
  const count = scores.length / 8;
  const idBytes = new DataView(ids.buffer, ids.byteOffset, ids.byteLength);
  const scoreBytes = new DataView(scores.buffer, scores.byteOffset, scores.byteLength);
  const words = new Uint32Array(count * 4);
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    for (let w = 0; w < 4; w++) words[i * 4 + w] = idBytes.getUint32(i * 16 + w * 4);
    values[i] = scoreBytes.getFloat64(i * 8);
  }
  return { words, values };
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
