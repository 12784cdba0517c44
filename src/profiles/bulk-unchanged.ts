import type { Tx } from '../db/client.ts';
import { sql } from '../db/orm.ts';
import { rowsOf } from '../db/rows.ts';
import type { BulkEntry } from './bulk.ts';
import type { PackedAnswers } from './bulk-lines.ts';
import type { CandidateLine, JobLine } from './bulk-repository.ts';
import { bufferOf } from './json-bytes.ts';

/*
 * A line is `unchanged` when its record exists and every field, contact and (when the line gives
 * them) answers already equal the line's; it is written nowhere, so it neither bumps `updatedAt`
 * nor reaches the change feed, the index or alerts. The profiles' upsert finds most of it: it
 * updates a stored row only where one of its columns differs (`is distinct from`), and what it
 * neither inserted nor updated is left for the comparison below. A batch of new or changed
 * profiles thus pays nothing for it. Answers compare as JSON values (jsonb), not as text.
 */

/** Lines the upsert left alone, by externalId: those whose contact and answers are as stored too, and the others. */
export interface Compared {
  unchanged: Map<string, string>;
  changed: Map<string, string>;
}

/**
 * Compares the contact and answers of the candidates `lines` give (rows the upsert left alone) with
 * the stored ones. `knownIds`: the ids keepStoredFields read already, so those rows are not looked up again.
 */
export async function compareCandidates(
  tx: Tx,
  workspaceId: string,
  lines: BulkEntry<CandidateLine>[],
  knownIds: ReadonlyMap<string, string>,
): Promise<Compared> {
  if (lines.length === 0) return { unchanged: new Map(), changed: new Map() };
  const values = lines.map(({ record, answers }) => ({
    external_id: record.externalId,
    id: knownIds.get(record.externalId) ?? null,
    name: record.contact.name,
    email: record.contact.email,
    phone: record.contact.phone ?? null,
    ...answerColumns(answers),
  }));
  const result = await tx.execute(sql`
    select t.external_id, s.id,
           (k.name, k.email, k.phone) is not distinct from (t.name, t.email, t.phone) and ${sameAnswers} as same
      from json_to_recordset(${JSON.stringify(values)}::json)
             as t(external_id text, id uuid, name text, email text, phone text,
                  questionnaire_id text, questionnaire_version int, answers text)
      cross join lateral (select coalesce(t.id, (select p.id from candidates p
                                                  where p.workspace_id = ${workspaceId}::uuid
                                                    and p.external_id = t.external_id)) as id) s
      left join candidate_contacts k on k.candidate_id = s.id
      left join answer_sets a on a.candidate_id = s.id`);
  return compared(result, 'candidate');
}

/**
 * Compares the answers of the jobs `lines` give (rows the upsert left alone) with the stored ones.
 * `knownIds` as for candidates, holding only jobs of the line's employer.
 */
export async function compareJobs(
  tx: Tx,
  workspaceId: string,
  lines: BulkEntry<JobLine & { resolvedEmployerId: string }>[],
  knownIds: ReadonlyMap<string, string>,
): Promise<Compared> {
  if (lines.length === 0) return { unchanged: new Map(), changed: new Map() };
  const values = lines.map(({ record, answers }) => ({
    external_id: record.externalId,
    id: knownIds.get(record.externalId) ?? null,
    employer_id: record.resolvedEmployerId,
    ...answerColumns(answers),
  }));
  const result = await tx.execute(sql`
    select t.external_id, s.id, ${sameAnswers} as same
      from json_to_recordset(${JSON.stringify(values)}::json)
             as t(external_id text, id uuid, employer_id uuid,
                  questionnaire_id text, questionnaire_version int, answers text)
      cross join lateral (select coalesce(t.id, (select p.id from jobs p
                                                  where p.workspace_id = ${workspaceId}::uuid
                                                    and p.external_id = t.external_id
                                                    and p.employer_id = t.employer_id)) as id) s
      left join answer_sets a on a.job_id = s.id`);
  return compared(result, 'job');
}

/**
 * Bumps `updatedAt` of the candidates whose contact or answers changed though their own columns did
 * not: the change feed then carries them (the answers' statement adds no feed row of its own).
 */
export async function touchCandidates(tx: Tx, workspaceId: string, ids: string[]) {
  return rowsOf<{ id: string; external_id: string; paused: boolean; hidden: string[] | null }>(
    await tx.execute(sql`
      update candidates set updated_at = now()
       where workspace_id = ${workspaceId}::uuid and id = any(${sql.param(ids)}::uuid[])
      returning id, external_id, paused, nullif(hidden_from_employer_ids, '{}')::text[] as hidden`),
  );
}

/** As touchCandidates, for jobs whose answers changed. */
export async function touchJobs(tx: Tx, workspaceId: string, ids: string[]) {
  return rowsOf<{ id: string; external_id: string }>(
    await tx.execute(sql`
      update jobs set updated_at = now()
       where workspace_id = ${workspaceId}::uuid and id = any(${sql.param(ids)}::uuid[])
      returning id, external_id`),
  );
}

/** A line without answers keeps the stored ones; one with answers must give the stored ones. */
const sameAnswers = sql`(t.questionnaire_id is null
  or (a.questionnaire_id, a.questionnaire_version, a.answers::jsonb)
       is not distinct from (t.questionnaire_id, t.questionnaire_version, t.answers::jsonb))`;

function answerColumns(answers: PackedAnswers | undefined) {
  if (!answers) return {};
  return {
    questionnaire_id: answers.questionnaireId,
    questionnaire_version: answers.questionnaireVersion,
    answers: bufferOf(answers.json).toString('utf8'),
  };
}

function compared(result: unknown, side: 'job' | 'candidate'): Compared {
  const out: Compared = { unchanged: new Map(), changed: new Map() };
  for (const row of rowsOf<{ external_id: string; id: string | null; same: boolean }>(result)) {
    // The upsert leaves alone only a stored row, and a job only when of the line's employer, which
    // bulk-routes.ts checked before the write; a row gone since would be a bug here.
    if (!row.id) throw new Error(`bulk ${side} ${row.external_id}: no stored row of the line's employer`);
    (row.same ? out.unchanged : out.changed).set(row.external_id, row.id);
  }
  return out;
}
