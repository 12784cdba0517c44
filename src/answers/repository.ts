import type { DbOrTx } from '../db/client.ts';
import { and, eq, sql } from '../db/orm.ts';
import { answerSets } from '../db/schema.ts';
import type { AnswerSet } from './types.ts';

export type Subject = { jobId: string; candidateId?: undefined } | { candidateId: string; jobId?: undefined };

const answerColumns = {
  questionnaireId: answerSets.questionnaireId,
  questionnaireVersion: answerSets.questionnaireVersion,
  answers: answerSets.answers,
  updatedAt: answerSets.updatedAt,
};

function subjectFilter(subject: Subject) {
  return subject.jobId !== undefined
    ? eq(answerSets.jobId, subject.jobId)
    : eq(answerSets.candidateId, subject.candidateId);
}

export async function findAnswerSet(db: DbOrTx, workspaceId: string, subject: Subject) {
  const [row] = await db
    .select(answerColumns)
    .from(answerSets)
    .where(and(eq(answerSets.workspaceId, workspaceId), subjectFilter(subject)));
  return row;
}

export interface AnswerSetWrite {
  workspaceId: string;
  jobId?: string | undefined;
  candidateId?: string | undefined;
  questionnaireId: string;
  questionnaireVersion: number;
  answers: AnswerSet;
  indexRow?: Uint8Array | null;
  indexLayout?: string | null;
}

/** Replaces each subject's whole answer set, many subjects in one statement. */
export async function upsertAnswerSets(db: DbOrTx, rows: AnswerSetWrite[], side: 'job' | 'candidate') {
  if (rows.length === 0) return [];
  const target = side === 'job' ? answerSets.jobId : answerSets.candidateId;
  return db
    .insert(answerSets)
    .values(rows)
    .onConflictDoUpdate({
      target,
      set: {
        questionnaireId: sqlExcluded('questionnaire_id'),
        questionnaireVersion: sqlExcluded('questionnaire_version'),
        answers: sqlExcluded('answers'),
        indexRow: sqlExcluded('index_row'),
        indexLayout: sqlExcluded('index_layout'),
        updatedAt: new Date(),
      },
    })
    .returning(answerColumns);
}

function sqlExcluded(column: string) {
  return sql.raw(`excluded.${column}`);
}
