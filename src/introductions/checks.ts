/** What a caller may do on a pair, judged from the pair as read: pure, so a step decides under its lock. */
import type { WorkspacePrincipal } from '../auth/principal.ts';
import { AppError, notFound } from '../http/errors.ts';
import { explainAnswerSets } from '../matching/explain-stored.ts';
import { candidatePaused, hidesFrom } from '../profiles/candidate-privacy.ts';
import type { QuestionnaireCatalog } from '../questionnaires/loader.ts';
import type { LockedPair, PairAnswers } from './repository.ts';
import type { IntroductionSide } from './state.ts';

type PairJob = Pick<LockedPair['job'], 'id' | 'employerId' | 'status'>;
type PairCandidate = Pick<LockedPair['candidate'], 'id' | 'paused' | 'hiddenFromEmployerIds'>;

export const pairNotFound = (jobId: string, candidateId: string) =>
  notFound(`The pair of job ${jobId} and candidate ${candidateId}`);

/**
 * Whether `principal` may act on or see the pair. To the employer, a candidate hiding from it is no
 * candidate (docs/matching.md#candidate-privacy); nor is a paused one, but for the introduction it
 * already has with this job.
 */
export function reaches(
  principal: WorkspacePrincipal,
  { job, candidate, hasIntroduction }: { job: PairJob; candidate: PairCandidate; hasIntroduction: boolean },
): boolean {
  switch (principal.role) {
    case 'admin':
      return true;
    case 'candidate':
      return principal.candidateId === candidate.id;
    case 'employer':
      return (
        principal.employerId === job.employerId &&
        !hidesFrom(candidate, job.employerId) &&
        (!candidate.paused || hasIntroduction)
      );
  }
}

/** The side a key acts for: its own for employer and candidate keys; admins must name one. */
export function actingSide(
  principal: WorkspacePrincipal,
  side: IntroductionSide | undefined,
): IntroductionSide {
  if (principal.role === 'admin') {
    if (side) return side;
    throw new AppError('validation_failed', 'An admin key must say which side it acts for.', {
      errors: [{ path: 'side', message: 'Required for admin keys' }],
    });
  }
  if (side && side !== principal.role) {
    throw new AppError(
      'validation_failed',
      `${principal.role === 'employer' ? 'An' : 'A'} ${principal.role} key acts for the ${principal.role} side only.`,
      {
        errors: [{ path: 'side', message: `Must be ${principal.role} or left out` }],
      },
    );
  }
  return principal.role;
}

/** The side a read is for: an admin's defaults to the employer's (whose view came first). */
export function viewingSide(
  principal: WorkspacePrincipal,
  side: IntroductionSide | undefined,
): IntroductionSide {
  return principal.role === 'admin' ? (side ?? 'employer') : actingSide(principal, side);
}

/** Throws why `principal` may not express interest in the pair as it is now. */
export function refuseInterest(
  principal: WorkspacePrincipal,
  pair: LockedPair & PairAnswers,
  questionnaires: QuestionnaireCatalog,
) {
  const { job, candidate } = pair;
  if (candidate.paused) {
    // An employer gets here only for an introduction it already has (reaches), which it can read:
    // a 404 would contradict that read. It is refused as a step that is not possible now, without
    // naming the pause; the candidate (and an admin) are told why.
    if (principal.role === 'employer') {
      throw new AppError(
        'conflict',
        `The introduction of job ${job.id} and candidate ${candidate.id} takes no new interest now; declining and withdrawing still work.`,
      );
    }
    throw candidatePaused(candidate.id, 'no new interest in introductions');
  }
  if (hidesFrom(candidate, job.employerId)) {
    throw new AppError(
      'hidden_from_employer',
      `Candidate ${candidate.id} hides from employer ${job.employerId}: no interest in its jobs.`,
    );
  }
  if (job.status !== 'open') throw new AppError('conflict', `Job ${job.id} is closed.`);
  const refusal = refusalOf(pair, questionnaires);
  if (refusal) throw refusal;
}

/**
 * Undefined when the pair is acceptable now, else the 409 with the pair's explanation (criteria
 * left out). Both come from one exact scoring of the stored answers: the match index of this
 * process can trail a write another process just made, and contacts must never follow from it.
 */
function refusalOf(
  pair: LockedPair & PairAnswers,
  questionnaires: QuestionnaireCatalog,
): AppError | undefined {
  let explained: ReturnType<typeof explainAnswerSets>;
  try {
    explained = explainAnswerSets(
      questionnaires,
      { ...pair.job, answerSet: pair.jobAnswers },
      { ...pair.candidate, answerSet: pair.candidateAnswers },
      pair.scoreMethod,
    );
  } catch (error) {
    // A side without answers (or on another questionnaire version) cannot be acceptable either.
    if (error instanceof AppError && (error.code === 'no_answers' || error.code === 'conflict')) {
      return new AppError('not_acceptable_pair', `The pair is not acceptable: ${error.message}`);
    }
    throw error;
  }
  if (explained.acceptable) return undefined;
  const { criteria: _criteria, ...explanation } = explained;
  const broken = explanation.dealbreakers.map((d) => `${d.criterionId} (${d.side})`).join(', ');
  const detail = broken
    ? `The pair breaks dealbreakers: ${broken}.`
    : 'The score is below what one side accepts, or the job is not open.';
  return new AppError('not_acceptable_pair', detail, { extra: { explanation } });
}
