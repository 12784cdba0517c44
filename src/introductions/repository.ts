import type { WorkspacePrincipal } from '../auth/principal.ts';
import type { DbOrTx } from '../db/client.ts';
import { and, asc, eq, gt, inArray, or, type SQL, sql } from '../db/orm.ts';
import { answerSets, candidates, introductionEvents, introductions, jobs, workspaces } from '../db/schema.ts';
import { pairColumns } from '../profiles/repository.ts';
import type { IntroductionSide, IntroductionStatus, SideStates } from './state.ts';

export type IntroductionRow = Awaited<ReturnType<typeof findIntroduction>> & {};
export type EventAction = (typeof introductionEvents.$inferInsert)['action'];

const columns = {
  id: introductions.id,
  workspaceId: introductions.workspaceId,
  jobId: introductions.jobId,
  candidateId: introductions.candidateId,
  employerState: introductions.employerState,
  candidateState: introductions.candidateState,
  status: introductions.status,
  createdAt: introductions.createdAt,
  updatedAt: introductions.updatedAt,
};

const pairWhere = (workspaceId: string, jobId: string, candidateId: string) =>
  and(
    eq(introductions.workspaceId, workspaceId),
    eq(introductions.jobId, jobId),
    eq(introductions.candidateId, candidateId),
  );

export async function findIntroduction(db: DbOrTx, workspaceId: string, jobId: string, candidateId: string) {
  const [row] = await db
    .select(columns)
    .from(introductions)
    .where(pairWhere(workspaceId, jobId, candidateId));
  return row;
}

/** The pair's row, locked for the rest of the transaction. */
export async function lockIntroduction(db: DbOrTx, workspaceId: string, jobId: string, candidateId: string) {
  const [row] = await db
    .select(columns)
    .from(introductions)
    .where(pairWhere(workspaceId, jobId, candidateId))
    .for('update');
  return row;
}

export type LockedPair = Awaited<ReturnType<typeof lockPair>> & {};
export type PairAnswers = Awaited<ReturnType<typeof shareAnswerSets>>;

/**
 * The pair as a step acts on it, in one statement: its job and candidate, locked to the end of the
 * transaction, with the introduction (if any) and the workspace's score method. Undefined when
 * either is gone. A deletion of either (an erasure, a job or employer deleted) in flight is waited
 * for, and one that comes later waits for this transaction, so what the step decides and writes
 * never concerns a gone row.
 *
 * Interest share-locks the two rows, so an update of them (a pause, a hidden employer, a job
 * closing, a `minScore`) either commits before the step reads the pair, and is judged by it, or
 * waits until the step has committed: no introduction turns mutual after a pause was answered.
 * Declining and withdrawing take the weaker key-share lock, which updates do not wait for. The
 * candidate is locked before the job (PostgreSQL locks in the order `of` names them), the order an
 * employer's deletion takes them in (it unhides the employer from candidates, then deletes its
 * jobs), so the two cannot deadlock.
 *
 * Named prepared statements, as `shareAnswerSets`: each connection plans them once (planning them
 * was most of PostgreSQL's CPU for an interest step).
 */
export async function lockPair(
  db: DbOrTx,
  workspaceId: string,
  { jobId, candidateId }: { jobId: string; candidateId: string },
  forInterest: boolean,
) {
  const [row] = await db
    .select({
      ...pairColumns,
      introduction: columns,
      scoreMethod: workspaces.scoreMethod,
    })
    .from(jobs)
    .innerJoin(candidates, and(eq(candidates.workspaceId, jobs.workspaceId), eq(candidates.id, candidateId)))
    .innerJoin(workspaces, eq(workspaces.id, jobs.workspaceId))
    .leftJoin(
      introductions,
      and(eq(introductions.jobId, jobs.id), eq(introductions.candidateId, candidates.id)),
    )
    .where(and(eq(jobs.workspaceId, workspaceId), eq(jobs.id, jobId)))
    .for(forInterest ? 'share' : 'key share', { of: [candidates, jobs] })
    .prepare(forInterest ? 'lock_pair_for_interest' : 'lock_pair')
    .execute();
  if (!row) return undefined;
  return { ...row, introduction: row.introduction ?? undefined };
}

/**
 * The pair's two answer sets (undefined for a side without one), share-locked to the end of the
 * transaction, after `lockPair` has locked the job and the candidate (an erasure takes the profile,
 * then its answers: the same order). An answers write in flight is waited for and then judged; one
 * that comes later waits for the step.
 */
export async function shareAnswerSets(
  db: DbOrTx,
  workspaceId: string,
  { jobId, candidateId }: { jobId: string; candidateId: string },
) {
  const sets = await db
    .select({
      jobId: answerSets.jobId,
      questionnaireId: answerSets.questionnaireId,
      questionnaireVersion: answerSets.questionnaireVersion,
      answers: answerSets.answers,
    })
    .from(answerSets)
    .where(
      and(
        eq(answerSets.workspaceId, workspaceId),
        or(eq(answerSets.jobId, jobId), eq(answerSets.candidateId, candidateId)),
      ),
    )
    .for('share')
    .prepare('share_pair_answer_sets')
    .execute();
  const setOf = (ofJob: boolean) => {
    const found = sets.find((set) => (set.jobId === jobId) === ofJob);
    if (!found) return undefined;
    const { jobId: _jobId, ...set } = found;
    return set;
  };
  return { jobAnswers: setOf(true), candidateAnswers: setOf(false) };
}

/**
 * The pair's row as it is now (after a step in flight, which locks it for update), key-share-locked
 * to the end of the transaction: its deletion with the job or the candidate waits for it.
 */
export async function holdIntroduction(db: DbOrTx, workspaceId: string, jobId: string, candidateId: string) {
  const [row] = await db
    .select(columns)
    .from(introductions)
    .where(pairWhere(workspaceId, jobId, candidateId))
    .for('key share');
  return row;
}

/**
 * Introductions of one job or one candidate, in id (= creation) order, one extra row for paging;
 * `unhiddenFrom`: without the candidates who hide from that employer.
 */
export async function listIntroductions(
  db: DbOrTx,
  workspaceId: string,
  filter: { jobId: string; unhiddenFrom?: string } | { candidateId: string },
  page: { limit: number; after?: string | undefined },
) {
  const conditions: (SQL | undefined)[] = [
    eq(introductions.workspaceId, workspaceId),
    'jobId' in filter
      ? eq(introductions.jobId, filter.jobId)
      : eq(introductions.candidateId, filter.candidateId),
    page.after === undefined ? undefined : gt(introductions.id, page.after),
    'unhiddenFrom' in filter && filter.unhiddenFrom !== undefined
      ? sql`not exists (select 1 from ${candidates} where ${candidates.id} = ${introductions.candidateId}
              and ${filter.unhiddenFrom}::uuid = any(${candidates.hiddenFromEmployerIds}))`
      : undefined,
  ];
  return db
    .select(columns)
    .from(introductions)
    .where(and(...conditions))
    .orderBy(asc(introductions.id))
    .limit(page.limit + 1);
}

/**
 * Makes sure the pair has a row (a blank one, rolled back with the transaction if the step fails);
 * a concurrent first step waits on the unique pair index instead of failing.
 */
export async function ensureIntroduction(
  db: DbOrTx,
  pair: { workspaceId: string; jobId: string; candidateId: string },
) {
  await db
    .insert(introductions)
    .values({ ...pair, employerState: 'none', candidateState: 'none', status: 'pending' })
    .onConflictDoNothing({ target: [introductions.jobId, introductions.candidateId] });
}

export async function updateIntroduction(
  db: DbOrTx,
  workspaceId: string,
  id: string,
  states: SideStates,
  status: IntroductionStatus,
) {
  const [row] = await db
    .update(introductions)
    .set({ employerState: states.employer, candidateState: states.candidate, status })
    .where(and(eq(introductions.workspaceId, workspaceId), eq(introductions.id, id)))
    .returning(columns);
  return row!;
}

/** Appends one step (or one contact read) to the introduction's event log. */
export async function appendEvent(
  db: DbOrTx,
  principal: WorkspacePrincipal,
  introduction: { id: string; status: IntroductionStatus },
  side: IntroductionSide,
  action: EventAction,
) {
  await db.insert(introductionEvents).values({
    workspaceId: principal.workspaceId,
    introductionId: introduction.id,
    actorRole: principal.role,
    actorKeyId: principal.keyId,
    side,
    action,
    statusAfter: introduction.status,
  });
}

/** A candidate's introductions with every step, oldest first (export). */
export async function introductionsOfCandidate(db: DbOrTx, workspaceId: string, candidateId: string) {
  const rows = await db
    .select(columns)
    .from(introductions)
    .where(and(eq(introductions.workspaceId, workspaceId), eq(introductions.candidateId, candidateId)))
    .orderBy(asc(introductions.id));
  const steps =
    rows.length === 0
      ? []
      : await db
          .select({
            introductionId: introductionEvents.introductionId,
            side: introductionEvents.side,
            action: introductionEvents.action,
            actorRole: introductionEvents.actorRole,
            statusAfter: introductionEvents.statusAfter,
            at: introductionEvents.createdAt,
          })
          .from(introductionEvents)
          .where(
            and(
              eq(introductionEvents.workspaceId, workspaceId),
              inArray(
                introductionEvents.introductionId,
                rows.map((row) => row.id),
              ),
            ),
          )
          .orderBy(asc(introductionEvents.id));
  const stepsOf = new Map(
    rows.map((row) => [row.id, [] as Omit<(typeof steps)[number], 'introductionId'>[]]),
  );
  for (const { introductionId, ...step } of steps) stepsOf.get(introductionId)?.push(step);
  return rows.map(({ workspaceId: _, candidateId: __, ...row }) => ({ ...row, steps: stepsOf.get(row.id)! }));
}
