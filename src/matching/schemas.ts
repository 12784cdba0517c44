import { z } from 'zod';
import { AppError } from '../http/errors.ts';
import { MAX_PAGE, nextCursorField, pageOf } from '../http/pagination.ts';
import { answerMap, queryInteger } from '../http/schema-parts.ts';
import { jobFacts } from '../profiles/schemas.ts';
import { MAX_CRITERIA } from '../questionnaires/definition.ts';

const score = z.number().min(0).max(1);
const scores = {
  score: score.describe('Mutual score M (harmonic mean of the two satisfactions by default), 6 decimals'),
  scoreLower: score.describe('max(0, M − 1/n), n = criteria both sides answered about themselves'),
  employerSatisfaction: score.describe(
    "S(job→candidate): how well the candidate meets the job's expectations",
  ),
  candidateSatisfaction: score.describe(
    "S(candidate→job): how well the job meets the candidate's expectations",
  ),
};

export const matchesQuery = z.strictObject({
  limit: queryInteger((integer) => integer.min(1).max(MAX_PAGE).default(20)),
  cursor: z.string().max(300).optional().describe('The nextCursor of the previous page'),
});

/** A candidate matched with a job (the job's listing, an ad-hoc match of a job's answers). */
const candidateMatch = z.object({ candidateId: z.uuid(), ...scores });
/** A job matched with a candidate (the candidate's listing, an ad-hoc match of a candidate's answers). */
const jobMatch = z.object({ jobId: z.uuid(), employerId: z.uuid(), job: jobFacts, ...scores });

export const jobMatches = z
  .object({ matches: pageOf(candidateMatch), nextCursor: nextCursorField })
  .meta({ id: 'JobMatches' });

export const candidateMatches = z
  .object({ matches: pageOf(jobMatch), nextCursor: nextCursorField })
  .meta({ id: 'CandidateMatches' });

const criterionId = z.string().max(64);
const questionnaireId = z.string().max(64);

const sideExplanation = z.object({
  value: z.unknown().describe("This side's answer about itself; null when it gave none"),
  accept: z.unknown().describe("This side's expectation of the other; null when it gave none"),
  importance: z.enum(['irrelevant', 'little', 'somewhat', 'very', 'dealbreaker']).nullable(),
  satisfaction: score.nullable().describe("How well the other side's value meets this side's expectation"),
});

export const explanation = z
  .object({
    jobId: z.uuid(),
    candidateId: z.uuid(),
    questionnaireId,
    questionnaireVersion: z.number().int().min(1),
    acceptable: z.boolean(),
    jobOpen: z
      .boolean()
      .describe('Whether the job is open: a closed job makes every pair unacceptable, whatever its scores'),
    ...scores,
    dealbreakers: z
      .array(z.object({ criterionId, side: z.enum(['candidate', 'employer']) }))
      .max(2 * MAX_CRITERIA),
    criteria: z
      .array(z.object({ criterionId, candidate: sideExplanation, employer: sideExplanation }))
      .max(MAX_CRITERIA)
      .describe(
        'The criteria either side answered, in questionnaire order (a side that did not answer one has nulls there)',
      ),
    gaps: z
      .array(
        z.object({
          criterionId,
          side: z.enum(['candidate', 'employer']),
          weightLost: z.number().min(0),
        }),
      )
      .max(2 * MAX_CRITERIA)
      .describe('Expectations not fully met, by weight lost w·(1−sat), largest first'),
    soleBarriers: z
      .array(criterionId)
      .max(MAX_CRITERIA)
      .describe(
        'For a pair that is not acceptable: the criteria that alone keep it apart (it would be acceptable if that criterion counted on neither side), in questionnaire order; empty for an acceptable pair',
      ),
  })
  .meta({ id: 'MatchExplanation' });

export const adHocBody = z.strictObject({
  side: z
    .enum(['candidate', 'job'])
    .describe('Which side the answers describe; they are matched against the other'),
  questionnaireId,
  questionnaireVersion: z.number().int().min(1).optional(),
  answers: answerMap(MAX_CRITERIA),
  minScore: z.number().min(0).max(1).default(0.5),
  limit: z.number().int().min(1).max(MAX_PAGE).default(20),
});

export const adHocMatches = z
  .object({
    matches: pageOf(z.union([candidateMatch, jobMatch])).describe(
      "side job: candidates, as in a job's listing; side candidate: open jobs, as in a candidate's listing",
    ),
  })
  .meta({ id: 'AdHocMatches' });

/** A position in a ranked list: the last row's score and id. */
/**
 * A listing's cursor: the last row's score and id, and whose listing it pages (`of`), so that a
 * cursor handed to another subject's listing is refused rather than silently skipping rows.
 */
export function encodeRankCursor(score: number, id: string, of: string): string {
  return Buffer.from(JSON.stringify({ s: score, id, of })).toString('base64url');
}

export function decodeRankCursor(
  cursor: string | undefined,
  of: string,
): { score: number; id: string } | undefined {
  if (cursor === undefined) return undefined;
  let parsed: { s?: unknown; id?: unknown; of?: unknown } | undefined;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {}
  if (
    typeof parsed?.s === 'number' &&
    typeof parsed.id === 'string' &&
    z.uuid().safeParse(parsed.id).success &&
    typeof parsed.of === 'string'
  ) {
    if (parsed.of !== of) {
      throw new AppError(
        'invalid_cursor',
        "The cursor pages another listing; use the cursor of this listing's last page.",
      );
    }
    return { score: parsed.s, id: parsed.id };
  }
  throw new AppError('invalid_cursor', 'The cursor is not one this service issued; start again without it.');
}
