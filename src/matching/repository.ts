import type { AnswerSet } from '../answers/types.ts';
import type { DbOrTx } from '../db/client.ts';
import { asc, desc, eq, gt, lt, type SQL, sql } from '../db/orm.ts';
import { rowsOf } from '../db/rows.ts';
import { profileChanges, workspaces } from '../db/schema.ts';
import type { IndexSide, ProfileState } from './index.ts';
import { DEFAULT_SCORE_METHOD } from './types.ts';

const PAGE = 5_000;

/** The NOTIFY channel of the change feed (the triggers in migrations/0001 name it too). */
export const CHANGES_CHANNEL = 'mutualfit_profile_changes';

export type StateRow = ProfileState & { workspaceId: string };

/**
 * Current index state of profiles (with or without answers), in id order: the profiles first,
 * then their answer sets (two index look-ups that stay linear at any table size; a join here is
 * planned as a merge join that rescans answer_sets on every page). The answers' JSON is read only
 * where no packed index row fits one of `layoutKeys`. Plain SQL, not the query builder: start-up
 * maps a million rows through here.
 *
 * A page (`after`, `upTo`, `limit`) holds every profile after `after` up to its own last one, so
 * its answer sets are one range of the subject index, read in index order; listed `ids` are
 * looked up one probe each, the ids sent as an array parameter.
 */
async function selectStates(
  db: DbOrTx,
  side: IndexSide,
  layoutKeys: string[],
  selection: Page | { workspaceId: string; ids: string[] },
): Promise<StateRow[]> {
  const where =
    'ids' in selection
      ? sql`workspace_id = ${selection.workspaceId}::uuid and id = any(${sql.param(selection.ids)}::uuid[])`
      : idsIn(sql`id`, selection.after, selection.upTo);
  const limit = 'ids' in selection ? sql`` : sql`limit ${selection.limit}`;
  const profiles = rowsOf<{
    id: string;
    workspace_id: string;
    min_score: number;
    employer_id?: string;
    status?: 'open' | 'closed';
    paused?: boolean;
    hidden?: string[] | null;
  }>(
    side === 'job'
      ? await db.execute(sql`
          select id, workspace_id, min_score, employer_id, status from jobs
           where ${where} order by id ${limit}`)
      : await db.execute(sql`
          select id, workspace_id, min_score, paused,
                 nullif(hidden_from_employer_ids, '{}')::text[] as hidden from candidates
           where ${where} order by id ${limit}`),
  );
  if (profiles.length === 0) return [];
  const subject = sql.raw(side === 'job' ? 'job_id' : 'candidate_id');
  const answerRows = rowsOf<{
    subject_id: string;
    questionnaire_id: string;
    questionnaire_version: number;
    answers: AnswerSet | null;
    index_row: Uint8Array | null;
    index_layout: string | null;
  }>(
    await db.execute(sql`
      select ${subject} as subject_id, questionnaire_id, questionnaire_version, index_row, index_layout,
             case when index_layout = any(${sql.param(layoutKeys)}::text[]) then null else answers end as answers
        from answer_sets
       where ${'ids' in selection ? sql`${subject} = any(${sql.param(profiles.map((p) => p.id))}::uuid[])` : idsIn(subject, selection.after, profiles.at(-1)!.id)}
       order by ${subject}`),
  );
  // Both lists are in id order (uuid order is the order of the lowercase strings): a profile's
  // answer set, if it has one, is the next answer row. No map of a page's ids, no object spread.
  const states = new Array<StateRow>(profiles.length);
  let next = 0;
  for (let i = 0; i < profiles.length; i++) {
    const profile = profiles[i]!;
    while (next < answerRows.length && answerRows[next]!.subject_id < profile.id) next++;
    const row = answerRows[next]?.subject_id === profile.id ? answerRows[next++]! : undefined;
    const answers = row
      ? {
          questionnaireId: row.questionnaire_id,
          questionnaireVersion: row.questionnaire_version,
          answers: row.answers,
          indexRow: row.index_row,
          indexLayout: row.index_layout,
        }
      : null;
    states[i] =
      side === 'job'
        ? {
            id: profile.id,
            workspaceId: profile.workspace_id,
            minScore: profile.min_score,
            employerId: profile.employer_id,
            open: profile.status === 'open',
            answers,
          }
        : {
            id: profile.id,
            workspaceId: profile.workspace_id,
            minScore: profile.min_score,
            open: !profile.paused,
            hiddenFromEmployerIds: profile.hidden ?? undefined,
            answers,
          };
  }
  return states;
}

/** A page of profiles: after `after`, up to `upTo` (unbounded where not given), at most `limit`. */
interface Page {
  after: string | undefined;
  upTo: string | undefined;
  limit: number;
}

/** `column` in (after, upTo], either end open where not given. */
function idsIn(column: SQL, after: string | undefined, upTo: string | undefined): SQL {
  const bounds = [
    ...(after === undefined ? [] : [sql`${column} > ${after}::uuid`]),
    ...(upTo === undefined ? [] : [sql`${column} <= ${upTo}::uuid`]),
  ];
  return bounds.length === 0 ? sql`true` : sql.join(bounds, sql` and `);
}

/**
 * Every profile of one side with an id in (after, upTo] (unbounded where not given), page by page
 * (keyset on id, `pageSize` profiles a page), never the whole table at once.
 */
export async function* streamStates(
  db: DbOrTx,
  side: IndexSide,
  layoutKeys: string[],
  range: { after?: string | undefined; upTo?: string | undefined } = {},
  pageSize = PAGE,
): AsyncGenerator<StateRow[]> {
  const pageAfter = (after: string | undefined) =>
    selectStates(db, side, layoutKeys, { after, upTo: range.upTo, limit: pageSize });
  // The next page is already being read while the caller works on this one.
  let next = pageAfter(range.after);
  for (;;) {
    const page = await next;
    if (page.length === 0) return;
    next = page.length < pageSize ? Promise.resolve([]) : pageAfter(page.at(-1)!.id);
    // If the caller stops early, nobody awaits this read: its failure must not go unhandled.
    next.catch(() => {});
    yield page;
  }
}

/**
 * How many profiles of each side answered each questionnaire version, per workspace: all answer
 * sets counted from the market index alone (not the table, whose rows hold the answers), the jobs'
 * through the job index, the candidates the rest.
 */
export async function marketSizes(db: DbOrTx): Promise<MarketSize[]> {
  type Count = { workspace_id: string; questionnaire_id: string; questionnaire_version: number; n: number };
  const count = async (where: SQL) =>
    rowsOf<Count>(
      await db.execute(sql`
        select workspace_id, questionnaire_id, questionnaire_version, count(*)::int as n
          from answer_sets ${where} group by 1, 2, 3`),
    );
  const [all, jobs] = await Promise.all([count(sql``), count(sql`where job_id is not null`)]);
  const key = (row: Count) => `${row.workspace_id} ${row.questionnaire_id} ${row.questionnaire_version}`;
  const jobCounts = new Map(jobs.map((row) => [key(row), row.n]));
  return all.map((row) => {
    const job = jobCounts.get(key(row)) ?? 0;
    return {
      workspaceId: row.workspace_id,
      questionnaireId: row.questionnaire_id,
      questionnaireVersion: row.questionnaire_version,
      job,
      candidate: row.n - job,
    };
  });
}

export interface MarketSize {
  workspaceId: string;
  questionnaireId: string;
  questionnaireVersion: number;
  job: number;
  candidate: number;
}

/**
 * Ids that cut one side's profiles into `parts` ranges of about equal size, in order (none below
 * `minimum` profiles: not worth it): bounds for reading the ranges side by side.
 */
export async function cutPoints(
  db: DbOrTx,
  side: IndexSide,
  parts: number,
  minimum = 2 * parts * PAGE,
): Promise<string[]> {
  const table = sql.raw(side === 'job' ? 'jobs' : 'candidates');
  const [counted] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from ${table}`));
  const n = counted?.n ?? 0;
  if (n < Math.max(minimum, parts)) return [];
  const points: string[] = [];
  for (let i = 1; i < parts; i++) {
    const at = Math.floor((i * n) / parts);
    const [row] = rowsOf<{ id: string }>(
      await db.execute(sql`select id from ${table} order by id offset ${at} limit 1`),
    );
    if (row) points.push(row.id);
  }
  return points;
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
  // One array parameter, not one parameter per id: a bulk write refreshes 10,000 at a time.
  return selectStates(db, side, layoutKeys, { workspaceId, ids });
}

export async function scoreMethodOf(db: DbOrTx, workspaceId: string) {
  const [row] = await db
    .select({ scoreMethod: workspaces.scoreMethod })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return row?.scoreMethod ?? DEFAULT_SCORE_METHOD;
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
