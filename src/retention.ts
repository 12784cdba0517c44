import { ALERT_EVENT_RETENTION_DAYS, purgeFeedsBefore } from './alerts/feed.ts';
import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import { purgeExpiredIdempotencyKeys } from './http/idempotency.ts';
import { purgeAuditBefore } from './matching/audit.ts';
import { purgeExpiredSessions } from './sessions/repository.ts';
import { forgetExpiredPreviousSecrets, purgeSettledDeliveriesBefore } from './webhooks/repository.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Forgets what is kept only for a while: idempotent replies (24 h), expired browser sessions, and
 * audit records and settled webhook deliveries (AUDIT_RETENTION_DAYS), alert events (30 days),
 * webhook secrets replaced by a rotation once its overlap has ended.
 */
export async function purgeRetainedRecords(
  db: Db,
  config: Pick<Config, 'AUDIT_RETENTION_DAYS'>,
  now = Date.now(),
) {
  await purgeExpiredIdempotencyKeys(db, now);
  await purgeExpiredSessions(db, now);
  const cutoff = new Date(now - config.AUDIT_RETENTION_DAYS * DAY_MS);
  await purgeAuditBefore(db, cutoff);
  await purgeSettledDeliveriesBefore(db, cutoff);
  await purgeFeedsBefore(db, new Date(now - ALERT_EVENT_RETENTION_DAYS * DAY_MS));
  await forgetExpiredPreviousSecrets(db, new Date(now));
}
