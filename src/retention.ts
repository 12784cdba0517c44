import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import { purgeExpiredIdempotencyKeys } from './http/idempotency.ts';
import { purgeAuditBefore } from './matching/audit.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Forgets what is kept only for a while: idempotent replies (24 h) and audit records (AUDIT_RETENTION_DAYS). */
export async function purgeRetainedRecords(
  db: Db,
  config: Pick<Config, 'AUDIT_RETENTION_DAYS'>,
  now = Date.now(),
) {
  await purgeExpiredIdempotencyKeys(db, now);
  await purgeAuditBefore(db, new Date(now - config.AUDIT_RETENTION_DAYS * DAY_MS));
}
