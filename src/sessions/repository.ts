import type { DbOrTx } from '../db/client.ts';
import { and, eq, lt } from '../db/orm.ts';
import { sessions } from '../db/schema.ts';

export async function insertSession(db: DbOrTx, values: typeof sessions.$inferInsert) {
  const [row] = await db.insert(sessions).values(values).returning({
    id: sessions.id,
    role: sessions.role,
    employerId: sessions.employerId,
    candidateId: sessions.candidateId,
    expiresAt: sessions.expiresAt,
  });
  return row!;
}

/** The session a token belongs to, expired or not (the caller tells the two apart). */
export async function findSessionByHash(db: DbOrTx, tokenHash: string) {
  const [row] = await db
    .select({
      id: sessions.id,
      workspaceId: sessions.workspaceId,
      role: sessions.role,
      employerId: sessions.employerId,
      candidateId: sessions.candidateId,
      expiresAt: sessions.expiresAt,
    })
    .from(sessions)
    .where(eq(sessions.tokenHash, tokenHash))
    .limit(1);
  return row;
}

/** A session of the workspace by id (what `keyId` names when a request came with a session token). */
export async function findSession(db: DbOrTx, workspaceId: string, id: string) {
  const [row] = await db
    .select({
      id: sessions.id,
      role: sessions.role,
      employerId: sessions.employerId,
      candidateId: sessions.candidateId,
      expiresAt: sessions.expiresAt,
    })
    .from(sessions)
    .where(and(eq(sessions.workspaceId, workspaceId), eq(sessions.id, id)))
    .limit(1);
  return row;
}

export async function deleteSession(db: DbOrTx, workspaceId: string, id: string) {
  const [row] = await db
    .delete(sessions)
    .where(and(eq(sessions.workspaceId, workspaceId), eq(sessions.id, id)))
    .returning({ id: sessions.id });
  return row;
}

export async function purgeExpiredSessions(db: DbOrTx, now = Date.now()): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, new Date(now)));
}

/** A candidate's sessions (export): when each was minted and when it ends; never the token. */
export async function sessionsOfCandidate(db: DbOrTx, workspaceId: string, candidateId: string) {
  return db
    .select({ id: sessions.id, createdAt: sessions.createdAt, expiresAt: sessions.expiresAt })
    .from(sessions)
    .where(and(eq(sessions.workspaceId, workspaceId), eq(sessions.candidateId, candidateId)))
    .orderBy(sessions.createdAt);
}
