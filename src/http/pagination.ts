import { z } from 'zod';
import { AppError } from './errors.ts';
import { queryInteger } from './schema-parts.ts';

/** The most items one page holds. */
export const MAX_PAGE = 100;

/** `limit` and `cursor` on every list; the cursor is the last id (a UUID) seen, opaque to clients. */
export const pageQuery = {
  limit: queryInteger((integer) => integer.min(1).max(MAX_PAGE).default(20)).describe('Page size, 1..100'),
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

/** The object a plain (unsealed) cursor holds: base64url of JSON, or undefined for anything else. */
export function cursorObject(cursor: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {}
  return undefined;
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const after = cursorObject(cursor)?.after;
  if (typeof after === 'string' && z.uuid().safeParse(after).success) return after;
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
