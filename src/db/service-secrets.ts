import { randomBytes } from 'node:crypto';
import type { DbOrTx } from './client.ts';
import { eq } from './orm.ts';
import { serviceSecrets } from './schema.ts';

/**
 * The installation's secret `name` (32 random bytes): the first process to ask creates it, every
 * replica reads the same one from then on. Loaded once per process and kept; a failed load (the
 * database away) is tried again at the next call.
 */
export function serviceSecret(db: DbOrTx, name: string): () => Promise<Buffer> {
  let loading: Promise<Buffer> | undefined;
  return () => {
    loading ??= load(db, name).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

async function load(db: DbOrTx, name: string): Promise<Buffer> {
  await db
    .insert(serviceSecrets)
    .values({ name, value: randomBytes(32) })
    .onConflictDoNothing();
  const [row] = await db
    .select({ value: serviceSecrets.value })
    .from(serviceSecrets)
    .where(eq(serviceSecrets.name, name));
  return Buffer.from(row!.value);
}
