import type { DbOrTx } from './client.ts';
import { sql } from './orm.ts';

/*
 * Records that copy profile ids (the listings' audit trail) and a candidate's erasure take turns
 * per workspace. A record's statement checks which listed ids still exist; under READ COMMITTED it
 * sees a candidate whose erasure has not committed yet, and could commit after the erasure scrubbed
 * the trail, keeping the erased id. So the erasure holds its workspace's gate exclusively until it
 * commits (waiting for the records in flight), and a record takes it shared in a statement before
 * its own, whose snapshot then sees the erasure committed. The listings' audit records do both in
 * one call, the function `record_listings_answered` (migrations/0017); the key is the same there.
 */

/** The gate's advisory-lock key (record_listings_answered in migrations/0017 computes the same). */
const gate = (workspaceId: string) => sql`hashtextextended('mutualfit.erasure:' || ${workspaceId}, 0)`;

/** An erasure's first step: until it commits, no record copying ids of this workspace is written. */
export async function closeErasureGate(tx: DbOrTx, workspaceId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${gate(workspaceId)})`);
}

/** Before a record copying ids of this workspace: waits for an erasure in flight to commit. */
export async function passErasureGate(tx: DbOrTx, workspaceId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock_shared(${gate(workspaceId)})`);
}
