import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assertOwnCandidate, assertOwnEmployer, candidateScope, employerScope } from '../auth/access.ts';
import { requireRole } from '../auth/plugin.ts';
import type { WorkspacePrincipal } from '../auth/principal.ts';
import type { Db, Tx } from '../db/client.ts';
import { AppError, notFound, problemSchema } from '../http/errors.ts';
import { decodeCursor, listOf, toPage } from '../http/pagination.ts';
import { explainStoredPair } from '../matching/explain-stored.ts';
import { candidatePaused, hidesFrom } from '../profiles/candidate-privacy.ts';
import {
  type EmployerContactRow,
  findEmployerContact,
  type JobFacts,
  jobFactsOf,
} from '../profiles/employer-contacts.ts';
import {
  type CandidateRow,
  type ContactRow,
  findCandidate,
  findContact,
  findJob,
  type JobRow,
} from '../profiles/repository.ts';
import type { QuestionnaireCatalog } from '../questionnaires/loader.ts';
import {
  appendEvent,
  findIntroduction,
  holdIntroduction,
  type IntroductionRow,
  listIntroductions,
} from './repository.ts';
import {
  actionBody,
  introductionList,
  introductionResponse,
  listQuery,
  pairParams,
  viewQuery,
} from './schemas.ts';
import { applyStep, precheckStep } from './service.ts';
import type { IntroductionSide } from './state.ts';

const tags = ['introductions'];
const errors = { 400: problemSchema, 404: problemSchema };

interface Revealed {
  contact?: ContactRow | undefined;
  employerContact?: EmployerContactRow | undefined;
  job?: JobFacts | undefined;
}

function view(row: IntroductionRow, { contact, employerContact, job }: Revealed = {}) {
  return {
    id: row.id,
    jobId: row.jobId,
    candidateId: row.candidateId,
    status: row.status,
    employer: { state: row.employerState },
    candidate: { state: row.candidateState },
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...(contact ? { contact } : {}),
    ...(employerContact ? { employerContact } : {}),
    ...(job ? { job } : {}),
  };
}

/** The side a key acts for: its own for employer and candidate keys; admins must name one. */
function actingSide(principal: WorkspacePrincipal, side: IntroductionSide | undefined): IntroductionSide {
  if (principal.role === 'admin') {
    if (side) return side;
    throw new AppError('validation_failed', 'An admin key must say which side it acts for.', {
      errors: [{ path: 'side', message: 'Required for admin keys' }],
    });
  }
  if (side && side !== principal.role) {
    throw new AppError(
      'validation_failed',
      `${principal.role === 'employer' ? 'An' : 'A'} ${principal.role} key acts for the ${principal.role} side only.`,
      {
        errors: [{ path: 'side', message: `Must be ${principal.role} or left out` }],
      },
    );
  }
  return principal.role;
}

/** The side a read is for: an admin's defaults to the employer's (whose view came first). */
function viewingSide(principal: WorkspacePrincipal, side: IntroductionSide | undefined): IntroductionSide {
  return principal.role === 'admin' ? (side ?? 'employer') : actingSide(principal, side);
}

export const introductionRoutes: FastifyPluginAsyncZod<{
  db: Db;
  questionnaires: QuestionnaireCatalog;
}> = async (app, { db, questionnaires }) => {
  /** The job and candidate of a pair the caller may act on or see; anything else is a 404. */
  async function reachPair(request: FastifyRequest, jobId: string, candidateId: string) {
    const principal = requireRole(request, 'admin', 'employer', 'candidate');
    const [job, candidate] = await Promise.all([
      findJob(db, principal.workspaceId, jobId),
      findCandidate(db, principal.workspaceId, candidateId),
    ]);
    const reachable =
      job &&
      candidate &&
      (principal.role === 'admin' ||
        (principal.role === 'employer' && principal.employerId === job.employerId) ||
        (principal.role === 'candidate' && principal.candidateId === candidateId));
    const missing = notFound(`The pair of job ${jobId} and candidate ${candidateId}`);
    // To the employer, a candidate hiding from it is no candidate (docs/matching.md#candidate-privacy);
    // nor is a paused one, but for the introduction it already has with this job.
    if (!reachable || (principal.role === 'employer' && hidesFrom(candidate, job.employerId))) throw missing;
    if (
      principal.role === 'employer' &&
      candidate.paused &&
      !(await findIntroduction(db, principal.workspaceId, jobId, candidateId))
    )
      throw missing;
    return { principal, job, candidate };
  }

  /**
   * Undefined when the pair is acceptable now, else the 409 with the pair's explanation (criteria
   * left out). Both come from one exact scoring of the stored answers: the match index of this
   * process can trail a write another process just made, and contacts must never follow from it.
   */
  async function refusalOf(workspaceId: string, job: JobRow, candidate: CandidateRow) {
    let explained: Awaited<ReturnType<typeof explainStoredPair>>;
    try {
      explained = await explainStoredPair(db, questionnaires, workspaceId, job, candidate);
    } catch (error) {
      // A side without answers (or on another questionnaire version) cannot be acceptable either.
      if (error instanceof AppError && (error.code === 'no_answers' || error.code === 'conflict')) {
        return new AppError('not_acceptable_pair', `The pair is not acceptable: ${error.message}`);
      }
      throw error;
    }
    if (explained.acceptable) return undefined;
    const { criteria: _criteria, ...explanation } = explained;
    const broken = explanation.dealbreakers.map((d) => `${d.criterionId} (${d.side})`).join(', ');
    const detail = broken
      ? `The pair breaks dealbreakers: ${broken}.`
      : 'The score is below what one side accepts, or the job is not open.';
    return new AppError('not_acceptable_pair', detail, { extra: { explanation } });
  }

  /** Throws why `principal` may not express interest in the pair now. */
  async function refuseInterest(principal: WorkspacePrincipal, job: JobRow, candidate: CandidateRow) {
    if (candidate.paused) {
      // An employer gets here only for an introduction it already has (reachPair), which it can
      // read: a 404 would contradict that read. It is refused as a step that is not possible now,
      // without naming the pause; the candidate (and an admin) are told why.
      if (principal.role === 'employer') {
        throw new AppError(
          'conflict',
          `The introduction of job ${job.id} and candidate ${candidate.id} takes no new interest now; declining and withdrawing still work.`,
        );
      }
      throw candidatePaused(candidate.id, 'no new interest in introductions');
    }
    if (hidesFrom(candidate, job.employerId)) {
      throw new AppError(
        'hidden_from_employer',
        `Candidate ${candidate.id} hides from employer ${job.employerId}: no interest in its jobs.`,
      );
    }
    if (job.status !== 'open') throw new AppError('conflict', `Job ${job.id} is closed.`);
    const refusal = await refusalOf(principal.workspaceId, job, candidate);
    if (refusal) throw refusal;
  }

  /**
   * Whether a refusal may come from the pair's deletion. A pair scored from both stored answer sets
   * (a not_acceptable_pair with its explanation, the common refusal) was there when it was read:
   * looking the pair up again would only slow every such answer down.
   */
  function mayBeDeletion(error: unknown): boolean {
    return error instanceof AppError && !(error.code === 'not_acceptable_pair' && error.extra?.explanation);
  }

  async function pairExists(workspaceId: string, jobId: string, candidateId: string) {
    const [job, candidate] = await Promise.all([
      findJob(db, workspaceId, jobId),
      findCandidate(db, workspaceId, candidateId),
    ]);
    return job !== undefined && candidate !== undefined;
  }

  /**
   * The introduction as it is now and, while it is mutual, the other side's contact, the read logged
   * in the introduction's events, together. The row is held so that an erasure or a deletion in
   * flight is waited for: then the pair is gone (404), never a read logged for a deleted row.
   */
  function readContact<T>(
    principal: WorkspacePrincipal,
    pair: { jobId: string; candidateId: string },
    side: IntroductionSide,
    find: (tx: Tx) => Promise<T | undefined>,
  ): Promise<{ row: IntroductionRow; found?: T | undefined }> {
    return db.transaction(async (tx) => {
      const row = await holdIntroduction(tx, principal.workspaceId, pair.jobId, pair.candidateId);
      if (!row) throw notFound(`The introduction of job ${pair.jobId} and candidate ${pair.candidateId}`);
      if (row.status !== 'mutual') return { row };
      const found = await find(tx);
      if (found) await appendEvent(tx, principal, row, side, 'contact_read');
      return { row, found };
    });
  }

  app.post(
    '/v1/jobs/:jobId/introductions/:candidateId',
    {
      config: { roles: ['admin', 'employer', 'candidate'] },
      schema: {
        operationId: 'actOnIntroduction',
        tags,
        summary: "Express interest in, decline or withdraw from a pair's introduction (double opt-in)",
        params: pairParams,
        body: actionBody,
        response: { 200: introductionResponse, ...errors, 409: problemSchema },
      },
    },
    async (request) => {
      const { jobId, candidateId } = request.params;
      const { principal, job, candidate } = await reachPair(request, jobId, candidateId);
      const side = actingSide(principal, request.body.side);
      const { action } = request.body;
      try {
        await precheckStep(db, { workspaceId: principal.workspaceId, jobId, candidateId }, side, action);
        // Declining and withdrawing stay open: they reveal nothing and let either side step back.
        if (action === 'interested') await refuseInterest(principal, job, candidate);
      } catch (error) {
        // Read before the step's lock, a refusal may come from a pair deleted meanwhile (its
        // introduction or answers gone with it): then the pair is gone, as applyStep would find.
        if (mayBeDeletion(error) && !(await pairExists(principal.workspaceId, jobId, candidateId)))
          throw notFound(`The pair of job ${jobId} and candidate ${candidateId}`);
        throw error;
      }
      const saved = await applyStep(db, principal, { jobId, candidateId }, side, action);
      return { introduction: view(saved) };
    },
  );

  app.get(
    '/v1/jobs/:jobId/introductions/:candidateId',
    {
      config: { roles: ['admin', 'employer', 'candidate'] },
      schema: {
        operationId: 'getIntroduction',
        tags,
        summary:
          "A pair's introduction; once mutual, the employer side sees the candidate's contact and the candidate side the employer's",
        params: pairParams,
        querystring: viewQuery,
        response: { 200: introductionResponse, ...errors },
      },
    },
    async (request) => {
      const { jobId, candidateId } = request.params;
      const { principal, job, candidate } = await reachPair(request, jobId, candidateId);
      const side = viewingSide(principal, request.query.side);
      const row = await findIntroduction(db, principal.workspaceId, jobId, candidateId);
      if (!row) throw notFound(`The introduction of job ${jobId} and candidate ${candidateId}`);
      // While a candidate is paused, no contact goes either way, even for a mutual introduction.
      if (row.status !== 'mutual' || candidate.paused) return { introduction: view(row) };
      const pair = { jobId, candidateId };
      if (side === 'employer') {
        const read = await readContact(principal, pair, 'employer', (tx) =>
          findContact(tx, principal.workspaceId, candidateId),
        );
        return { introduction: view(read.row, { contact: read.found }) };
      }
      const read = await readContact(principal, pair, 'candidate', (tx) =>
        findEmployerContact(tx, principal.workspaceId, job.employerId),
      );
      return { introduction: view(read.row, { employerContact: read.found }) };
    },
  );

  app.get(
    '/v1/jobs/:jobId/introductions',
    {
      config: { roles: ['admin', 'employer'] },
      schema: {
        operationId: 'listJobIntroductions',
        tags,
        summary: 'The introductions of a job, oldest first',
        params: z.object({ jobId: z.uuid() }),
        querystring: listQuery,
        response: { 200: introductionList, ...errors },
      },
    },
    async (request) => {
      const scope = employerScope(request);
      const { jobId } = request.params;
      const job = await findJob(db, scope.workspaceId, jobId);
      if (!job) throw notFound(`Job ${jobId}`);
      assertOwnEmployer(scope, job.employerId, `Job ${jobId}`);
      const { limit, cursor } = request.query;
      const list = listOf('/v1/jobs/:jobId/introductions', {
        workspaceId: scope.workspaceId,
        jobId,
        unhiddenFrom: scope.employerId,
      });
      const rows = await listIntroductions(
        db,
        scope.workspaceId,
        { jobId, ...(scope.employerId ? { unhiddenFrom: scope.employerId } : {}) },
        { limit, after: decodeCursor(cursor, list) },
      );
      const page = toPage(rows, limit, list);
      return { introductions: page.items.map((row) => view(row)), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/candidates/:candidateId/introductions',
    {
      config: { roles: ['admin', 'candidate'] },
      schema: {
        operationId: 'listCandidateIntroductions',
        tags,
        summary: 'The introductions of a candidate, oldest first',
        params: z.object({ candidateId: z.uuid() }),
        querystring: listQuery,
        response: { 200: introductionList, ...errors },
      },
    },
    async (request) => {
      const scope = candidateScope(request);
      const { candidateId } = request.params;
      assertOwnCandidate(scope, candidateId);
      const candidate = await findCandidate(db, scope.workspaceId, candidateId);
      if (!candidate) throw notFound(`Candidate ${candidateId}`);
      const { limit, cursor } = request.query;
      const list = listOf('/v1/candidates/:candidateId/introductions', {
        workspaceId: scope.workspaceId,
        candidateId,
      });
      const rows = await listIntroductions(
        db,
        scope.workspaceId,
        { candidateId },
        { limit, after: decodeCursor(cursor, list) },
      );
      const page = toPage(rows, limit, list);
      const facts = await jobFactsOf(
        db,
        scope.workspaceId,
        page.items.map((row) => row.jobId),
      );
      return {
        introductions: page.items.map((row) => view(row, { job: facts.get(row.jobId) })),
        nextCursor: page.nextCursor,
      };
    },
  );
};
