import { z } from 'zod';
import { AppError } from '../http/errors.ts';
import { cursorObject, pageOf, pageQuery } from '../http/pagination.ts';
import { openCursor, sealCursor } from '../http/sealed-cursor.ts';

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
 * The feed's cursor, sealed (src/http/sealed-cursor.ts): the last event's sequence number, which
 * counts the events of every workspace, and the subject whose feed it is, so one subject's cursor
 * is refused on another's feed. Cursors issued before they were sealed (base64url JSON `{ seq }`)
 * are still taken.
 */
export function encodeEventCursor(key: Buffer, seq: number, subjectId: string): string {
  return sealCursor(key, { seq, of: subjectId });
}

/** The sequence number a cursor of this subject's feed holds; `sealed` false for one from before the seal (it could be made up). */
export function decodeEventCursor(
  key: Buffer,
  cursor: string | undefined,
  subjectId: string,
): { seq: number; sealed: boolean } | undefined {
  if (cursor === undefined) return undefined;
  const sealed = openCursor(key, cursor) as { seq?: unknown; of?: unknown } | undefined;
  const position = sealed?.of === subjectId ? sealed : sealed === undefined ? unsealed(cursor) : undefined;
  const seq = position?.seq;
  if (Number.isSafeInteger(seq) && (seq as number) >= 0)
    return { seq: seq as number, sealed: sealed !== undefined };
  throw notIssued();
}

/** A cursor from before the seal: base64url JSON holding `seq` alone. */
function unsealed(cursor: string): { seq?: unknown } | undefined {
  const parsed = cursorObject(cursor);
  return parsed && Object.keys(parsed).join() === 'seq' ? parsed : undefined;
}

export const notIssued = () =>
  new AppError(
    'invalid_cursor',
    'The cursor is not one this service issued for this feed; start again without it.',
  );
