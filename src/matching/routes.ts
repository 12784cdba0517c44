import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { resolveAnswers } from '../answers/resolve.ts';
import { assertOwnCandidate, candidateScope } from '../auth/access.ts';
import { requireRole } from '../auth/plugin.ts';
import type { WorkspacePrincipal } from '../auth/principal.ts';
import type { Db } from '../db/client.ts';
import { AppError, noAnswers, notFound, problemSchema } from '../http/errors.ts';
import { candidatePaused, hidesFrom } from '../profiles/candidate-privacy.ts';
import { type JobFacts, jobFactsOf } from '../profiles/employer-contacts.ts';
import type { QuestionnaireCatalog } from '../questionnaires/loader.ts';
import { listingRecorder, recordAudit } from './audit.ts';
import { explainAnswerSets, readStoredPair } from './explain-stored.ts';
import type { IndexSide, MatchIndex, MatchList } from './index.ts';
import { scoreMethodOf } from './repository.ts';
import {
  adHocBody,
  adHocMatches,
  candidateMatches,
  decodeRankCursor,
  encodeRankCursor,
  explanation,
  jobMatches,
  matchesQuery,
} from './schemas.ts';
import { DEFAULT_SCORE_METHOD, type ScoreMethod } from './types.ts';

const tags = ['matching'];
const errors = { 400: problemSchema, 404: problemSchema };

export const matchingRoutes: FastifyPluginAsyncZod<{
  db: Db;
  index: MatchIndex;
  questionnaires: QuestionnaireCatalog;
}> = async (app, { db, index, questionnaires }) => {
  const recordListing = listingRecorder(db);
  /**
   * Listings this process is answering. A lone one is ranked on the request's thread (split with
   * the rank threads in a large market): handing it to a rank thread would only add the hand-over
   * to its latency. With others in flight, the event loop has work to do meanwhile: it is queued
   * whole for a rank thread, however large (a split's extra CPU only pays when a core would idle),
   * and ranked by whichever of that thread and the request's is free first (matchesOfAway).
   */
  let listingsInFlight = 0;
  /** Each workspace's score method as last seen; every record checks it, so a stale one costs a re-rank only. */
  const scoreMethods = new Map<string, ScoreMethod>();

  /**
   * One page of a subject's listing, with its audit record. The page is ranked first, from the
   * index; then one statement (shared with concurrent listings) checks the subject in the
   * database and records the page, so a listing costs no query of its own. Rows the database no
   * longer has (a replica's index can miss a deletion or an erasure for a moment) are left out,
   * and the index is mended.
   */
  async function listing(
    request: FastifyRequest,
    principal: WorkspacePrincipal,
    side: IndexSide,
    subjectId: string,
    ownerEmployerId?: string,
  ) {
    listingsInFlight++;
    try {
      return await listingOnce(request, principal, side, subjectId, ownerEmployerId);
    } finally {
      listingsInFlight--;
    }
  }

  async function listingOnce(
    request: FastifyRequest,
    principal: WorkspacePrincipal,
    side: IndexSide,
    subjectId: string,
    ownerEmployerId?: string,
  ) {
    const { limit, cursor } = request.query as z.output<typeof matchesQuery>;
    const { workspaceId } = principal;
    const otherSide = side === 'job' ? 'candidate' : 'job';
    for (let attempt = 1; ; attempt++) {
      const method = scoreMethods.get(workspaceId) ?? DEFAULT_SCORE_METHOD;
      const rankRequest = { limit, after: decodeRankCursor(cursor, subjectId), method };
      const list =
        listingsInFlight > 1
          ? await index.matchesOfAway(workspaceId, side, subjectId, rankRequest)
          : index.matchesOf(workspaceId, side, subjectId, rankRequest);
      const listed = list?.rows ?? [];
      const outcome = await recordListing({
        principal,
        side,
        subjectId,
        ownerEmployerId,
        method,
        questionnaireId: list?.questionnaireId,
        questionnaireVersion: list?.questionnaireVersion,
        listed: listed.map((r) => r.id),
      });
      scoreMethods.set(workspaceId, outcome.scoreMethod);
      if (!outcome.found) throw notFound(side === 'job' ? `Job ${subjectId}` : `Candidate ${subjectId}`);
      if (outcome.paused) throw candidatePaused(subjectId, 'no matches');
      // Not an empty listing: that would look like a market without matches.
      if (!outcome.answered) throw noAnswers(side, subjectId);
      const present = outcome.present;
      if (!present) {
        // The workspace's score method changed since this process last saw it: rank again.
        if (attempt < 3) continue;
        throw new Error(`the score method of workspace ${workspaceId} kept changing during a listing`);
      }
      const rows = listed.filter((r) => present.has(r.id));
      const gone = listed.filter((r) => !present.has(r.id)).map((r) => r.id);
      if (gone.length > 0) index.touches.touch(gone)();
      for (const id of gone) index.remove(workspaceId, otherSide, id);
      const last = rows.at(-1);
      return {
        rows,
        nextCursor: list?.hasMore && last ? encodeRankCursor(last.score, last.id, subjectId) : null,
      };
    }
  }

  app.get(
    '/v1/jobs/:id/matches',
    {
      config: { roles: ['admin', 'employer'] },
      schema: {
        operationId: 'listJobMatches',
        tags,
        summary:
          'Reciprocally acceptable candidates for an open job, best first (409 no_answers before the job has answered)',
        params: z.object({ id: z.uuid() }),
        querystring: matchesQuery,
        response: { 200: jobMatches, ...errors, 409: problemSchema },
      },
    },
    async (request) => {
      const principal = requireRole(request, 'admin', 'employer');
      const owner = principal.role === 'employer' ? principal.employerId : undefined;
      // Another employer's job is refused before it is ranked (the audit statement checks again).
      const indexedEmployer = owner && index.employerOfJob(principal.workspaceId, request.params.id);
      if (indexedEmployer && indexedEmployer !== owner) throw notFound(`Job ${request.params.id}`);
      const { rows, nextCursor } = await listing(request, principal, 'job', request.params.id, owner);
      return { matches: rows.map(asCandidateMatch), nextCursor };
    },
  );

  app.get(
    '/v1/candidates/:id/matches',
    {
      config: { roles: ['admin', 'candidate'] },
      schema: {
        operationId: 'listCandidateMatches',
        tags,
        summary:
          'Reciprocally acceptable open jobs for a candidate, best first (409 candidate_paused while paused, no_answers before it has answered)',
        params: z.object({ id: z.uuid() }),
        querystring: matchesQuery,
        response: { 200: candidateMatches, ...errors, 409: problemSchema },
      },
    },
    async (request) => {
      const scope = candidateScope(request);
      assertOwnCandidate(scope, request.params.id);
      const principal = requireRole(request, 'admin', 'candidate');
      const { rows, nextCursor } = await listing(request, principal, 'candidate', request.params.id);
      return { matches: await withJobFacts(db, principal.workspaceId, rows), nextCursor };
    },
  );

  app.get(
    '/v1/jobs/:jobId/matches/:candidateId',
    {
      config: { roles: ['admin', 'employer', 'candidate'] },
      schema: {
        operationId: 'explainMatch',
        tags,
        summary: 'Why a pair scores as it does (also for pairs that are not acceptable)',
        params: z.object({ jobId: z.uuid(), candidateId: z.uuid() }),
        response: { 200: z.object({ explanation }), ...errors, 409: problemSchema },
      },
    },
    async (request) => {
      const principal = requireRole(request, 'admin', 'employer', 'candidate');
      const { jobId, candidateId } = request.params;
      const { workspaceId } = principal;
      const pair = await readStoredPair(db, workspaceId, jobId, candidateId);
      const job = pair?.job;
      const candidate = pair?.candidate;
      const reachable =
        job &&
        (principal.role === 'admin' ||
          (principal.role === 'employer' && principal.employerId === job.employerId) ||
          (principal.role === 'candidate' && principal.candidateId === candidateId));
      // A hidden pair is no pair, for every caller; a paused candidate is not there for employers.
      if (!reachable || !candidate || hidesFrom(candidate, job.employerId)) {
        throw notFound(`The pair of job ${jobId} and candidate ${candidateId}`);
      }
      if (candidate.paused) {
        if (principal.role === 'employer')
          throw notFound(`The pair of job ${jobId} and candidate ${candidateId}`);
        throw candidatePaused(candidateId, 'no explanations');
      }
      const explanation = explainAnswerSets(
        questionnaires,
        { ...job, answerSet: pair.jobAnswers },
        { ...candidate, answerSet: pair.candidateAnswers },
        pair.scoreMethod,
      );
      await recordAudit(db, principal, {
        action: 'matches.explain',
        subjectId: jobId,
        questionnaireId: explanation.questionnaireId,
        questionnaireVersion: explanation.questionnaireVersion,
        resultIds: [candidateId],
      });
      return { explanation };
    },
  );

  app.post(
    '/v1/match',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'matchAdHoc',
        tags,
        summary: 'Match answers that are not stored against the stored other side; nothing is kept',
        body: adHocBody,
        response: { 200: adHocMatches, ...errors, 422: problemSchema },
      },
    },
    async (request) => {
      const principal = requireRole(request, 'admin');
      const { side, limit, minScore, ...input } = request.body;
      const resolved = resolveAnswers(questionnaires, input);
      if (!resolved.ok) throw new AppError('invalid_answers', resolved.detail, { errors: resolved.errors });
      const method = await scoreMethodOf(db, principal.workspaceId);
      const list = index.matchesOfAdHoc(
        principal.workspaceId,
        side,
        { id: '00000000-0000-4000-8000-000000000000', minScore, answers: resolved.value },
        { limit, method },
      );
      await recordAudit(db, principal, {
        action: 'matches.adhoc',
        questionnaireId: list.questionnaireId,
        questionnaireVersion: list.questionnaireVersion,
        resultIds: list.rows.map((r) => r.id),
      });
      // The answers describe a job: its matches are candidates; a candidate: open jobs.
      return {
        matches:
          side === 'job'
            ? list.rows.map(asCandidateMatch)
            : await withJobFacts(db, principal.workspaceId, list.rows),
      };
    },
  );
};

type ListedRow = MatchList['rows'][number];

/** A candidate row of a job's ranking (the job is the subject), as the API names its fields. */
function asCandidateMatch(r: ListedRow) {
  return {
    candidateId: r.id,
    score: r.score,
    scoreLower: r.scoreLower,
    employerSatisfaction: r.subjectSatisfaction,
    candidateSatisfaction: r.otherSatisfaction,
  };
}

/**
 * The job rows of a candidate's ranking (the candidate is the subject), as the API names their
 * fields, with what each job's ad shows: one query for the page. A job deleted meanwhile is left out.
 */
async function withJobFacts(db: Db, workspaceId: string, rows: ListedRow[]) {
  const facts = await jobFactsOf(
    db,
    workspaceId,
    rows.map((r) => r.id),
  );
  return rows.flatMap((r) => {
    const job = facts.get(r.id);
    return job ? [asJobMatch(r, job)] : [];
  });
}

function asJobMatch(r: ListedRow, job: JobFacts) {
  return {
    jobId: r.id,
    employerId: r.employerId!,
    job,
    score: r.score,
    scoreLower: r.scoreLower,
    candidateSatisfaction: r.subjectSatisfaction,
    employerSatisfaction: r.otherSatisfaction,
  };
}
