import { z } from 'zod';
import { AppError } from './errors.ts';

/** The most items one page holds. */
export const MAX_PAGE = 100;

/** `limit` and `cursor` on every list; the cursor is the last id (a UUID) seen, opaque to clients. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(20).describe('Page size, 1..100'),
  cursor: z.string().max(200).optional().describe('The nextCursor of the previous page'),
};

/** A page of a list: at most MAX_PAGE items. */
export const pageOf = <T extends z.ZodType>(item: T) => z.array(item).max(MAX_PAGE);

export const nextCursorField = z
  .string()
  .max(300)
  .nullable()
  .describe('Pass as cursor for the next page; null at the end');

export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string' && z.uuid().safeParse(parsed.after).success) return parsed.after;
  } catch {}
  throw new AppError('invalid_cursor', 'The cursor is not one this service issued; start again without it.');
}

/** Lists are fetched with limit + 1 rows: the extra row only says whether another page exists. */
export function toPage<T extends { id: string }>(
  rows: T[],
  limit: number,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
