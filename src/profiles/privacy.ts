import { feedEventsOfCandidate, forgetCandidateInFeeds } from '../alerts/feed.ts';
import { findAlert } from '../alerts/repository.ts';
import { allocationsOfCandidate, scrubCandidateFromAllocations } from '../allocation/repository.ts';
import { findAnswerSet } from '../answers/repository.ts';
import { listKeysOfCandidate } from '../auth/repository.ts';
import type { DbOrTx } from '../db/client.ts';
import { closeErasureGate } from '../db/erasure-gate.ts';
import { eraseRepliesNaming } from '../http/idempotency.ts';
import { introductionsOfCandidate } from '../introductions/repository.ts';
import { auditOfProfile, scrubFromAudit } from '../matching/audit.ts';
import { forgetProfileChanges } from '../matching/repository.ts';
import { sessionsOfCandidate } from '../sessions/repository.ts';
import { enqueueEvent, forgetCandidateDeliveries } from '../webhooks/events.ts';
import { deleteCandidate, findCandidate, findContact } from './repository.ts';

/**
 * Everything stored about one candidate, for a data-subject access request: the profile and what
 * was done with it. Left out are copies of what is here (stored idempotent replies, webhook
 * payloads sent to the workspace's own receivers) and the change feed's bare ids.
 */
export async function exportCandidate(db: DbOrTx, workspaceId: string, candidateId: string) {
  const candidate = await findCandidate(db, workspaceId, candidateId);
  if (!candidate) return undefined;
  // One statement at a time: `db` may be a transaction, whose one connection runs them in turn anyway.
  const contact = await findContact(db, workspaceId, candidateId);
  const answers = await findAnswerSet(db, workspaceId, { candidateId });
  const apiKeys = await listKeysOfCandidate(db, workspaceId, candidateId);
  const sessions = await sessionsOfCandidate(db, workspaceId, candidateId);
  const introductions = await introductionsOfCandidate(db, workspaceId, candidateId);
  const alert = await findAlert(db, workspaceId, 'candidate', candidateId);
  const alertEvents = await feedEventsOfCandidate(db, workspaceId, candidateId);
  const allocations = await allocationsOfCandidate(db, workspaceId, candidateId);
  const access = await auditOfProfile(db, workspaceId, candidateId);
  return {
    candidate,
    contact: contact ?? null,
    answers: answers ?? null,
    apiKeys,
    sessions,
    introductions,
    alert: alert ?? null,
    alertEvents,
    allocations,
    access,
  };
}

/**
 * Erases a candidate: the profile row cascades to contact, answers and keys; stored idempotent
 * replies may quote the contact details, so they become a 410 (a retry must not write the person
 * again), and the id leaves the audit trail and
 * the change feed (other replicas hear of the erasure by notification instead). Webhook deliveries
 * naming the candidate go too, replaced by one `candidate.erased` event (whose payload is blanked
 * once it is delivered or given up). Alert feeds forget it too; the match.removed events its
 * erasure raises for alerting jobs are written by the evaluation that follows (src/alerts/), in the
 * same transaction. Returns false when there was none.
 */
export async function eraseCandidate(
  tx: DbOrTx,
  workspaceId: string,
  candidateId: string,
  requestId: string,
): Promise<boolean> {
  await closeErasureGate(tx, workspaceId);
  const deleted = await deleteCandidate(tx, workspaceId, candidateId);
  if (!deleted) return false;
  await eraseRepliesNaming(tx, candidateId, requestId);
  await scrubFromAudit(tx, workspaceId, candidateId);
  await scrubCandidateFromAllocations(tx, workspaceId, candidateId);
  await forgetProfileChanges(tx, workspaceId, 'candidate', candidateId);
  await forgetCandidateDeliveries(tx, workspaceId, candidateId);
  await forgetCandidateInFeeds(tx, workspaceId, candidateId);
  await enqueueEvent(tx, workspaceId, 'candidate.erased', { candidateId });
  return true;
}
