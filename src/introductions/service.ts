import type { WorkspacePrincipal } from '../auth/principal.ts';
import type { Db } from '../db/client.ts';
import { AppError } from '../http/errors.ts';
import type { QuestionnaireCatalog } from '../questionnaires/loader.ts';
import { enqueueEvent } from '../webhooks/events.ts';
import { actingSide, pairNotFound, reaches, refuseInterest } from './checks.ts';
import {
  appendEvent,
  ensureIntroduction,
  type IntroductionRow,
  lockIntroduction,
  lockPair,
  shareAnswerSets,
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

/**
 * Applies one side's step and appends its audit event and webhook events, in one transaction.
 * Everything the step is judged by (who may reach the pair, the step's states, for interest the
 * pair's acceptability) is read under its lock: a pair deleted before it is a 404 whatever would
 * have refused it, and one deleted later waits for the step.
 */
export async function applyStep(
  db: Db,
  questionnaires: QuestionnaireCatalog,
  principal: WorkspacePrincipal,
  pair: { jobId: string; candidateId: string },
  request: { side: IntroductionSide | undefined; action: IntroductionAction },
) {
  const { workspaceId } = principal;
  const { action } = request;
  return db.transaction(async (tx) => {
    const locked = await lockPair(tx, workspaceId, pair, action === 'interested');
    if (!locked || !reaches(principal, { ...locked, hasIntroduction: locked.introduction !== undefined })) {
      throw pairNotFound(pair.jobId, pair.candidateId);
    }
    const side = actingSide(principal, request.side);
    const now = transition(statesOf(locked.introduction), side, action);
    if (!now.ok) throw conflictOf(now, locked.introduction?.status ?? 'not started');
    // Declining and withdrawing stay open: they reveal nothing and let either side step back.
    if (action === 'interested') {
      const answers = await shareAnswerSets(tx, workspaceId, pair);
      refuseInterest(principal, { ...locked, ...answers }, questionnaires);
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
