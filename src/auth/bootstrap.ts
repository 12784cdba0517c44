import { and, eq, ne } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { apiKeys, workspaces } from '../db/schema.ts';
import { hashApiKey, keyPrefix } from './keys.ts';

/** The `default` workspace has a fixed id so every replica and restart finds the same one. */
export const DEFAULT_WORKSPACE_ID = '00000000-0000-7000-8000-000000000001';
const BOOTSTRAP_LABEL = 'bootstrap';

/**
 * With BOOTSTRAP_ADMIN_KEY set, the `default` workspace exists and that key is its admin key.
 * A changed key replaces the previous bootstrap key rather than adding to it.
 */
export async function ensureBootstrapWorkspace(db: Db, adminKey: string | undefined): Promise<void> {
  if (!adminKey) return;
  const keyHash = hashApiKey(adminKey);
  await db.transaction(async (tx) => {
    await tx.insert(workspaces).values({ id: DEFAULT_WORKSPACE_ID, name: 'default' }).onConflictDoNothing();
    await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(apiKeys.workspaceId, DEFAULT_WORKSPACE_ID),
          eq(apiKeys.label, BOOTSTRAP_LABEL),
          ne(apiKeys.keyHash, keyHash),
        ),
      );
    await tx
      .insert(apiKeys)
      .values({
        workspaceId: DEFAULT_WORKSPACE_ID,
        role: 'admin',
        keyHash,
        keyPrefix: keyPrefix(adminKey),
        label: BOOTSTRAP_LABEL,
      })
      .onConflictDoUpdate({ target: apiKeys.keyHash, set: { revokedAt: null } });
  });
}
