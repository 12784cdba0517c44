import type { Db, DbOrTx } from '../db/client.ts';
import { and, eq, ne, sql } from '../db/orm.ts';
import { apiKeys, workspaces } from '../db/schema.ts';
import { generateApiKey, hashApiKey, keyPrefix } from './keys.ts';
import { insertApiKey } from './repository.ts';

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

/** A new key of a workspace, stored as its hash; the key itself is returned to be shown once. */
export async function mintApiKey(
  db: DbOrTx,
  values: Omit<typeof apiKeys.$inferInsert, 'keyHash' | 'keyPrefix'>,
): Promise<{ key: string; row: Awaited<ReturnType<typeof insertApiKey>> }> {
  const key = generateApiKey();
  const row = await insertApiKey(db, { ...values, keyHash: hashApiKey(key), keyPrefix: keyPrefix(key) });
  return { key, row };
}

/**
 * On a database with no workspace at all (a first run without BOOTSTRAP_ADMIN_KEY), creates
 * `default` with an admin key and returns that key. Replicas starting together create it once:
 * the workspace's fixed id lets only one insert win.
 */
export async function ensureFirstRunWorkspace(db: Db): Promise<string | undefined> {
  return db.transaction(async (tx) => {
    const [existing] = await tx.select({ one: sql`1` }).from(workspaces).limit(1);
    if (existing) return undefined;
    const [created] = await tx
      .insert(workspaces)
      .values({ id: DEFAULT_WORKSPACE_ID, name: 'default' })
      .onConflictDoNothing()
      .returning({ id: workspaces.id });
    if (!created) return undefined;
    const { key } = await mintApiKey(tx, { workspaceId: created.id, role: 'admin', label: 'first run' });
    return key;
  });
}

/** What a person reads once, on the terminal: the key and how to get another. */
export function firstRunNotice(adminKey: string, url: string): string {
  const rule = '-'.repeat(78);
  return [
    rule,
    'mutualfit: first run. Created the workspace "default" and its admin key.',
    'The key is shown only now (it is stored as a hash). Keep it, e.g. in your shell:',
    '',
    `    export ADMIN_KEY=${adminKey}`,
    `    curl -H "Authorization: Bearer $ADMIN_KEY" ${url}/v1/workspace`,
    '',
    'Another key later: POST /v1/api-keys with an admin key, or with the server stopped',
    '(or on DATABASE_URL):  npm run key -- --workspace default --role admin',
    rule,
    '',
  ].join('\n');
}
