import { arrayParam } from '../db/array-literal.ts';
import type { DbOrTx, Tx } from '../db/client.ts';
import { and, eq, inArray, sql } from '../db/orm.ts';
import { rowsOf } from '../db/rows.ts';
import { employers, jobs } from '../db/schema.ts';
import { uuidv7Batch } from '../db/uuid.ts';
import type { ProfileState } from '../matching/index.ts';
import type { ProfileSync } from '../matching/profile-sync.ts';
import type { BulkEntry } from './bulk.ts';
import { layoutsOf, ndjsonBytes, packedRows } from './bulk-answer-params.ts';
import { idsOf, keepStoredFields } from './bulk-kept-fields.ts';
import type { PackedAnswers } from './bulk-lines.ts';
import { compareCandidates, compareJobs, touchCandidates, touchJobs } from './bulk-unchanged.ts';

/**
 * Per externalId: the row's id, whether it was new, and its index state as stored (see
 * WrittenProfile); `unchanged` for a line that matched what was stored, and was not written.
 */
type Written = Map<
  string,
  { id: string; inserted: boolean; state: ProfileState | undefined; unchanged?: true | undefined }
>;

/*
 * Bulk writes send each statement's batch in a few parameters, however many rows: a column to an
 * array (arrayParam), expanded by unnest, and the answers as NDJSON beside them. (Arrays of answer
 * JSON were much slower: quoting kilobytes of JSON into array literals, then parsing them back,
 * cost more than the insert. A JSON document of the rows for json_to_recordset cost PostgreSQL
 * about twice what unnest of arrays costs: bench/README.md, session 58.) `xmax = 0` tells a row
 * this statement inserted from one it updated.
 */

export interface CandidateLine {
  externalId: string;
  headline?: string | undefined;
  minScore: number;
  contact: { name: string; email: string; phone?: string | undefined };
  /** fields the line left out: an existing candidate keeps its own (keptWhenLeftOut) */
  leftOut?: readonly string[] | undefined;
}

export async function writeCandidates(
  tx: Tx,
  workspaceId: string,
  entries: BulkEntry<CandidateLine>[],
  sync: Pick<ProfileSync, 'origin'>,
  onRows: (written: Written) => void = () => {},
  ids: readonly string[] = newIds(entries.length),
): Promise<Written> {
  await markOrigin(tx, sync.origin);
  const records = entries.map((e) => e.record);
  const known = await keepStoredFields(tx, 'candidates', workspaceId, records);
  const result = await tx.execute(sql`
    insert into candidates (id, workspace_id, external_id, headline, min_score)
    select id, ${workspaceId}::uuid, external_id, headline, min_score
      from unnest(${arrayParam(ids)}::uuid[],
                  ${arrayParam(records.map((r) => r.externalId))}::text[],
                  ${arrayParam(records.map((r) => r.headline ?? null))}::text[],
                  ${arrayParam(records.map((r) => r.minScore))}::float8[])
             as t(id, external_id, headline, min_score)
    on conflict (workspace_id, external_id) do update
      set headline = excluded.headline, min_score = excluded.min_score, updated_at = now()
      where (candidates.headline, candidates.min_score) is distinct from (excluded.headline, excluded.min_score)
    returning id, external_id, (xmax = 0) as inserted, paused,
              nullif(hidden_from_employer_ids, '{}')::text[] as hidden`);
  const rows = new Map(rowsOf<CandidateRow>(result).map((r) => [r.external_id, r]));
  const { unchanged, changed: otherParts } = await compareCandidates(
    tx,
    workspaceId,
    entries.filter((e) => !rows.has(e.externalId)),
    idsOf(known),
  );
  if (otherParts.size > 0) {
    for (const row of await touchCandidates(tx, workspaceId, [...otherParts.values()])) {
      rows.set(row.external_id, { ...row, inserted: false });
    }
  }
  const changed = entries.filter((e) => !unchanged.has(e.externalId));
  const written = unchangedRows(unchanged);
  for (const entry of changed) {
    const row = rows.get(entry.externalId)!;
    written.set(entry.externalId, { id: row.id, inserted: row.inserted, state: candidateState(row, entry) });
  }
  onRows(written);
  const changedRecords = changed.map((e) => e.record);
  const inserted = (i: number) => written.get(changedRecords[i]!.externalId)!.inserted;
  for (const { part, fresh } of byFreshness(changedRecords, inserted)) {
    await tx.execute(sql`
      insert into candidate_contacts (candidate_id, workspace_id, name, email, phone)
      select candidate_id, ${workspaceId}::uuid, name, email, phone
        from unnest(${arrayParam(part.map((r) => written.get(r.externalId)!.id))}::uuid[],
                    ${arrayParam(part.map((r) => r.contact.name))}::text[],
                    ${arrayParam(part.map((r) => r.contact.email))}::text[],
                    ${arrayParam(part.map((r) => r.contact.phone ?? null))}::text[])
               as t(candidate_id, name, email, phone)
      ${
        fresh
          ? sql``
          : sql`on conflict (candidate_id) do update
                  set name = excluded.name, email = excluded.email, phone = excluded.phone, updated_at = now()`
      }`);
  }
  await writeAnswers(tx, workspaceId, changed, written, 'candidate');
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
  /** fields the line left out: an existing job keeps its own (keptWhenLeftOut) */
  leftOut?: readonly string[] | undefined;
}

export async function writeJobs(
  tx: Tx,
  workspaceId: string,
  entries: BulkEntry<JobLine & { resolvedEmployerId: string }>[],
  sync: Pick<ProfileSync, 'origin'>,
  onRows: (written: Written) => void = () => {},
): Promise<Written> {
  await markOrigin(tx, sync.origin);
  const records = entries.map((e) => e.record);
  const known = await keepStoredFields(tx, 'jobs', workspaceId, records);
  const result = await tx.execute(sql`
    insert into jobs (id, workspace_id, external_id, employer_id, title, capacity, status, min_score)
    select id, ${workspaceId}::uuid, external_id, employer_id, title, capacity, status::job_status, min_score
      from unnest(${arrayParam(newIds(entries.length))}::uuid[],
                  ${arrayParam(records.map((r) => r.externalId))}::text[],
                  ${arrayParam(records.map((r) => r.resolvedEmployerId))}::uuid[],
                  ${arrayParam(records.map((r) => r.title))}::text[],
                  ${arrayParam(records.map((r) => r.capacity))}::int[],
                  ${arrayParam(records.map((r) => r.status))}::text[],
                  ${arrayParam(records.map((r) => r.minScore))}::float8[])
             as t(id, external_id, employer_id, title, capacity, status, min_score)
    on conflict (workspace_id, external_id) do update
      set title = excluded.title, capacity = excluded.capacity,
          status = excluded.status, min_score = excluded.min_score, updated_at = now()
      where jobs.employer_id = excluded.employer_id
        and (jobs.title, jobs.capacity, jobs.status, jobs.min_score)
              is distinct from (excluded.title, excluded.capacity, excluded.status, excluded.min_score)
    returning id, external_id, (xmax = 0) as inserted`);
  const rows = new Map(rowsOf<WrittenRow>(result).map((r) => [r.external_id, r]));
  const employerOf = new Map(entries.map((e) => [e.externalId, e.record.resolvedEmployerId]));
  const { unchanged, changed: otherAnswers } = await compareJobs(
    tx,
    workspaceId,
    entries.filter((e) => !rows.has(e.externalId)),
    idsOf(known, (row) => row.employer_id === employerOf.get(row.external_id)),
  );
  if (otherAnswers.size > 0) {
    for (const row of await touchJobs(tx, workspaceId, [...otherAnswers.values()])) {
      rows.set(row.external_id, { ...row, inserted: false });
    }
  }
  const changed = entries.filter((e) => !unchanged.has(e.externalId));
  const written = unchangedRows(unchanged);
  for (const { externalId, record, answers } of changed) {
    const row = rows.get(externalId)!;
    const state = indexState(row, answers, {
      minScore: record.minScore,
      employerId: record.resolvedEmployerId,
      open: record.status === 'open',
    });
    written.set(externalId, { id: row.id, inserted: row.inserted, state });
  }
  onRows(written);
  await writeAnswers(tx, workspaceId, changed, written, 'job');
  return written;
}

/**
 * The employer of each existing job among `externalIds`. A job never moves to another employer: its
 * introductions, consent and contacts belong to the employer it was made for (bulk-routes.ts
 * refuses such a line, and writeJobs' upsert leaves a job of another employer as it is).
 */
export async function employersOfJobs(
  db: DbOrTx,
  workspaceId: string,
  externalIds: string[],
): Promise<Map<string, string>> {
  if (externalIds.length === 0) return new Map();
  const rows = await db
    .select({ externalId: jobs.externalId, employerId: jobs.employerId })
    .from(jobs)
    .where(and(eq(jobs.workspaceId, workspaceId), inArray(jobs.externalId, externalIds)));
  return new Map(rows.map((row) => [row.externalId!, row.employerId]));
}

/** Employer ids by externalId and the set of known employer ids, among those the lines name. */
export async function resolveEmployers(db: DbOrTx, workspaceId: string, lines: JobLine[]) {
  const ids = [...new Set(lines.flatMap((l) => (l.employerId ? [l.employerId] : [])))];
  const externalIds = [
    ...new Set(lines.flatMap((l) => (l.employerExternalId ? [l.employerExternalId] : []))),
  ];
  const byId = new Set<string>();
  const byExternalId = new Map<string, string>();
  if (ids.length > 0) {
    const rows = await db
      .select({ id: employers.id })
      .from(employers)
      .where(and(eq(employers.workspaceId, workspaceId), inArray(employers.id, ids)));
    for (const row of rows) byId.add(row.id);
  }
  if (externalIds.length > 0) {
    const rows = await db
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
  const withAnswers = entries.filter((e) => e.answers);
  const inserted = (i: number) => written.get(withAnswers[i]!.externalId)!.inserted;
  for (const { part, fresh } of byFreshness(withAnswers, inserted))
    await insertAnswers(tx, workspaceId, part, written, side, fresh);
  await tx.execute(
    sql`select set_config('mutualfit.profiles_recorded', '', true),
               set_config('plan_cache_mode', current_setting('mutualfit.plan_cache_mode'), true)`,
  );
}

async function insertAnswers<T>(
  tx: Tx,
  workspaceId: string,
  withAnswers: BulkEntry<T>[],
  written: Written,
  side: 'job' | 'candidate',
  fresh: boolean,
) {
  const answerSets = withAnswers.map((e) => e.answers!);
  const column = sql.raw(side === 'job' ? 'job_id' : 'candidate_id');
  const rows = packedRows(answerSets);
  const layouts = layoutsOf(answerSets);
  // The answers travel as NDJSON in one parameter (JSON.stringify never emits a raw line break),
  // matched to the other columns by position: cheaper for PostgreSQL than picking them out of a
  // JSON document or an array literal. Sent as bytes (UTF-8, binary): joined without a string copy.
  // The packed rows likewise, as one binary parameter cut by position, and each distinct layout
  // key (some 200 characters) once: as hex and text arrays, quoting them cost more than the rest
  // of the batch's parameters together.
  await tx.execute(sql`
    insert into answer_sets (id, workspace_id, ${column}, questionnaire_id, questionnaire_version, answers, index_row, index_layout)
    select t.id, ${workspaceId}::uuid, t.subject_id, t.questionnaire_id, t.questionnaire_version, a.answers::json,
           substring(${sql.param(rows.bytes)}::bytea from t.row_start for t.row_length),
           (${arrayParam(layouts.keys)}::text[])[t.layout_at]
      from unnest(${arrayParam(newIds(withAnswers.length))}::uuid[],
                  ${arrayParam(withAnswers.map((e) => written.get(e.externalId)!.id))}::uuid[],
                  ${arrayParam(answerSets.map((a) => a.questionnaireId))}::text[],
                  ${arrayParam(answerSets.map((a) => a.questionnaireVersion))}::int[],
                  ${arrayParam(rows.starts)}::int[],
                  ${arrayParam(rows.lengths)}::int[],
                  ${arrayParam(layouts.at)}::int[])
             with ordinality as t(id, subject_id, questionnaire_id, questionnaire_version, row_start, row_length, layout_at, n)
      join string_to_table(convert_from(${sql.param(ndjsonBytes(answerSets.map((a) => a.json)))}::bytea, 'UTF8'), E'\n')
             with ordinality as a(answers, n) using (n)
    ${
      fresh
        ? sql``
        : sql`on conflict (${column}) do update
                set questionnaire_id = excluded.questionnaire_id, questionnaire_version = excluded.questionnaire_version,
                    answers = excluded.answers, index_row = excluded.index_row, index_layout = excluded.index_layout,
                    updated_at = now()`
    }`);
}

/**
 * Tags this transaction's change-feed rows as the writing app's (it puts them into its index
 * itself), and tells the answers' feed trigger that the profiles' upsert, which comes first, puts
 * each profile in the feed (migrations/0009): one feed row per profile, not two.
 *
 * And plans the batch's statements without looking at their parameters (a generic plan): a custom
 * plan folds each parameter into the plan as a constant, and copied the megabytes of a batch's
 * answers and arrays several times over, about a quarter of PostgreSQL's CPU per candidate; these
 * statements' plans do not depend on the values. Both are undone by writeAnswers once its
 * statement is done (the session's plan_cache_mode back for what else the transaction runs).
 */
async function markOrigin(tx: Tx, origin: string): Promise<void> {
  await tx.execute(
    sql`select set_config('mutualfit.origin', ${origin}, true), set_config('mutualfit.profiles_recorded', 'on', true),
               set_config('mutualfit.plan_cache_mode', current_setting('plan_cache_mode'), true),
               set_config('plan_cache_mode', 'force_generic_plan', true)`,
  );
}

/** The lines compareCandidates or compareJobs found unchanged, as written (though they were not). */
function unchangedRows(unchanged: Map<string, string>): Written {
  return new Map(
    [...unchanged].map(([externalId, id]) => [
      externalId,
      { id, inserted: false, state: undefined, unchanged: true },
    ]),
  );
}

/**
 * The rows of profiles this transaction inserted (`fresh`), and the others, each group with
 * whether it is the fresh one; empty groups left out. A fresh profile's contact and answers are
 * written with a plain insert: no other transaction can see the profile yet, so nothing can
 * conflict with them, and an upsert's speculative insertion cost PostgreSQL more a row
 * (bench/README.md, session 58). The others are upserted.
 */
function byFreshness<T>(rows: T[], isFresh: (i: number) => boolean): { part: T[]; fresh: boolean }[] {
  const groups = [
    { part: [] as T[], fresh: true },
    { part: [] as T[], fresh: false },
  ];
  for (let i = 0; i < rows.length; i++) groups[isFresh(i) ? 0 : 1]!.part.push(rows[i]!);
  return groups.filter((group) => group.part.length > 0);
}

/** Ids for new profiles, one per line of a batch (a line that updates a profile keeps its id). */
export function newIds(count: number): string[] {
  return uuidv7Batch(count);
}

type WrittenRow = { id: string; external_id: string; inserted: boolean };
type CandidateRow = WrittenRow & { paused: boolean; hidden: string[] | null };

/**
 * The index states writeCandidates gives `entries` when every line is a new candidate, with the
 * ids `ids`: a batch's alert pairs scored ahead of its write (Alerts.foresee) are kept only when
 * the write's states turn out to be these.
 */
export function newCandidateStates(
  entries: BulkEntry<CandidateLine>[],
  ids: readonly string[],
): ProfileState[] {
  return entries.map(
    (entry, i) =>
      candidateState(
        { id: ids[i]!, external_id: entry.externalId, inserted: true, paused: false, hidden: null },
        entry,
      )!,
  );
}

function candidateState(row: CandidateRow, { record, answers }: BulkEntry<CandidateLine>) {
  return indexState(row, answers, {
    minScore: record.minScore,
    open: !row.paused,
    hiddenFromEmployerIds: row.hidden ?? undefined,
  });
}

/**
 * A written profile's index state: every column the index reads comes from the line or the
 * upsert's RETURNING, the answers from the packed row the line checked to. Undefined for an
 * updated profile whose line carried no answers (its stored ones stay): that one is read back.
 */
function indexState(
  row: WrittenRow,
  answers: PackedAnswers | undefined,
  profile: Omit<ProfileState, 'id' | 'answers'>,
): ProfileState | undefined {
  if (!answers && !row.inserted) return undefined;
  return {
    id: row.id,
    ...profile,
    answers: answers
      ? {
          questionnaireId: answers.questionnaireId,
          questionnaireVersion: answers.questionnaireVersion,
          answers: null,
          indexRow: answers.indexRow,
          indexLayout: answers.indexLayout,
        }
      : null,
  };
}
