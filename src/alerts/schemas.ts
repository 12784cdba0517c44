import { z } from 'zod';
import { AppError } from '../http/errors.ts';
import { cursorObject, pageOf, pageQuery } from '../http/pagination.ts';
import { openCursor, sealCursor } from '../http/sealed-cursor.ts';
import type { FeedPosition } from './feed.ts';

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
 * The feed's cursor, sealed (src/http/sealed-cursor.ts): the feed row read last, by its sequence
 * number (which counts the rows of every workspace), and how many of its events were read, with
 * the subject whose feed it is, so one subject's cursor is refused on another's feed. Cursors from
 * before the feed held rows of events (`seq` alone: every event of that row read) are still taken,
 * sealed or (older still) as base64url JSON `{ seq }`.
 */
export function encodeEventCursor(key: Buffer, position: FeedPosition, subjectId: string): string {
  return sealCursor(key, { seq: position.seq, n: position.n, of: subjectId });
}

/** Where a cursor of this subject's feed points; `sealed` false for one from before the seal (it could be made up). */
export function decodeEventCursor(
  key: Buffer,
  cursor: string | undefined,
  subjectId: string,
): (FeedPosition & { sealed: boolean }) | undefined {
  if (cursor === undefined) return undefined;
  const sealed = openCursor(key, cursor) as { seq?: unknown; n?: unknown; of?: unknown } | undefined;
  const position = sealed?.of === subjectId ? sealed : sealed === undefined ? unsealed(cursor) : undefined;
  const seq = position?.seq;
  const n = position?.n;
  const count = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
  if (count(seq) && (n === undefined || count(n)))
    return { seq: seq as number, n: n as number | undefined, sealed: sealed !== undefined };
  throw notIssued();
}

/** A cursor from before the seal: base64url JSON holding `seq` alone. */
function unsealed(cursor: string): { seq?: unknown; n?: unknown } | undefined {
  const parsed = cursorObject(cursor);
  return parsed && Object.keys(parsed).join() === 'seq' ? parsed : undefined;
}

export const notIssued = () =>
  new AppError(
    'invalid_cursor',
    'The cursor is not one this service issued for this feed; start again without it.',
  );
