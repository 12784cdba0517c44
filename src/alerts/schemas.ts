import { z } from 'zod';
import { AppError } from '../http/errors.ts';
import { pageOf, pageQuery } from '../http/pagination.ts';

export const alertBody = z
  .object({
    minScore: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe("Announce pairs whose mutual score reaches this; default: the subject's own minScore"),
  })
  .strict();

export const alertResponse = z.object({
  alert: z.object({
    minScore: z.number().describe('The threshold a pair must reach to be announced'),
    createdAt: z.date(),
    updatedAt: z.date(),
  }),
});

export const alertEvent = z.object({
  type: z.enum(['match.created', 'match.removed']),
  jobId: z.uuid(),
  candidateId: z.uuid(),
  score: z
    .number()
    .nullable()
    .describe('The mutual score (rounded to 6 decimals); null when the pair is no longer acceptable at all'),
  alertOf: z.enum(['job', 'candidate']),
  createdAt: z.date(),
});

export const alertEventsResponse = z.object({
  events: pageOf(alertEvent),
  nextCursor: z
    .string()
    .max(300)
    .describe('Where to go on from: pass it as cursor to get the events after these (a feed never ends)'),
  hasMore: z.boolean().describe('More events follow right away; false: poll again later with nextCursor'),
});

export const alertEventsQuery = z.object(pageQuery).strict();

/** The feed's cursor: the last event's sequence number, opaque to clients. */
export function encodeEventCursor(seq: number): string {
  return Buffer.from(JSON.stringify({ seq })).toString('base64url');
}

export function decodeEventCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { seq?: unknown };
    if (Number.isSafeInteger(parsed.seq) && (parsed.seq as number) >= 0) return parsed.seq as number;
  } catch {}
  throw new AppError('invalid_cursor', 'The cursor is not one this service issued; start again without it.');
}
