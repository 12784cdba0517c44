import type { Tx } from '../db/client.ts';
import { sql } from '../db/orm.ts';
import { rowsOf } from '../db/rows.ts';
import type { BulkEntry } from './bulk.ts';
import type { PackedAnswers } from './bulk-lines.ts';
import type { CandidateLine, JobLine } from './bulk-repository.ts';

/**
 * The lines of a batch that would store nothing new: an existing record whose every field, contact
 * and (when the line gives them) answers already equal the line's. They are left unwritten, so they
 * neither bump `updatedAt` nor reach the change feed, the index or alerts. Read in the write's
 * transaction after keepStoredFields, so a line's left-out fields already hold the stored values.
 * Answers compare as JSON values (jsonb), not as text.
 */
export async function unchangedCandidates(
  tx: Tx,
  workspaceId: string,
  batch: BulkEntry<CandidateLine>[],
): Promise<Map<string, string>> {
  const entries = await storedAlready(tx, 'candidates', workspaceId, batch);
  if (entries.length === 0) return new Map();
  const lines = entries.map(({ record, answers }) => ({
    external_id: record.externalId,
    headline: record.headline ?? null,
    min_score: record.minScore,
    name: record.contact.name,
    email: record.contact.email,
    phone: record.contact.phone ?? null,
    ...answerColumns(answers),
  }));
  return idsByExternalId(
    await tx.execute(sql`
      select p.external_id, p.id
        from json_to_recordset(${JSON.stringify(lines)}::json)
               as t(external_id text, headline text, min_score float8, name text, email text, phone text,
                    questionnaire_id text, questionnaire_version int, answers text)
        join candidates p on p.workspace_id = ${workspaceId}::uuid and p.external_id = t.external_id
        left join candidate_contacts k on k.candidate_id = p.id
        left join answer_sets a on a.candidate_id = p.id
       where (p.headline, p.min_score, k.name, k.email, k.phone)
               is not distinct from (t.headline, t.min_score, t.name, t.email, t.phone)
         and ${sameAnswers}`),
  );
}

export async function unchangedJobs(
  tx: Tx,
  workspaceId: string,
  batch: BulkEntry<JobLine & { resolvedEmployerId: string }>[],
): Promise<Map<string, string>> {
  const entries = await storedAlready(tx, 'jobs', workspaceId, batch);
  if (entries.length === 0) return new Map();
  const lines = entries.map(({ record, answers }) => ({
    external_id: record.externalId,
    employer_id: record.resolvedEmployerId,
    title: record.title,
    capacity: record.capacity,
    status: record.status,
    min_score: record.minScore,
    ...answerColumns(answers),
  }));
  return idsByExternalId(
    await tx.execute(sql`
      select p.external_id, p.id
        from json_to_recordset(${JSON.stringify(lines)}::json)
               as t(external_id text, employer_id uuid, title text, capacity int, status text, min_score float8,
                    questionnaire_id text, questionnaire_version int, answers text)
        join jobs p on p.workspace_id = ${workspaceId}::uuid and p.external_id = t.external_id
        left join answer_sets a on a.job_id = p.id
       where (p.employer_id, p.title, p.capacity, p.status::text, p.min_score)
               is not distinct from (t.employer_id, t.title, t.capacity, t.status, t.min_score)
         and ${sameAnswers}`),
  );
}

/**
 * The entries whose externalId is stored already. Only those are compared with what is stored, so a
 * batch of new profiles (an import, the common bulk) pays one look-up of its ids, not the comparison
 * of its answers (sending them again cost about as much as the insert's own parameters).
 */
async function storedAlready<E extends { externalId: string }>(
  tx: Tx,
  table: 'candidates' | 'jobs',
  workspaceId: string,
  batch: E[],
): Promise<E[]> {
  if (batch.length === 0) return [];
  const rows = rowsOf<{ external_id: string }>(
    await tx.execute(sql`
      select external_id from ${sql.identifier(table)}
       where workspace_id = ${workspaceId}::uuid and external_id = any(${sql.param(batch.map((e) => e.externalId))}::text[])`),
  );
  if (rows.length === 0) return [];
  const stored = new Set(rows.map((row) => row.external_id));
  return batch.filter((e) => stored.has(e.externalId));
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
    answers: Buffer.from(answers.json.buffer, answers.json.byteOffset, answers.json.byteLength).toString(
      'utf8',
    ),
  };
}

function idsByExternalId(result: unknown): Map<string, string> {
  return new Map(rowsOf<{ external_id: string; id: string }>(result).map((row) => [row.external_id, row.id]));
}
