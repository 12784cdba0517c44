import type { DbOrTx } from '../db/client.ts';
import { and, desc, eq, isNull, lt, sql } from '../db/orm.ts';
import { apiKeys, workspaces } from '../db/schema.ts';

export async function findActiveKeyByHash(db: DbOrTx, keyHash: string) {
  const [row] = await db
    .select({
      id: apiKeys.id,
      workspaceId: apiKeys.workspaceId,
      role: apiKeys.role,
      employerId: apiKeys.employerId,
      candidateId: apiKeys.candidateId,
    })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
    .limit(1);
  return row;
}

export const workspaceColumns = {
  id: workspaces.id,
  name: workspaces.name,
  scoreMethod: workspaces.scoreMethod,
  allowedOrigins: workspaces.allowedOrigins,
  createdAt: workspaces.createdAt,
};

export async function insertWorkspace(db: DbOrTx, values: typeof workspaces.$inferInsert) {
  const [row] = await db.insert(workspaces).values(values).returning(workspaceColumns);
  return row!;
}

export async function findWorkspace(db: DbOrTx, id: string) {
  const [row] = await db.select(workspaceColumns).from(workspaces).where(eq(workspaces.id, id));
  return row;
}

export async function updateWorkspace(
  db: DbOrTx,
  id: string,
  values: Partial<typeof workspaces.$inferInsert>,
) {
  const [row] = await db
    .update(workspaces)
    .set(values)
    .where(eq(workspaces.id, id))
    .returning(workspaceColumns);
  return row;
}

/** Every workspace that allows some browser origin, with its origins (for the CORS cache). */
export async function listAllowedOrigins(db: DbOrTx) {
  return db
    .select({ id: workspaces.id, allowedOrigins: workspaces.allowedOrigins })
    .from(workspaces)
    .where(sql`cardinality(${workspaces.allowedOrigins}) > 0`);
}

const apiKeyColumns = {
  id: apiKeys.id,
  role: apiKeys.role,
  keyPrefix: apiKeys.keyPrefix,
  employerId: apiKeys.employerId,
  candidateId: apiKeys.candidateId,
  label: apiKeys.label,
  createdAt: apiKeys.createdAt,
  revokedAt: apiKeys.revokedAt,
};

export async function insertApiKey(db: DbOrTx, values: typeof apiKeys.$inferInsert) {
  const [row] = await db.insert(apiKeys).values(values).returning(apiKeyColumns);
  return row!;
}

/** Newest first: the key just minted is the one a person looks for. */
export async function listApiKeys(db: DbOrTx, workspaceId: string, page: { limit: number; before?: string }) {
  return db
    .select(apiKeyColumns)
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.workspaceId, workspaceId),
        page.before === undefined ? undefined : lt(apiKeys.id, page.before),
      ),
    )
    .orderBy(desc(apiKeys.id))
    .limit(page.limit + 1);
}

export async function revokeApiKey(db: DbOrTx, workspaceId: string, id: string) {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return row;
}

export async function listKeysOfCandidate(db: DbOrTx, workspaceId: string, candidateId: string) {
  return db
    .select(apiKeyColumns)
    .from(apiKeys)
    .where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.candidateId, candidateId)))
    .orderBy(desc(apiKeys.id));
}
