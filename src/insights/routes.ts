import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { findAnswerSet } from '../answers/repository.ts';
import { resolveAnswers } from '../answers/resolve.ts';
import { assertOwnCandidate, assertOwnEmployer, candidateScope, employerScope } from '../auth/access.ts';
import type { Db } from '../db/client.ts';
import { AppError, noAnswers, notFound, problemSchema } from '../http/errors.ts';
import { idParam } from '../http/params.ts';
import { InsightsBusy, type InsightsPool } from '../matching/engine/insights-pool.ts';
import type { IndexSide, MatchIndex } from '../matching/index.ts';
import { scoreMethodOf } from '../matching/repository.ts';
import { findCandidate, findJob } from '../profiles/repository.ts';
import type { QuestionnaireCatalog } from '../questionnaires/loader.ts';
import { insightsResponse, whatIfBody } from './schemas.ts';
import { type InsightsSubject, insightsOf } from './service.ts';

/**
 * A job's counts over a handful of candidates describe people: with one candidate, a few what-ifs
 * read her answers back, whether or not she would ever match the job. Candidates' counts of jobs
 * describe no person and have no minimum.
 */
function tooFewCandidates(minimum: number): AppError {
  return new AppError(
    'too_few_candidates',
    `A job's insights count candidates only when at least ${minimum} can be counted (those that answered its questionnaire version, are not paused and do not hide from its employer), so that no count describes one person; this job has fewer.`,
    { extra: { minimum } },
  );
}

/** What a client is told to wait when insights passes are queued up. */
const BUSY_RETRY_SECONDS = 1;

const tags = ['insights'];
const errors = { 400: problemSchema, 404: problemSchema, 409: problemSchema, 429: problemSchema };

/**
 * GET and POST (what-if) /v1/{jobs|candidates}/{id}/insights: docs/matching.md#insights-and-what-if.
 * Reach is the answers' owner roles: admin, the job's employer, the candidate itself; else 404.
 */
export const insightsRoutes: FastifyPluginAsyncZod<{
  db: Db;
  index: MatchIndex;
  pool: InsightsPool;
  questionnaires: QuestionnaireCatalog;
  /** INSIGHTS_MIN_CANDIDATES */
  minCandidates: number;
}> = async (app, { db, index, pool, questionnaires, minCandidates }) => {
  /** The stored subject, within the caller's reach, with its answers; 409 no_answers when it has not answered. */
  async function stored(
    request: Parameters<typeof employerScope>[0],
    side: IndexSide,
    id: string,
  ): Promise<{ workspaceId: string; subject: InsightsSubject }> {
    let workspaceId: string;
    let minScore: number;
    let employerId: string | undefined;
    if (side === 'job') {
      const scope = employerScope(request);
      const job = await findJob(db, scope.workspaceId, id);
      if (!job) throw notFound(`Job ${id}`);
      assertOwnEmployer(scope, job.employerId, `Job ${id}`);
      ({ workspaceId } = scope);
      minScore = job.minScore;
      employerId = job.employerId;
    } else {
      const scope = candidateScope(request);
      assertOwnCandidate(scope, id);
      const candidate = await findCandidate(db, scope.workspaceId, id);
      if (!candidate) throw notFound(`Candidate ${id}`);
      ({ workspaceId } = scope);
      minScore = candidate.minScore;
    }
    const answers = await findAnswerSet(
      db,
      workspaceId,
      side === 'job' ? { jobId: id } : { candidateId: id },
    );
    if (!answers) throw noAnswers(side, id);
    const { questionnaireId, questionnaireVersion } = answers;
    return {
      workspaceId,
      subject: {
        side,
        id,
        minScore,
        employerId,
        answers: { questionnaireId, questionnaireVersion, answers: answers.answers },
      },
    };
  }

  async function answer(reply: FastifyReply, workspaceId: string, subject: InsightsSubject) {
    try {
      const method = await scoreMethodOf(db, workspaceId);
      const insights = await insightsOf(index, pool, workspaceId, subject, method);
      if (subject.side === 'job' && insights.others < minCandidates) throw tooFewCandidates(minCandidates);
      return { insights };
    } catch (error) {
      if (!(error instanceof InsightsBusy)) throw error;
      reply.header('Retry-After', String(BUSY_RETRY_SECONDS));
      throw new AppError('rate_limited', 'Too many insights are being computed or waiting; retry later.');
    }
  }

  /** The stored answers with the what-if overrides merged on, validated like a PUT of answers (422 names every bad criterion). */
  function withOverrides(subject: InsightsSubject, body: z.output<typeof whatIfBody>): InsightsSubject {
    const { questionnaireId, questionnaireVersion } = subject.answers;
    const criteria = new Set(
      questionnaires.get(questionnaireId, questionnaireVersion)?.criteria.map((c) => c.id),
    );
    const merged: Record<string, unknown> = { ...subject.answers.answers };
    for (const [criterionId, override] of Object.entries(body.answers)) {
      // null removes an answer; null on an id that is no criterion stays, so that validation names it.
      if (override === null && criteria.has(criterionId)) delete merged[criterionId];
      else merged[criterionId] = override;
    }
    const resolved = resolveAnswers(questionnaires, {
      questionnaireId,
      questionnaireVersion,
      answers: merged,
    });
    if (!resolved.ok) throw new AppError('invalid_answers', resolved.detail, { errors: resolved.errors });
    return { ...subject, minScore: body.minScore ?? subject.minScore, answers: resolved.value };
  }

  for (const side of ['job', 'candidate'] as const) {
    const path = side === 'job' ? '/v1/jobs/:id/insights' : '/v1/candidates/:id/insights';
    const roles: ('admin' | 'employer' | 'candidate')[] =
      side === 'job' ? ['admin', 'employer'] : ['admin', 'candidate'];
    const who = side === 'job' ? 'a job' : 'a candidate';
    const Side = side === 'job' ? 'Job' : 'Candidate';
    app.get(
      path,
      {
        config: { roles },
        schema: {
          operationId: `get${Side}Insights`,
          tags,
          summary: `Expectation insights of ${who}: who its answers rule out and what one change would open`,
          params: idParam,
          response: { 200: insightsResponse, ...errors },
        },
      },
      async (request, reply) => {
        const { workspaceId, subject } = await stored(request, side, request.params.id);
        return answer(reply, workspaceId, subject);
      },
    );
    app.post(
      path,
      {
        config: { roles },
        schema: {
          operationId: `whatIf${Side}Insights`,
          tags,
          summary: `What-if insights of ${who}: its stored answers with overrides merged on; nothing is stored`,
          params: idParam,
          body: whatIfBody,
          response: { 200: insightsResponse, ...errors, 422: problemSchema },
        },
      },
      async (request, reply) => {
        const { workspaceId, subject } = await stored(request, side, request.params.id);
        return answer(reply, workspaceId, withOverrides(subject, request.body));
      },
    );
  }
};
