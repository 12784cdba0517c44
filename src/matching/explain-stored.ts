import { findAnswerSet } from '../answers/repository.ts';
import type { AnswerSet } from '../answers/types.ts';
import type { Db } from '../db/client.ts';
import { AppError, noAnswers } from '../http/errors.ts';
import type { QuestionnaireCatalog } from '../questionnaires/loader.ts';
import { explainPair } from './explain.ts';
import { scoreMethodOf } from './repository.ts';
import type { ScoreMethod } from './types.ts';

interface StoredAnswers {
  questionnaireId: string;
  questionnaireVersion: number;
  answers: AnswerSet;
}

/**
 * The explanation (docs/matching.md#explanations-and-gaps) of a stored job and candidate, from their answers in PostgreSQL;
 * a closed job makes any pair unacceptable. 409 `no_answers` when one side has not answered (the job
 * first), `conflict` when they answered different questionnaires or versions.
 */
export async function explainStoredPair(
  db: Db,
  questionnaires: QuestionnaireCatalog,
  workspaceId: string,
  job: { id: string; minScore: number; status: 'open' | 'closed' },
  candidate: { id: string; minScore: number },
) {
  const [jobAnswers, candidateAnswers] = await Promise.all([
    findAnswerSet(db, workspaceId, { jobId: job.id }),
    findAnswerSet(db, workspaceId, { candidateId: candidate.id }),
  ]);
  return explainAnswerSets(
    questionnaires,
    { ...job, answerSet: jobAnswers },
    { ...candidate, answerSet: candidateAnswers },
    await scoreMethodOf(db, workspaceId),
  );
}

/** `explainStoredPair` of answer sets already read (undefined: that side has not answered). */
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
