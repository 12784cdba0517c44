import { and, asc, desc, eq, gt, inArray, lt, type SQL, sql } from 'drizzle-orm';
import type { AnswerSet } from '../answers/types.ts';
import type { DbOrTx } from '../db/client.ts';
import { answerSets, candidates, jobs, profileChanges, workspaces } from '../db/schema.ts';
import type { IndexSide, ProfileState } from './index.ts';

const PAGE = 5_000;

/** The NOTIFY channel of the change feed (the triggers in migrations/0001 name it too). */
export const CHANGES_CHANNEL = 'mutualfit_profile_changes';

export type StateRow = ProfileState & { workspaceId: string };

/**
 * Current index state of profiles (with or without answers), in id order: the profiles first,
 * then their answer sets by id (two index look-ups that stay linear at any table size). The
 * answers' JSON is read only where no packed index row fits one of `layoutKeys`.
 */
async function selectStates(
  db: DbOrTx,
  side: IndexSide,
  where: SQL | undefined,
  layoutKeys: string[],
  limit?: number,
): Promise<StateRow[]> {
  const profiles =
    side === 'job'
      ? await db
          .select({
            id: jobs.id,
            workspaceId: jobs.workspaceId,
            minScore: jobs.minScore,
            employerId: jobs.employerId,
            status: jobs.status,
          })
          .from(jobs)
          .where(where)
          .orderBy(asc(jobs.id))
          .limit(limit ?? Number.MAX_SAFE_INTEGER)
      : await db
          .select({ id: candidates.id, workspaceId: candidates.workspaceId, minScore: candidates.minScore })
          .from(candidates)
          .where(where)
          .orderBy(asc(candidates.id))
          .limit(limit ?? Number.MAX_SAFE_INTEGER);
  if (profiles.length === 0) return [];
  const subject = side === 'job' ? answerSets.jobId : answerSets.candidateId;
  const answerRows = await db
    .select({
      subjectId: subject,
      questionnaireId: answerSets.questionnaireId,
      questionnaireVersion: answerSets.questionnaireVersion,
      answers: sql<AnswerSet | null>`case when ${answerSets.indexLayout} = any(${sql.param(layoutKeys)}::text[]) then null else ${answerSets.answers} end`,
      indexRow: answerSets.indexRow,
      indexLayout: answerSets.indexLayout,
    })
    .from(answerSets)
    .where(sql`${subject} = any(${sql.param(profiles.map((p) => p.id))}::uuid[])`);
  const answersOf = new Map(answerRows.map(({ subjectId, ...answers }) => [subjectId!, answers]));
  return profiles.map((profile) => {
    const { status, ...rest } = profile as typeof profile & { status?: 'open' | 'closed' };
    return {
      ...rest,
      ...(status === undefined ? {} : { open: status === 'open' }),
      answers: answersOf.get(profile.id) ?? null,
    };
  });
}

/** Every profile of one side, page by page (keyset on id), never the whole table at once. */
export async function* streamStates(
  db: DbOrTx,
  side: IndexSide,
  layoutKeys: string[],
): AsyncGenerator<StateRow[]> {
  const idColumn = side === 'job' ? jobs.id : candidates.id;
  const pageAfter = (after: string | undefined) =>
    selectStates(db, side, after === undefined ? undefined : gt(idColumn, after), layoutKeys, PAGE);
  // The next page is already being read while the caller works on this one.
  let next = pageAfter(undefined);
  for (;;) {
    const page = await next;
    if (page.length === 0) return;
    next = page.length < PAGE ? Promise.resolve([]) : pageAfter(page.at(-1)!.id);
    // If the caller stops early, nobody awaits this read: its failure must not go unhandled.
    next.catch(() => {});
    yield page;
  }
}

/** The current state of the given profiles; ids with no row are gone (deleted or erased). */
export async function readStates(
  db: DbOrTx,
  workspaceId: string,
  side: IndexSide,
  ids: string[],
  layoutKeys: string[],
) {
  if (ids.length === 0) return [];
  const table = side === 'job' ? jobs : candidates;
  // One array parameter, not one parameter per id: a bulk write refreshes 10,000 at a time.
  const inIds = sql`${table.id} = any(${sql.param(ids)}::uuid[])`;
  return selectStates(db, side, and(eq(table.workspaceId, workspaceId), inIds), layoutKeys);
}

export async function existingProfileIds(db: DbOrTx, workspaceId: string, side: IndexSide, ids: string[]) {
  if (ids.length === 0) return new Set<string>();
  const rows =
    side === 'job'
      ? await db
          .select({ id: jobs.id })
          .from(jobs)
          .where(and(eq(jobs.workspaceId, workspaceId), inArray(jobs.id, ids), eq(jobs.status, 'open')))
      : await db
          .select({ id: candidates.id })
          .from(candidates)
          .where(and(eq(candidates.workspaceId, workspaceId), inArray(candidates.id, ids)));
  return new Set(rows.map((row) => row.id));
}

export async function scoreMethodOf(db: DbOrTx, workspaceId: string) {
  const [row] = await db
    .select({ scoreMethod: workspaces.scoreMethod })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return row?.scoreMethod ?? 'harmonic';
}

export async function latestChangeSeq(db: DbOrTx): Promise<number> {
  const [row] = await db
    .select({ seq: profileChanges.seq })
    .from(profileChanges)
    .orderBy(desc(profileChanges.seq))
    .limit(1);
  return row?.seq ?? 0;
}

export async function changesSince(db: DbOrTx, seq: number, limit: number) {
  return db
    .select({
      seq: profileChanges.seq,
      workspaceId: profileChanges.workspaceId,
      side: profileChanges.side,
      profileId: profileChanges.profileId,
      origin: profileChanges.origin,
      changedAt: profileChanges.changedAt,
    })
    .from(profileChanges)
    .where(gt(profileChanges.seq, seq))
    .orderBy(asc(profileChanges.seq))
    .limit(limit);
}

/**
 * Takes a profile's rows out of the change feed (erasure) and tells listening replicas directly;
 * the notification is delivered when the transaction commits.
 */
export async function forgetProfileChanges(
  db: DbOrTx,
  workspaceId: string,
  side: IndexSide,
  profileId: string,
) {
  await db.delete(profileChanges).where(eq(profileChanges.profileId, profileId));
  await db.execute(sql`select pg_notify(${CHANGES_CHANNEL}, ${`${side}:${workspaceId}:${profileId}`})`);
}

export async function purgeChangesBefore(db: DbOrTx, before: Date) {
  await db.delete(profileChanges).where(lt(profileChanges.changedAt, before));
}
