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
      .describe(
        "Announce pairs whose mutual score reaches this; default: the subject's own minScore now (kept when that minScore changes later)",
      ),
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

/**
 * The feed's cursor, opaque to clients: the last event's sequence number and the subject whose
 * feed it is, so one subject's cursor is refused on another's feed. (Cursors issued before the
 * subject was named in them carry only the number and are still taken.)
 */
export function encodeEventCursor(seq: number, subjectId: string): string {
  return Buffer.from(JSON.stringify({ seq, of: subjectId })).toString('base64url');
}

export function decodeEventCursor(cursor: string | undefined, subjectId: string): number | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      seq?: unknown;
      of?: unknown;
    };
    const keys = Object.keys(parsed);
    const ours = parsed.of === subjectId || (parsed.of === undefined && keys.length === 1);
    if (ours && Number.isSafeInteger(parsed.seq) && (parsed.seq as number) >= 0) return parsed.seq as number;
  } catch {}
  throw notIssued();
}

export const notIssued = () =>
  new AppError(
    'invalid_cursor',
    'The cursor is not one this service issued for this feed; start again without it.',
  );
