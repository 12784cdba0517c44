import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireRole } from '../auth/plugin.ts';
import type { Db } from '../db/client.ts';
import { AppError, notFound, problemSchema } from '../http/errors.ts';
import { recordAudit } from '../matching/audit.ts';
import type { MatchIndex } from '../matching/index.ts';
import { scoreMethodOf } from '../matching/repository.ts';
import { enqueueEvent } from '../webhooks/events.ts';
import { countBlockingPairs } from './blocking-pairs.ts';
import { allocate } from './deferred-acceptance.ts';
import { preferencesFromMatches } from './preferences.ts';
import { findAllocation, insertAllocation, openJobsWithCapacity } from './repository.ts';
import type { AllocationInput } from './types.ts';
import { validateAllocationInput } from './validate.ts';

/** Jobs one `source: "matches"` request may take (each job is one scan of the candidates). */
const MAX_MATCH_JOBS = 500;

/** The most candidates (and jobs, and preferences in one list) one allocation takes. */
const MAX_PARTIES = 200_000;

const freeId = z.string().min(1).max(64);
const preferences = z.array(freeId).max(MAX_PARTIES);
const allocationBody = z.union([
  z
    .strictObject({
      source: z.literal('matches'),
      jobIds: z.array(z.uuid()).min(1).max(MAX_MATCH_JOBS).optional(),
      candidateIds: z.array(z.uuid()).min(1).max(MAX_PARTIES).optional(),
    })
    .describe('Preferences from the one-sided satisfactions over reciprocally acceptable pairs of open jobs'),
  z
    .strictObject({
      candidates: z.array(z.strictObject({ id: freeId, preferences })).max(MAX_PARTIES),
      jobs: z
        .array(
          z.strictObject({
            id: freeId,
            capacity: z.number().int().min(0).max(MAX_PARTIES),
            preferences,
          }),
        )
        .max(MAX_PARTIES),
    })
    .describe('Explicit preferences with free string ids, most preferred first'),
]);

const allocationView = z
  .object({
    id: z.uuid(),
    createdAt: z.date(),
    source: z.enum(['matches', 'explicit']),
    assignments: z.array(z.object({ jobId: freeId, candidateId: freeId })).max(MAX_PARTIES),
    unassigned: z.array(freeId).max(MAX_PARTIES).describe('Candidates with no job'),
    blockingPairs: z
      .number()
      .int()
      .min(0)
      .describe('Counted by a check independent of the algorithm; always 0'),
  })
  .meta({ id: 'Allocation' });

export const allocationRoutes: FastifyPluginAsyncZod<{
  db: Db;
  index: MatchIndex;
  bodyLimit: number;
}> = async (app, { db, index, bodyLimit }) => {
  app.post(
    '/v1/allocations',
    {
      bodyLimit,
      schema: {
        operationId: 'createAllocation',
        tags: ['allocation'],
        summary:
          'Stable assignment of candidates to jobs within capacities (candidate-proposing deferred acceptance)',
        body: allocationBody,
        response: {
          201: z.object({ allocation: allocationView }),
          400: problemSchema,
          404: problemSchema,
          422: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const principal = requireRole(request, 'admin');
      const body = request.body;
      let input: AllocationInput;
      if ('source' in body) {
        const jobs = await openJobsWithCapacity(db, principal.workspaceId, body.jobIds);
        if (jobs.length > MAX_MATCH_JOBS) {
          throw new AppError(
            'invalid_input',
            `This workspace has ${jobs.length} open jobs; name at most ${MAX_MATCH_JOBS} in jobIds.`,
            {
              errors: [
                {
                  path: 'body.jobIds',
                  message: `required when there are more than ${MAX_MATCH_JOBS} open jobs`,
                },
              ],
            },
          );
        }
        const method = await scoreMethodOf(db, principal.workspaceId);
        const only = body.candidateIds ? new Set(body.candidateIds) : undefined;
        input = preferencesFromMatches(index, principal.workspaceId, jobs, method, only);
        if (input.candidates.length > MAX_PARTIES) {
          throw new AppError(
            'invalid_input',
            `${input.candidates.length} candidates have acceptable pairs; name at most ${MAX_PARTIES} in candidateIds.`,
            { errors: [{ path: 'body.candidateIds', message: `required above ${MAX_PARTIES} candidates` }] },
          );
        }
      } else {
        input = body;
        const problems = validateAllocationInput(input);
        if (problems.length > 0) {
          throw new AppError(
            'invalid_input',
            `The allocation input has ${problems.length} problem(s): ${problems[0]!.message}`,
            {
              errors: problems.map((p) => ({ path: p.path ? `body.${p.path}` : 'body', message: p.message })),
            },
          );
        }
      }
      const result = allocate(input);
      const blockingPairs = countBlockingPairs(input, result);
      const allocation = await db.transaction(async (tx) => {
        const stored = await insertAllocation(tx, {
          workspaceId: principal.workspaceId,
          source: 'source' in body ? 'matches' : 'explicit',
          assignments: result.assignments,
          unassigned: result.unassigned,
          blockingPairs,
        });
        await enqueueEvent(tx, principal.workspaceId, 'allocation.completed', {
          allocationId: stored.id,
          assigned: result.assignments.length,
          unassigned: result.unassigned.length,
        });
        return stored;
      });
      await recordAudit(db, principal, {
        action: 'allocation',
        subjectId: allocation.id,
        resultIds: result.assignments
          .map((a) => a.candidateId)
          .filter((id) => z.uuid().safeParse(id).success),
      });
      return reply.code(201).send({ allocation });
    },
  );

  app.get(
    '/v1/allocations/:id',
    {
      schema: {
        operationId: 'getAllocation',
        tags: ['allocation'],
        summary: 'A stored allocation',
        params: z.object({ id: z.uuid() }),
        response: { 200: z.object({ allocation: allocationView }), 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const { workspaceId } = requireRole(request, 'admin');
      const allocation = await findAllocation(db, workspaceId, request.params.id);
      if (!allocation) throw notFound(`Allocation ${request.params.id}`);
      return { allocation };
    },
  );
};
