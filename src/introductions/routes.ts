import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assertOwnCandidate, assertOwnEmployer, candidateScope, employerScope } from '../auth/access.ts';
import { requireRole } from '../auth/plugin.ts';
import type { WorkspacePrincipal } from '../auth/principal.ts';
import type { Db, Tx } from '../db/client.ts';
import { notFound, problemSchema } from '../http/errors.ts';
import { decodeCursor, listOf, toPage } from '../http/pagination.ts';
import {
  type EmployerContactRow,
  findEmployerContact,
  type JobFacts,
  jobFactsOf,
} from '../profiles/employer-contacts.ts';
import { type ContactRow, findCandidate, findContact, findJob } from '../profiles/repository.ts';
import type { QuestionnaireCatalog } from '../questionnaires/loader.ts';
import { pairNotFound, reaches, viewingSide } from './checks.ts';
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
import { applyStep } from './service.ts';
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

export const introductionRoutes: FastifyPluginAsyncZod<{
  db: Db;
  questionnaires: QuestionnaireCatalog;
}> = async (app, { db, questionnaires }) => {
  /** The job and candidate of a pair the caller may see; anything else is a 404. */
  async function reachPair(request: FastifyRequest, jobId: string, candidateId: string) {
    const principal = requireRole(request, 'admin', 'employer', 'candidate');
    const [job, candidate, introduction] = await Promise.all([
      findJob(db, principal.workspaceId, jobId),
      findCandidate(db, principal.workspaceId, candidateId),
      findIntroduction(db, principal.workspaceId, jobId, candidateId),
    ]);
    if (
      !job ||
      !candidate ||
      !reaches(principal, { job, candidate, hasIntroduction: introduction !== undefined })
    ) {
      throw pairNotFound(jobId, candidateId);
    }
    return { principal, job, candidate, introduction };
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
      const principal = requireRole(request, 'admin', 'employer', 'candidate');
      const saved = await applyStep(db, questionnaires, principal, request.params, {
        side: request.body.side,
        action: request.body.action,
      });
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
      const { principal, job, candidate, introduction: row } = await reachPair(request, jobId, candidateId);
      const side = viewingSide(principal, request.query.side);
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
