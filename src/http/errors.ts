import { z } from 'zod';

/** Every stable, machine-readable error code and the HTTP status it answers with. */
export const errorStatus = {
  validation_failed: 400,
  unsupported_locale: 400,
  invalid_cursor: 400,
  unauthorized: 401,
  not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  not_acceptable_pair: 409,
  candidate_paused: 409,
  hidden_from_employer: 409,
  too_few_candidates: 409,
  no_answers: 409,
  erased: 410,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  invalid_answers: 422,
  invalid_input: 422,
  idempotency_key_reused: 422,
  rate_limited: 429,
  header_too_large: 431,
  internal: 500,
  not_ready: 503,
  database_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

const titles: Record<ErrorCode, string> = {
  validation_failed: 'The request is not valid',
  unsupported_locale: 'Unsupported locale',
  invalid_cursor: 'Invalid cursor',
  unauthorized: 'Missing or invalid API key or session token',
  not_found: 'Not found',
  route_not_found: 'No such route',
  method_not_allowed: 'Method not allowed',
  request_timeout: 'The request did not arrive in time',
  conflict: 'Conflict',
  not_acceptable_pair: 'The pair is not reciprocally acceptable',
  candidate_paused: 'The candidate is paused',
  hidden_from_employer: 'The candidate hides from this employer',
  too_few_candidates: 'Too few candidates to count anonymously',
  no_answers: 'No answers to a questionnaire yet',
  erased: 'Erased',
  payload_too_large: 'The request body is too large',
  uri_too_long: 'The path is too long',
  unsupported_media_type: 'Unsupported media type',
  invalid_answers: 'The answers are not valid',
  invalid_input: 'The input is not valid',
  idempotency_key_reused: 'Idempotency-Key reused with another request',
  rate_limited: 'Too many requests',
  header_too_large: 'The request headers are too large',
  internal: 'Internal server error',
  not_ready: 'Not ready',
  database_unavailable: 'The database is unavailable',
};

export interface FieldProblem {
  path: string;
  message: string;
}

/** An error meant for the client: it becomes a problem+json response with its code. */
export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldProblem[] | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { errors?: FieldProblem[]; extra?: Record<string, unknown> } = {},
  ) {
    super(detail);
    this.code = code;
    this.status = errorStatus[code];
    this.errors = options.errors;
    this.extra = options.extra;
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} was not found`);

/**
 * The 409 for a job or candidate that has not answered a questionnaire yet, where its answers are
 * what is asked about (its listing, an explanation, its insights): not an empty answer, which
 * would look like a market without matches.
 */
export const noAnswers = (side: 'job' | 'candidate', id: string) =>
  new AppError(
    'no_answers',
    `${side === 'job' ? 'Job' : 'Candidate'} ${id} has not answered a questionnaire yet; PUT /v1/${side}s/${id}/answers first.`,
  );

/** How long a problem's texts and list may be: they can quote the request, which is the client's to size. */
export const PROBLEM_LIMITS = { detail: 2000, errors: 100, path: 500, message: 500 } as const;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Field problems cut to the documented bounds (the first ones are kept). */
export function boundedErrors(errors: FieldProblem[]): FieldProblem[] {
  return errors.slice(0, PROBLEM_LIMITS.errors).map(({ path, message }) => ({
    path: clip(path, PROBLEM_LIMITS.path),
    message: clip(message, PROBLEM_LIMITS.message),
  }));
}

export const boundedDetail = (detail: string) => clip(detail, PROBLEM_LIMITS.detail);

export const errorCodeSchema = z
  .enum(Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]])
  .describe('Stable machine-readable code');

export const fieldProblemsSchema = z
  .array(
    z.object({ path: z.string().max(PROBLEM_LIMITS.path), message: z.string().max(PROBLEM_LIMITS.message) }),
  )
  .max(PROBLEM_LIMITS.errors)
  .describe(`The problems per field (the first ${PROBLEM_LIMITS.errors})`);

export const problemSchema = z
  .object({
    type: z.string().max(200).meta({ format: 'uri' }).describe('A URI naming the problem type'),
    title: z.string().max(100),
    status: z.number().int().min(400).max(599),
    detail: z.string().max(PROBLEM_LIMITS.detail),
    code: errorCodeSchema,
    requestId: z.string().max(64),
    errors: fieldProblemsSchema.optional(),
  })
  .loose()
  .describe('An RFC 9457 problem detail')
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof problemSchema>;

export function toProblem(
  code: ErrorCode,
  detail: string,
  requestId: string,
  options: { errors?: FieldProblem[] | undefined; extra?: Record<string, unknown> | undefined } = {},
): Problem {
  return {
    ...options.extra,
    type: `https://mutualfit.dev/problems/${code.replaceAll('_', '-')}`,
    title: titles[code],
    status: errorStatus[code],
    detail: boundedDetail(detail),
    code,
    requestId,
    ...(options.errors ? { errors: boundedErrors(options.errors) } : {}),
  };
}
