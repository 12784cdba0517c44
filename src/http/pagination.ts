import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from './errors.ts';
import { queryInteger } from './schema-parts.ts';

/** The most items one page holds. */
export const MAX_PAGE = 100;

/**
 * `limit` and `cursor` on every list; the cursor is the last id (a UUID) seen and the list it pages
 * (see listOf), opaque to clients.
 */
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

/** The identity of one list (listOf): only a cursor issued for the same identity pages it. */
export type ListId = string & { readonly list: unique symbol };

/**
 * Names the list a request pages: its route and everything that shapes its rows (the workspace,
 * the parent id in the path, the filters, the caller's own scope), never `limit`, which may change
 * between pages. A short hash, so a cursor stays short and says nothing of the filters.
 */
export function listOf(route: string, shape: Record<string, string | undefined>): ListId {
  const defined = Object.entries(shape)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify([route, defined]))
    .digest('base64url')
    .slice(0, 16) as ListId;
}

/** A list's cursor: the last id seen and the list it pages (`of`). */
export function encodeCursor(lastId: string, of: ListId): string {
  return Buffer.from(JSON.stringify({ after: lastId, of })).toString('base64url');
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

/**
 * The last id a cursor of this list saw. A cursor of another list (another route, other filters,
 * another parent) is refused rather than silently skipping that list's rows.
 */
export function decodeCursor(cursor: string | undefined, of: ListId): string | undefined {
  if (cursor === undefined) return undefined;
  const parsed = cursorObject(cursor);
  const after = parsed?.after;
  if (typeof after === 'string' && z.uuid().safeParse(after).success && typeof parsed?.of === 'string') {
    if (parsed.of !== of) {
      throw new AppError(
        'invalid_cursor',
        "The cursor pages another listing; use the cursor of this listing's last page.",
      );
    }
    return after;
  }
  throw new AppError('invalid_cursor', 'The cursor is not one this service issued; start again without it.');
}

/** Lists are fetched with limit + 1 rows: the extra row only says whether another page exists. */
export function toPage<T extends { id: string }>(
  rows: T[],
  limit: number,
  of: ListId,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id, of) : null };
}
