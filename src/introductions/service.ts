import type { WorkspacePrincipal } from '../auth/principal.ts';
import type { Db } from '../db/client.ts';
import { AppError, notFound } from '../http/errors.ts';
import { enqueueEvent } from '../webhooks/events.ts';
import {
  appendEvent,
  ensureIntroduction,
  findIntroduction,
  type IntroductionRow,
  lockIntroduction,
  lockPairParents,
  updateIntroduction,
} from './repository.ts';
import {
  type IntroductionAction,
  type IntroductionSide,
  initialStates,
  type Transition,
  transition,
} from './state.ts';

function conflictOf(result: Extract<Transition, { ok: false }>, status: string): AppError {
  return new AppError('conflict', `${result.detail} The introduction is ${status}.`, {
    extra: { reason: result.reason },
  });
}

const statesOf = (row: IntroductionRow | undefined) =>
  row ? { employer: row.employerState, candidate: row.candidateState } : initialStates;

/** Throws the 409 the step would meet with the states as they are now (checked again under lock). */
export async function precheckStep(
  db: Db,
  pair: { workspaceId: string; jobId: string; candidateId: string },
  side: IntroductionSide,
  action: IntroductionAction,
): Promise<void> {
  const row = await findIntroduction(db, pair.workspaceId, pair.jobId, pair.candidateId);
  const result = transition(statesOf(row), side, action);
  if (!result.ok) throw conflictOf(result, row?.status ?? 'not started');
}

/** Applies one side's step and appends its audit event and webhook events, in one transaction. */
export async function applyStep(
  db: Db,
  principal: WorkspacePrincipal,
  pair: { jobId: string; candidateId: string },
  side: IntroductionSide,
  action: IntroductionAction,
) {
  const { workspaceId } = principal;
  return db.transaction(async (tx) => {
    // Erased or deleted since the route found them: the pair is gone, as it would be a moment later.
    if (!(await lockPairParents(tx, workspaceId, pair.jobId, pair.candidateId))) {
      throw notFound(`The pair of job ${pair.jobId} and candidate ${pair.candidateId}`);
    }
    await ensureIntroduction(tx, { workspaceId, ...pair });
    const row = await lockIntroduction(tx, workspaceId, pair.jobId, pair.candidateId);
    if (!row) throw new Error('the introduction row vanished inside its transaction');
    const blank = row.employerState === 'none' && row.candidateState === 'none';
    const result = transition(statesOf(row), side, action);
    if (!result.ok) throw conflictOf(result, blank ? 'not started' : row.status);
    const updated = await updateIntroduction(tx, workspaceId, row.id, result.states, result.status);
    await appendEvent(tx, principal, updated, side, action);
    const ids = { introductionId: updated.id, jobId: updated.jobId, candidateId: updated.candidateId };
    await enqueueEvent(tx, workspaceId, 'introduction.updated', {
      ...ids,
      status: updated.status,
      employerState: updated.employerState,
      candidateState: updated.candidateState,
    });
    if (updated.status === 'mutual' && row.status !== 'mutual') {
      await enqueueEvent(tx, workspaceId, 'match.mutual', ids);
    }
    return updated;
  });
}
