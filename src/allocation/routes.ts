import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireRole } from '../auth/plugin.ts';
import type { Principal } from '../auth/principal.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { passErasureGate } from '../db/erasure-gate.ts';
import { AppError, notFound, problemSchema } from '../http/errors.ts';
import { recordAudit } from '../matching/audit.ts';
import type { MatchIndex } from '../matching/index.ts';
import { scoreMethodOf } from '../matching/repository.ts';
import { type CandidatePrivacy, hidesFrom } from '../profiles/candidate-privacy.ts';
import { enqueueEvent } from '../webhooks/events.ts';
import type { AllocationTask } from './allocation-thread.ts';
import { encodeInput } from './encoding.ts';
import { type AllocationOutcome, AllocationSlots, AllocationsBusy } from './off-thread.ts';
import { preferencesFromMatches } from './preferences.ts';
import {
  activeCandidateIds,
  findAllocation,
  insertAllocation,
  lockCandidates,
  lockOpenJobs,
  openJobsWithCapacity,
} from './repository.ts';
import type { AllocationResult } from './types.ts';

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
/** Runs again of an allocation from the matches whose jobs or candidates changed while it ran. */
const MAX_RERUNS = 2;
/** What a client is told to wait when they kept changing. */
const MARKET_MOVING_RETRY_SECONDS = 3;

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
 * Every job named in `jobIds` must be an open job of the workspace, and every candidate named in
 * `candidateIds` an active one: one that is not (closed or paused, missing, or another workspace's,
 * which reads the same) would silently leave the allocation.
 */
function assertNamedIdsTakePart(
  body: { jobIds?: string[] | undefined; candidateIds?: string[] | undefined },
  openJobs: ReadonlySet<string>,
  activeCandidates: ReadonlySet<string>,
): void {
  const errors = [
    ...idsNotIn('jobIds', body.jobIds, openJobs, 'an open job'),
    ...idsNotIn('candidateIds', body.candidateIds, activeCandidates, 'an active candidate'),
  ];
  if (errors.length === 0) return;
  throw new AppError(
    'invalid_input',
    `${errors.length} of the ids named ${errors.length === 1 ? 'does' : 'do'} not take part: ${errors[0]!.message}`,
    { errors },
  );
}

function idsNotIn(field: string, ids: string[] | undefined, found: ReadonlySet<string>, what: string) {
  return (ids ?? []).flatMap((id, k) =>
    found.has(id) ? [] : [{ path: `body.${field}[${k}]`, message: `${id} is not ${what} of this workspace` }],
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

type AllocationBody = z.infer<typeof allocationBody>;
type MatchesBody = Extract<AllocationBody, { source: 'matches' }>;
type ExplicitBody = Exclude<AllocationBody, MatchesBody>;

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
          409: problemSchema,
          422: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const principal = requireRole(request, 'admin');
      const body = request.body;
      const allocation = await rateLimitedWhenBusy(reply, () =>
        'source' in body
          ? allocateFromMatches({ db, index, slots }, principal, body, reply)
          : allocateExplicit({ db, slots }, principal, body),
      );
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

type WorkspaceAdmin = Extract<Principal, { role: 'admin' }>;
type Computed = Extract<AllocationOutcome, { result: unknown }>;
type Stored = Awaited<ReturnType<typeof insertAllocation>>;

async function rateLimitedWhenBusy<T>(reply: FastifyReply, allocate: () => Promise<T>): Promise<T> {
  try {
    return await allocate();
  } catch (error) {
    if (!(error instanceof AllocationsBusy)) throw error;
    reply.header('Retry-After', String(BUSY_RETRY_SECONDS));
    throw new AppError('rate_limited', 'Too many allocations are running or waiting; retry later.');
  }
}

/** Prepares a task once a slot is free and runs it on the allocation thread; 422 names the input's problems. */
async function compute<P extends { task: AllocationTask }>(
  slots: AllocationSlots,
  prepare: () => Promise<P>,
): Promise<P & Computed> {
  const { prepared, outcome } = await slots.use(async () => {
    const prepared = await prepare();
    return { prepared, outcome: await slots.run(prepared.task) };
  });
  if ('problems' in outcome) {
    const { problems } = outcome;
    throw new AppError(
      'invalid_input',
      `The allocation input has ${problems.length} problem(s): ${problems[0]!.message}`,
      { errors: problems.map((p) => ({ path: p.path ? `body.${p.path}` : 'body', message: p.message })) },
    );
  }
  return { ...prepared, ...outcome };
}

async function allocateExplicit(
  { db, slots }: { db: Db; slots: AllocationSlots },
  principal: WorkspaceAdmin,
  body: ExplicitBody,
): Promise<Stored> {
  const computed = await compute(slots, async () => ({ task: { input: encodeInput(body), validate: true } }));
  return db.transaction(async (tx) => {
    await passErasureGate(tx, principal.workspaceId);
    return storeAllocation(tx, principal, 'explicit', computed);
  });
}

/**
 * The allocation from the matches, stored only if the market it ran on is still there when it is
 * stored: every job open with the capacity it had, every candidate not paused nor hiding from the
 * employer of the job it is given. (Dropping a closed job's assignments instead would leave the
 * rest unstable.) While jobs or candidates keep changing under it, it runs again, then answers 409.
 */
async function allocateFromMatches(
  { db, index, slots }: { db: Db; index: MatchIndex; slots: AllocationSlots },
  principal: WorkspaceAdmin,
  body: MatchesBody,
  reply: FastifyReply,
): Promise<Stored> {
  const { workspaceId } = principal;
  for (let run = 0; run <= MAX_RERUNS; run++) {
    const { jobs, named, result, blockingPairs } = await compute(slots, () =>
      matchesTask(db, index, workspaceId, body),
    );
    const stored = await db.transaction(async (tx) => {
      await passErasureGate(tx, workspaceId);
      const storable = await withoutErasedIfUnmoved(tx, workspaceId, jobs, withEveryNamed(result, named));
      return storable && storeAllocation(tx, principal, 'matches', { result: storable, blockingPairs });
    });
    if (stored) return stored;
  }
  reply.header('Retry-After', String(MARKET_MOVING_RETRY_SECONDS));
  throw new AppError(
    'conflict',
    `The jobs or candidates of this allocation changed while it ran (a job closed or its capacity changed, or a candidate paused or hid from a job's employer), ${MAX_RERUNS + 1} times in a row; retry in a few seconds.`,
  );
}

/** The preferences from the matches of the open jobs (and candidates) the body names, and those jobs. */
async function matchesTask(db: Db, index: MatchIndex, workspaceId: string, body: MatchesBody) {
  const jobs = await openJobsWithCapacity(db, workspaceId, body.jobIds);
  const active = body.candidateIds
    ? await activeCandidateIds(db, workspaceId, body.candidateIds)
    : new Set<string>();
  assertNamedIdsTakePart(body, new Set(jobs.map((job) => job.id)), active);
  if (jobs.length > MAX_MATCH_JOBS) throw tooManyJobs(jobs.length);
  const method = await scoreMethodOf(db, workspaceId);
  const only = body.candidateIds ? active : undefined;
  const task = await preferencesFromMatches(index, workspaceId, jobs, method, only);
  return { jobs, named: only, task };
}

/**
 * Every candidate named in `candidateIds` is in the answer: one that no job's list holds (no
 * acceptable job, or no answers) takes no seat and is unassigned, not left out unmentioned.
 */
function withEveryNamed(result: AllocationResult, named: ReadonlySet<string> | undefined): AllocationResult {
  if (!named) return result;
  const mentioned = new Set([...result.assignments.map((a) => a.candidateId), ...result.unassigned]);
  const missing = [...named].filter((id) => !mentioned.has(id));
  if (missing.length === 0) return result;
  return { ...result, unassigned: [...result.unassigned, ...missing].sort() };
}

/**
 * The result as it is stored, or undefined when its market moved while it ran (a job closed or its
 * capacity changed, a candidate paused or hid from the employer of the job it was given). The rows
 * read stay locked until the allocation is stored.
 */
async function withoutErasedIfUnmoved(
  tx: DbOrTx,
  workspaceId: string,
  jobs: { id: string; capacity: number }[],
  result: AllocationResult,
): Promise<AllocationResult | undefined> {
  const jobIds = jobs.map((job) => job.id);
  const open = await lockOpenJobs(tx, workspaceId, jobIds);
  if (!jobsStillAsUsed(jobs, open)) return undefined;
  const candidates = await lockCandidates(tx, workspaceId, [
    ...result.assignments.map((a) => a.candidateId),
    ...result.unassigned,
  ]);
  if (candidates.some((candidate) => candidate.paused)) return undefined;
  if (assignsAHiddenPair(result, candidates, open)) return undefined;
  return withoutErased(result, new Set(candidates.map((candidate) => candidate.id)));
}

/** Every job is still open, with the capacity the allocation used. */
function jobsStillAsUsed(used: { id: string; capacity: number }[], open: { id: string; capacity: number }[]) {
  const capacities = new Map(open.map((job) => [job.id, job.capacity]));
  return used.every((job) => capacities.get(job.id) === job.capacity);
}

/**
 * Some candidate is assigned to a job of an employer it now hides from. Hiding from another employer
 * is not a move: it takes away only pairs the result does not use, so the result stays stable.
 */
function assignsAHiddenPair(
  result: AllocationResult,
  candidates: (CandidatePrivacy & { id: string })[],
  jobs: { id: string; employerId: string }[],
): boolean {
  const privacyOf = new Map(candidates.map((candidate) => [candidate.id, candidate]));
  const employerOf = new Map(jobs.map((job) => [job.id, job.employerId]));
  return result.assignments.some(({ candidateId, jobId }) => {
    const candidate = privacyOf.get(candidateId);
    const employerId = employerOf.get(jobId);
    return candidate !== undefined && employerId !== undefined && hidesFrom(candidate, employerId);
  });
}

/**
 * A candidate erased while the allocation ran leaves it, its seat unassigned, as erasure does to
 * stored allocations.
 */
function withoutErased(result: AllocationResult, existing: ReadonlySet<string>): AllocationResult {
  return {
    assignments: result.assignments.filter((a) => existing.has(a.candidateId)),
    unassigned: result.unassigned.filter((id) => existing.has(id)),
  };
}

async function storeAllocation(
  tx: DbOrTx,
  principal: WorkspaceAdmin,
  source: 'matches' | 'explicit',
  { result, blockingPairs }: Computed,
): Promise<Stored> {
  const stored = await insertAllocation(tx, {
    workspaceId: principal.workspaceId,
    source,
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
    resultIds: result.assignments.map((a) => a.candidateId).filter((id) => z.uuid().safeParse(id).success),
  });
  return stored;
}
