import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MarketWrites } from '../alerts/service.ts';
import { assertOwnCandidate, assertOwnEmployer, candidateScope, employerScope } from '../auth/access.ts';
import type { Db } from '../db/client.ts';
import { AppError, notFound, problemSchema } from '../http/errors.ts';
import { idParam } from '../http/params.ts';
import { answerMap } from '../http/schema-parts.ts';
import type { ProfileSync } from '../matching/profile-sync.ts';
import { findCandidate, findJob } from '../profiles/repository.ts';
import { MAX_CRITERIA } from '../questionnaires/definition.ts';
import type { QuestionnaireCatalog } from '../questionnaires/loader.ts';
import { findAnswerSet, type Subject, upsertAnswerSets } from './repository.ts';
import { resolveAnswers } from './resolve.ts';

const answersBody = z.strictObject({
  questionnaireId: z.string().max(64),
  questionnaireVersion: z.number().int().min(1).optional().describe('Defaults to the latest version'),
  answers: answerMap(MAX_CRITERIA).describe(
    'criterionId → { value?, accept?, importance }. single: value optionId, accept [optionId]; multi: value [optionId], accept { mode: any|all, options }; scale: value step, accept { min, max }; number: value, accept { min?, max? }; date: value YYYY-MM-DD, accept { from?, to? }; profile: value [1..5 per dimension]. importance: irrelevant|little|somewhat|very|dealbreaker. Criteria left out are unanswered; the set replaces the stored one.',
  ),
});

const answersView = z
  .object({
    questionnaireId: z.string().max(64),
    questionnaireVersion: z.number().int().min(1),
    answers: answerMap(MAX_CRITERIA),
    updatedAt: z.date(),
  })
  .meta({ id: 'AnswerSet' });

const answersResponse = z.object({ answers: answersView });

export const answerRoutes: FastifyPluginAsyncZod<{
  db: Db;
  questionnaires: QuestionnaireCatalog;
  sync: ProfileSync;
  alerts: MarketWrites;
}> = async (app, { db, questionnaires, sync, alerts }) => {
  async function jobSubject(request: Parameters<typeof employerScope>[0], id: string) {
    const scope = employerScope(request);
    const job = await findJob(db, scope.workspaceId, id);
    if (!job) throw notFound(`Job ${id}`);
    assertOwnEmployer(scope, job.employerId, `Job ${id}`);
    return { workspaceId: scope.workspaceId, subject: { jobId: id } as Subject };
  }

  async function candidateSubject(request: Parameters<typeof candidateScope>[0], id: string) {
    const scope = candidateScope(request);
    assertOwnCandidate(scope, id);
    if (!(await findCandidate(db, scope.workspaceId, id))) throw notFound(`Candidate ${id}`);
    return { workspaceId: scope.workspaceId, subject: { candidateId: id } as Subject };
  }

  async function read({ workspaceId, subject }: { workspaceId: string; subject: Subject }, what: string) {
    const answers = await findAnswerSet(db, workspaceId, subject);
    if (!answers) throw new AppError('not_found', `${what} has no answers`);
    return { answers };
  }

  async function write(
    { workspaceId, subject }: { workspaceId: string; subject: Subject },
    body: z.output<typeof answersBody>,
  ) {
    const resolved = resolveAnswers(questionnaires, body);
    if (!resolved.ok) {
      throw new AppError('invalid_answers', resolved.detail, { errors: resolved.errors });
    }
    const side = subject.jobId !== undefined ? 'job' : 'candidate';
    const [packed] = sync.pack([resolved.value]);
    const id = subject.jobId ?? subject.candidateId!;
    const [answers] = await alerts.write(db, workspaceId, side, async (tx) => ({
      value: await upsertAnswerSets(tx, [{ workspaceId, ...subject, ...resolved.value, ...packed }], side),
      ids: [id],
    }));
    await sync.refresh(workspaceId, side, [id]);
    return { answers: answers! };
  }

  const common = { tags: ['answers'], params: idParam };
  const readResponses = { 200: answersResponse, 400: problemSchema, 404: problemSchema };
  const writeResponses = { ...readResponses, 422: problemSchema };

  app.get(
    '/v1/jobs/:id/answers',
    {
      config: { roles: ['admin', 'employer'] },
      schema: {
        ...common,
        operationId: 'getJobAnswers',
        summary: "The job's answers",
        response: readResponses,
      },
    },
    async (request) => read(await jobSubject(request, request.params.id), `Job ${request.params.id}`),
  );

  app.put(
    '/v1/jobs/:id/answers',
    {
      config: { roles: ['admin', 'employer'] },
      schema: {
        ...common,
        operationId: 'putJobAnswers',
        summary: "Replace the job's whole answer set; 422 lists every invalid criterion",
        body: answersBody,
        response: writeResponses,
      },
    },
    async (request) => write(await jobSubject(request, request.params.id), request.body),
  );

  app.get(
    '/v1/candidates/:id/answers',
    {
      config: { roles: ['admin', 'candidate'] },
      schema: {
        ...common,
        operationId: 'getCandidateAnswers',
        summary: "The candidate's answers",
        response: readResponses,
      },
    },
    async (request) =>
      read(await candidateSubject(request, request.params.id), `Candidate ${request.params.id}`),
  );

  app.put(
    '/v1/candidates/:id/answers',
    {
      config: { roles: ['admin', 'candidate'] },
      schema: {
        ...common,
        operationId: 'putCandidateAnswers',
        summary: "Replace the candidate's whole answer set; 422 lists every invalid criterion",
        body: answersBody,
        response: writeResponses,
      },
    },
    async (request) => write(await candidateSubject(request, request.params.id), request.body),
  );
};
