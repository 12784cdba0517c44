import { z } from 'zod';
import { AppError } from '../http/errors.ts';
import { nextCursorField } from '../http/pagination.ts';

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
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(300).optional().describe('The nextCursor of the previous page'),
});

/** A candidate matched with a job (the job's listing, an ad-hoc match of a job's answers). */
const candidateMatch = z.object({ candidateId: z.uuid(), ...scores });
/** A job matched with a candidate (the candidate's listing, an ad-hoc match of a candidate's answers). */
const jobMatch = z.object({ jobId: z.uuid(), employerId: z.uuid(), ...scores });

export const jobMatches = z
  .object({ matches: z.array(candidateMatch), nextCursor: nextCursorField })
  .meta({ id: 'JobMatches' });

export const candidateMatches = z
  .object({ matches: z.array(jobMatch), nextCursor: nextCursorField })
  .meta({ id: 'CandidateMatches' });

const sideExplanation = z.object({
  value: z.unknown().nullable(),
  accept: z.unknown().nullable(),
  importance: z.enum(['irrelevant', 'little', 'somewhat', 'very', 'dealbreaker']).nullable(),
  satisfaction: z
    .number()
    .nullable()
    .describe("How well the other side's value meets this side's expectation"),
});

export const explanation = z
  .object({
    jobId: z.uuid(),
    candidateId: z.uuid(),
    questionnaireId: z.string(),
    questionnaireVersion: z.number().int(),
    acceptable: z.boolean(),
    ...scores,
    dealbreakers: z.array(z.object({ criterionId: z.string(), side: z.enum(['candidate', 'employer']) })),
    criteria: z
      .array(z.object({ criterionId: z.string(), candidate: sideExplanation, employer: sideExplanation }))
      .describe(
        'The criteria either side answered, in questionnaire order (a side that did not answer one has nulls there)',
      ),
    gaps: z
      .array(
        z.object({
          criterionId: z.string(),
          side: z.enum(['candidate', 'employer']),
          weightLost: z.number(),
        }),
      )
      .describe('Expectations not fully met, by weight lost w·(1−sat), largest first'),
  })
  .meta({ id: 'MatchExplanation' });

export const adHocBody = z.strictObject({
  side: z
    .enum(['candidate', 'job'])
    .describe('Which side the answers describe; they are matched against the other'),
  questionnaireId: z.string().max(64),
  questionnaireVersion: z.number().int().min(1).optional(),
  answers: z.record(z.string().max(64), z.unknown()),
  minScore: z.number().min(0).max(1).default(0.5),
  limit: z.number().int().min(1).max(100).default(20),
});

export const adHocMatches = z
  .object({
    matches: z
      .array(z.union([candidateMatch, jobMatch]))
      .describe(
        "side job: candidates, as in a job's listing; side candidate: open jobs, as in a candidate's listing",
      ),
  })
  .meta({ id: 'AdHocMatches' });

/** A position in a ranked list: the last row's score and id. */
export function encodeRankCursor(score: number, id: string): string {
  return Buffer.from(JSON.stringify({ s: score, id })).toString('base64url');
}

export function decodeRankCursor(cursor: string | undefined): { score: number; id: string } | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      s?: unknown;
      id?: unknown;
    };
    if (
      typeof parsed.s === 'number' &&
      typeof parsed.id === 'string' &&
      z.uuid().safeParse(parsed.id).success
    ) {
      return { score: parsed.s, id: parsed.id };
    }
  } catch {}
  throw new AppError('invalid_cursor', 'The cursor is not one this service issued; start again without it.');
}
