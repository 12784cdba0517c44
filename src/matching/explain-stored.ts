import type { AnswerSet } from '../answers/types.ts';
import type { Db } from '../db/client.ts';
import { alias, and, eq } from '../db/orm.ts';
import { answerSets, candidates, jobs, workspaces } from '../db/schema.ts';
import { AppError, noAnswers } from '../http/errors.ts';
import { pairColumns } from '../profiles/repository.ts';
import type { QuestionnaireCatalog } from '../questionnaires/loader.ts';
import { explainPair } from './explain.ts';
import type { ScoreMethod } from './types.ts';

interface StoredAnswers {
  questionnaireId: string;
  questionnaireVersion: number;
  answers: AnswerSet;
}

const jobAnswers = alias(answerSets, 'job_answers');
const candidateAnswers = alias(answerSets, 'candidate_answers');
const answersOf = (set: typeof jobAnswers | typeof candidateAnswers) => ({
  questionnaireId: set.questionnaireId,
  questionnaireVersion: set.questionnaireVersion,
  answers: set.answers,
});

/**
 * A stored job and candidate of a workspace as their explanation reads them, in one statement:
 * each row (undefined when either is gone), their answer sets (undefined for a side without one)
 * and the workspace's score method. A named prepared statement, planned once per connection: five
 * reads, each planned on every call, were most of an explanation's time in PostgreSQL.
 */
export async function readStoredPair(db: Db, workspaceId: string, jobId: string, candidateId: string) {
  const [row] = await db
    .select({
      ...pairColumns,
      jobAnswers: answersOf(jobAnswers),
      candidateAnswers: answersOf(candidateAnswers),
      scoreMethod: workspaces.scoreMethod,
    })
    .from(jobs)
    .innerJoin(candidates, and(eq(candidates.workspaceId, jobs.workspaceId), eq(candidates.id, candidateId)))
    .innerJoin(workspaces, eq(workspaces.id, jobs.workspaceId))
    .leftJoin(jobAnswers, and(eq(jobAnswers.workspaceId, jobs.workspaceId), eq(jobAnswers.jobId, jobs.id)))
    .leftJoin(
      candidateAnswers,
      and(
        eq(candidateAnswers.workspaceId, jobs.workspaceId),
        eq(candidateAnswers.candidateId, candidates.id),
      ),
    )
    .where(and(eq(jobs.workspaceId, workspaceId), eq(jobs.id, jobId)))
    .prepare('read_stored_pair')
    .execute();
  if (!row) return undefined;
  return {
    ...row,
    jobAnswers: (row.jobAnswers ?? undefined) as StoredAnswers | undefined,
    candidateAnswers: (row.candidateAnswers ?? undefined) as StoredAnswers | undefined,
  };
}

/**
 * The explanation (docs/matching.md#explanations-and-gaps) of a job and a candidate from their
 * stored answers (undefined: that side has not answered); a closed job makes any pair unacceptable.
 * 409 `no_answers` when one side has not answered (the job first), `conflict` when they answered
 * different questionnaires or versions.
 */
export function explainAnswerSets(
  questionnaires: QuestionnaireCatalog,
  job: { id: string; minScore: number; status: 'open' | 'closed'; answerSet: StoredAnswers | undefined },
  candidate: { id: string; minScore: number; answerSet: StoredAnswers | undefined },
  method: ScoreMethod,
) {
  const jobAnswers = job.answerSet;
  const candidateAnswers = candidate.answerSet;
  if (!jobAnswers) throw noAnswers('job', job.id);
  if (!candidateAnswers) throw noAnswers('candidate', candidate.id);
  const sameVersion =
    jobAnswers.questionnaireId === candidateAnswers.questionnaireId &&
    jobAnswers.questionnaireVersion === candidateAnswers.questionnaireVersion;
  const questionnaire = questionnaires.get(jobAnswers.questionnaireId, jobAnswers.questionnaireVersion);
  if (!sameVersion || !questionnaire) {
    throw new AppError(
      'conflict',
      'The job and the candidate answered different questionnaires or versions.',
    );
  }
  const explained = explainPair(
    questionnaire,
    { answers: jobAnswers.answers, minScore: job.minScore },
    { answers: candidateAnswers.answers, minScore: candidate.minScore },
    method,
  );
  return {
    jobId: job.id,
    candidateId: candidate.id,
    questionnaireId: questionnaire.id,
    questionnaireVersion: questionnaire.version,
    ...explained,
    acceptable: explained.acceptable && job.status === 'open',
    jobOpen: job.status === 'open',
  };
}
