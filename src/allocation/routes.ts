import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireRole } from '../auth/plugin.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { passErasureGate } from '../db/erasure-gate.ts';
import { AppError, notFound, problemSchema } from '../http/errors.ts';
import { recordAudit } from '../matching/audit.ts';
import type { MatchIndex } from '../matching/index.ts';
import { scoreMethodOf } from '../matching/repository.ts';
import { enqueueEvent } from '../webhooks/events.ts';
import type { AllocationTask } from './allocation-thread.ts';
import { encodeInput } from './encoding.ts';
import { AllocationSlots, AllocationsBusy } from './off-thread.ts';
import { preferencesFromMatches } from './preferences.ts';
import {
  existingCandidateIds,
  findAllocation,
  insertAllocation,
  openJobsWithCapacity,
} from './repository.ts';

/** Jobs one `source: "matches"` request may take (each job is one scan of the candidates). */
const MAX_MATCH_JOBS = 500;
/**
 * Allocation bodies are parsed and checked against the schema on the event loop before the
 * allocation thread takes over: this keeps that to about a tenth of a second (ids of
 * `source: "matches"`, at most 200,000 UUIDs, fit well within it).
 */
const ALLOCATION_BODY_LIMIT = 16 * 1024 * 1024;
/** What a client is told to wait when allocations are queued up. */
const BUSY_RETRY_SECONDS = 5;

function tooManyJobs(count: number): AppError {
  return new AppError(
    'invalid_input',
    `This workspace has ${count} open jobs; name at most ${MAX_MATCH_JOBS} in jobIds.`,
    {
      errors: [
        { path: 'body.jobIds', message: `required when there are more than ${MAX_MATCH_JOBS} open jobs` },
      ],
    },
  );
}

/**
 * Every job named in `jobIds` must be an open job of the workspace: one that is not (closed,
 * missing, or another workspace's, which reads the same) would silently leave the allocation.
 */
function assertOpenJobs(jobIds: string[], open: { id: string }[]): void {
  const found = new Set(open.map((job) => job.id));
  const errors = jobIds.flatMap((id, k) =>
    found.has(id)
      ? []
      : [{ path: `body.jobIds[${k}]`, message: `${id} is not an open job of this workspace` }],
  );
  if (errors.length === 0) return;
  throw new AppError(
    'invalid_input',
    `${errors.length} of the jobIds ${errors.length === 1 ? 'is' : 'are'} not an open job of this workspace: ${errors[0]!.message}`,
    { errors },
  );
}

/** The most candidates (and jobs, and preferences in one list) one allocation takes. */
const MAX_PARTIES = 200_000;

const freeId = z.string().min(1).max(64);
const preferences = z.array(freeId).max(MAX_PARTIES);
const allocationBody = z.union(
  [
    z
      .strictObject({
        source: z.literal('matches'),
        jobIds: z.array(z.uuid()).min(1).max(MAX_MATCH_JOBS).optional(),
        candidateIds: z.array(z.uuid()).min(1).max(MAX_PARTIES).optional(),
      })
      .describe(
        'Preferences from the one-sided satisfactions over reciprocally acceptable pairs of open jobs',
      ),
    z
      .strictObject({
        candidates: z.array(z.strictObject({ id: freeId, preferences })).max(MAX_PARTIES),
        jobs: z
          .array(
            z.strictObject({
              id: freeId,
              capacity: z
                .number()
                .int()
                .min(0)
                .max(MAX_PARTIES)
                .describe('Places this round; 0 is a job with no place left, which takes nobody'),
              preferences,
            }),
          )
          .max(MAX_PARTIES),
      })
      .describe('Explicit preferences with free string ids, most preferred first'),
  ],
  { error: 'is either { source: "matches", jobIds?, candidateIds? } or explicit { candidates, jobs }' },
);

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
  const slots = new AllocationSlots();
  app.addHook('onClose', async () => slots.close());

  app.post(
    '/v1/allocations',
    {
      config: {
        roles: ['admin'],
        bodyLimitSource:
          bodyLimit <= ALLOCATION_BODY_LIMIT
            ? 'set by BULK_BODY_LIMIT_BYTES'
            : 'fixed for allocations (BULK_BODY_LIMIT_BYTES is higher)',
      },
      bodyLimit: Math.min(bodyLimit, ALLOCATION_BODY_LIMIT),
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
      let outcome: Awaited<ReturnType<AllocationSlots['run']>>;
      try {
        outcome = await slots.use(async () => {
          let task: AllocationTask;
          if ('source' in body) {
            const jobs = await openJobsWithCapacity(db, principal.workspaceId, body.jobIds);
            if (body.jobIds) assertOpenJobs(body.jobIds, jobs);
            if (jobs.length > MAX_MATCH_JOBS) throw tooManyJobs(jobs.length);
            const method = await scoreMethodOf(db, principal.workspaceId);
            const only = body.candidateIds ? new Set(body.candidateIds) : undefined;
            task = await preferencesFromMatches(index, principal.workspaceId, jobs, method, only);
          } else {
            task = { input: encodeInput(body), validate: true };
          }
          return slots.run(task);
        });
      } catch (error) {
        if (!(error instanceof AllocationsBusy)) throw error;
        reply.header('Retry-After', String(BUSY_RETRY_SECONDS));
        throw new AppError('rate_limited', 'Too many allocations are running or waiting; retry later.');
      }
      if ('problems' in outcome) {
        const { problems } = outcome;
        throw new AppError(
          'invalid_input',
          `The allocation input has ${problems.length} problem(s): ${problems[0]!.message}`,
          {
            errors: problems.map((p) => ({ path: p.path ? `body.${p.path}` : 'body', message: p.message })),
          },
        );
      }
      const { blockingPairs } = outcome;
      let { result } = outcome;
      const allocation = await db.transaction(async (tx) => {
        await passErasureGate(tx, principal.workspaceId);
        // From the matches, the ids are candidates': one erased while the allocation ran leaves it,
        // its seat unassigned, as erasure does to stored allocations (explicit ids are the caller's own).
        if ('source' in body) result = await withoutErased(tx, principal.workspaceId, result);
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
        await recordAudit(tx, principal, {
          action: 'allocation',
          subjectId: stored.id,
          resultIds: result.assignments
            .map((a) => a.candidateId)
            .filter((id) => z.uuid().safeParse(id).success),
        });
        return stored;
      });
      return reply.code(201).send({ allocation });
    },
  );

  app.get(
    '/v1/allocations/:id',
    {
      config: { roles: ['admin'] },
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

/** The allocation without the candidates that no longer exist. */
async function withoutErased<R extends { assignments: { candidateId: string }[]; unassigned: string[] }>(
  tx: DbOrTx,
  workspaceId: string,
  result: R,
): Promise<R> {
  const ids = [...result.assignments.map((a) => a.candidateId), ...result.unassigned];
  const existing = await existingCandidateIds(tx, workspaceId, ids);
  if (existing.size === ids.length) return result;
  return {
    ...result,
    assignments: result.assignments.filter((a) => existing.has(a.candidateId)),
    unassigned: result.unassigned.filter((id) => existing.has(id)),
  };
}
