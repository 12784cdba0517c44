import type { AnswerSet } from '../answers/types.ts';
import type { DbOrTx } from '../db/client.ts';
import { desc, eq, lt, type SQL, sql } from '../db/orm.ts';
import { executeAsArrays, rowsOf } from '../db/rows.ts';
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
 * where no packed index row fits one of `layoutKeys`, and the packed row only where one does.
 * Plain SQL, not the query builder: start-up maps a million rows through here.
 *
 * A page holds the first (or, `fromTop`, the last) `limit` profiles between `after` and `before`,
 * so the ids between its first and last hold no other profile and its answer sets are one range of
 * the subject index, read in index order; listed `ids` are looked up one probe each, the ids sent
 * as an array parameter.
 */
async function selectStates(
  db: DbOrTx,
  side: IndexSide,
  layoutKeys: string[],
  selection: Page | { workspaceId: string; ids: string[] },
): Promise<StateRow[]> {
  const page = 'ids' in selection ? undefined : selection;
  const where =
    'ids' in selection
      ? sql`workspace_id = ${selection.workspaceId}::uuid and id = any(${sql.param(selection.ids)}::uuid[])`
      : idsBetween(selection.after, selection.before);
  const orderAndLimit = page
    ? sql`order by id ${page.fromTop ? sql`desc` : sql``} limit ${page.limit}`
    : sql`order by id`;
  // Rows as arrays of columns, in the selects' order (see executeAsArrays).
  const profiles =
    side === 'job'
      ? await executeAsArrays<JobRow>(
          db,
          sql`select id, workspace_id, min_score, employer_id, status = 'open' from jobs
               where ${where} ${orderAndLimit}`,
        )
      : await executeAsArrays<CandidateRow>(
          db,
          sql`select id, workspace_id, min_score, not paused,
                     nullif(hidden_from_employer_ids, '{}')::text[] from candidates
               where ${where} ${orderAndLimit}`,
        );
  if (profiles.length === 0) return [];
  if (page?.fromTop) profiles.reverse();
  const subject = sql.raw(side === 'job' ? 'job_id' : 'candidate_id');
  // Which of `layoutKeys` the packed row fits, by position: not the key itself, a long string a row.
  const answerRows = await executeAsArrays<AnswerRow>(
    db,
    sql`
      select ${subject}, questionnaire_id, questionnaire_version,
             array_position(${sql.param(layoutKeys)}::text[], index_layout),
             case when index_layout = any(${sql.param(layoutKeys)}::text[]) then index_row end,
             case when index_layout = any(${sql.param(layoutKeys)}::text[]) then null else answers end
        from answer_sets
       where ${
         page
           ? sql`${subject} >= ${profiles[0]![0]}::uuid and ${subject} <= ${profiles.at(-1)![0]}::uuid`
           : sql`${subject} = any(${sql.param(profiles.map((p) => p[0]))}::uuid[])`
       }
       order by ${subject}`,
  );
  // Both lists are in id order (uuid order is the order of the lowercase strings): a profile's
  // answer set, if it has one, is the next answer row. No map of a page's ids, no object spread.
  const states = new Array<StateRow>(profiles.length);
  // Rows of one workspace and questionnaire share one string of each (a Map look-up hashes a string
  // once), not a fresh copy a row.
  let workspaceId = '';
  let questionnaireId = '';
  let next = 0;
  for (let i = 0; i < profiles.length; i++) {
    const profile = profiles[i]!;
    const id = profile[0];
    if (profile[1] !== workspaceId) workspaceId = profile[1];
    while (next < answerRows.length && answerRows[next]![0] < id) next++;
    const row = answerRows[next]?.[0] === id ? answerRows[next++]! : undefined;
    if (row && row[1] !== questionnaireId) questionnaireId = row[1];
    const answers = row
      ? {
          questionnaireId,
          questionnaireVersion: row[2],
          answers: row[5],
          indexRow: row[4],
          indexLayout: row[3] === null ? null : layoutKeys[row[3] - 1],
        }
      : null;
    states[i] =
      side === 'job'
        ? {
            id,
            workspaceId,
            minScore: profile[2],
            employerId: (profile as JobRow)[3],
            open: (profile as JobRow)[4],
            answers,
          }
        : {
            id,
            workspaceId,
            minScore: profile[2],
            open: (profile as CandidateRow)[3],
            hiddenFromEmployerIds: (profile as CandidateRow)[4] ?? undefined,
            answers,
          };
  }
  return states;
}

/** id, workspace_id, min_score, employer_id, open */
type JobRow = [string, string, number, string, boolean];
/** id, workspace_id, min_score, open (not paused), the employers it hides from (null: none) */
type CandidateRow = [string, string, number, boolean, string[] | null];
/** subject id, questionnaire_id, questionnaire_version, layout key's position (1-based), index_row, answers */
type AnswerRow = [string, string, number, number | null, Uint8Array | null, AnswerSet | null];

/**
 * A page of profiles: at most `limit` of those with ids between `after` and `before` (either end
 * open where not given), the lowest ids or, `fromTop`, the highest.
 */
interface Page {
  after: string | undefined;
  before: string | undefined;
  limit: number;
  fromTop: boolean;
}

/** `id` strictly between `after` and `before`, either end open where not given. */
function idsBetween(after: string | undefined, before: string | undefined): SQL {
  const bounds = [
    ...(after === undefined ? [] : [sql`id > ${after}::uuid`]),
    ...(before === undefined ? [] : [sql`id < ${before}::uuid`]),
  ];
  return bounds.length === 0 ? sql`true` : sql.join(bounds, sql` and `);
}

/**
 * Every profile of one side, page by page (keyset on id, `pageSize` profiles a page, each in id
 * order), never the whole table at once. Two reads run at once, one up from the lowest id and one
 * down from the highest, each bounded by what the other has read, until they meet: the database
 * reads one page while the caller indexes another, and no count or offset scan has to cut the
 * table first.
 *
 * A short page ends the stream: everything between the two ends was in it, and the other end's read
 * in flight holds nothing new. Two pages read at once where the ends meet can overlap, so a
 * profile may come twice (the caller applies the same state again).
 */
export async function* streamStates(
  db: DbOrTx,
  side: IndexSide,
  layoutKeys: string[],
  pageSize = PAGE,
): AsyncGenerator<StateRow[]> {
  type End = 'low' | 'high';
  /** Every id up to `low` has been read, and every id from `high` on. */
  let low: string | undefined;
  let high: string | undefined;
  const reads = new Map<End, Promise<{ end: End; page: StateRow[] }>>();
  const read = (end: End) => {
    const page = { after: low, before: high, limit: pageSize, fromTop: end === 'high' };
    const reading = selectStates(db, side, layoutKeys, page).then((states) => ({ end, page: states }));
    // A read dropped (the other end finished first, or the caller stopped) is never awaited: its
    // failure must not go unhandled.
    reading.catch(() => {});
    reads.set(end, reading);
  };
  read('low');
  while (reads.size > 0) {
    const { end, page } = await Promise.race(reads.values());
    reads.delete(end);
    if (page.length < pageSize) reads.clear();
    else {
      // The top end starts once the first page is full: a side of one page is read once.
      const first = low === undefined && high === undefined;
      if (end === 'low') low = page.at(-1)!.id;
      else high = page[0]!.id;
      read(end);
      if (first) read('high');
    }
    if (page.length > 0) yield page;
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

/** A change-feed row as the follower reads it (matching/sync.ts). */
export interface ChangeRow {
  seq: number;
  workspaceId: string;
  side: IndexSide;
  profileId: string;
  origin: string | null;
  /** epoch milliseconds */
  changedAt: number;
}

/**
 * Change rows after `seq`, in seq order; with `within`, only those strictly inside one of its
 * (low, high) seq ranges. Read as arrays, the time as epoch milliseconds: a follower reads a row
 * for every profile a bulk write stores, its own included (drizzle's row objects and a Date a row
 * were most of what following cost it).
 */
export async function changesSince(
  db: DbOrTx,
  seq: number,
  limit: number,
  within?: readonly (readonly [number, number])[],
): Promise<ChangeRow[]> {
  const inside = within
    ? sql` and (${sql.join(
        within.map(([low, high]) => sql`(seq > ${low} and seq < ${high})`),
        sql` or `,
      )})`
    : sql``;
  const rows = await executeAsArrays<[number, string, IndexSide, string, string | null, number]>(
    db,
    sql`select seq::float8, workspace_id, side, profile_id, origin,
               extract(epoch from changed_at)::float8 * 1000
          from profile_changes
         where seq > ${seq}${inside}
         order by seq
         limit ${limit}`,
  );
  return rows.map(([seq, workspaceId, side, profileId, origin, changedAt]) => ({
    seq,
    workspaceId,
    side,
    profileId,
    origin,
    changedAt,
  }));
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
