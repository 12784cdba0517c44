import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MarketWrites } from '../alerts/service.ts';
import { assertOwnEmployer, employerScope } from '../auth/access.ts';
import type { Db } from '../db/client.ts';
import { AppError, notFound, problemSchema } from '../http/errors.ts';
import { decodeCursor, listOf, toPage } from '../http/pagination.ts';
import { idParam } from '../http/params.ts';
import type { ProfileSync } from '../matching/profile-sync.ts';
import { externalIdConflictSchema, uniqueExternalId } from './external-id.ts';
import { deleteJob, findEmployer, findJob, insertJob, listJobs, updateJob } from './repository.ts';
import { jobCreate, jobList, jobListQuery, jobPatch, jobView } from './schemas.ts';

const tags = ['jobs'];
const one = z.object({ job: jobView });

export const jobRoutes: FastifyPluginAsyncZod<{ db: Db; sync: ProfileSync; alerts: MarketWrites }> = async (
  app,
  { db, sync, alerts },
) => {
  /** The job, if the caller may see it; otherwise the same 404 as for a job that does not exist. */
  async function reachableJob(scope: ReturnType<typeof employerScope>, id: string) {
    const job = await findJob(db, scope.workspaceId, id);
    if (!job) throw notFound(`Job ${id}`);
    assertOwnEmployer(scope, job.employerId, `Job ${id}`);
    return job;
  }

  app.post(
    '/v1/jobs',
    {
      config: { roles: ['admin', 'employer'] },
      schema: {
        operationId: 'createJob',
        tags,
        summary: 'Create a job for an employer (an employer key: for itself)',
        body: jobCreate,
        response: {
          201: one,
          400: problemSchema,
          404: problemSchema,
          409: externalIdConflictSchema,
          422: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const scope = employerScope(request);
      const { employerId } = request.body;
      const reachable = scope.employerId === undefined || scope.employerId === employerId;
      if (!reachable || !(await findEmployer(db, scope.workspaceId, employerId))) {
        throw new AppError('invalid_input', `Employer ${employerId} does not exist in this workspace.`, {
          errors: [{ path: 'body.employerId', message: 'no such employer' }],
        });
      }
      const job = await uniqueExternalId(
        db,
        { kind: 'Job', reach: scope, externalId: request.body.externalId },
        () => insertJob(db, { workspaceId: scope.workspaceId, ...request.body }),
      );
      return reply.code(201).send({ job });
    },
  );

  app.get(
    '/v1/jobs',
    {
      config: { roles: ['admin', 'employer'] },
      schema: {
        operationId: 'listJobs',
        tags,
        summary: 'List jobs, filtered by externalId, employerId or status (an employer key: its own)',
        querystring: jobListQuery,
        response: { 200: jobList, 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const scope = employerScope(request);
      const { limit, cursor, employerId, ...filter } = request.query;
      if (scope.employerId !== undefined && employerId !== undefined && employerId !== scope.employerId) {
        return { jobs: [], nextCursor: null };
      }
      const shape = { ...filter, employerId: scope.employerId ?? employerId };
      const list = listOf('/v1/jobs', { workspaceId: scope.workspaceId, ...shape });
      const rows = await listJobs(db, scope.workspaceId, shape, { limit, after: decodeCursor(cursor, list) });
      const page = toPage(rows, limit, list);
      return { jobs: page.items, nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/jobs/:id',
    {
      config: { roles: ['admin', 'employer'] },
      schema: {
        operationId: 'getJob',
        tags,
        summary: 'A job',
        params: idParam,
        response: { 200: one, 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => ({ job: await reachableJob(employerScope(request), request.params.id) }),
  );

  app.patch(
    '/v1/jobs/:id',
    {
      config: { roles: ['admin', 'employer'] },
      schema: {
        operationId: 'updateJob',
        tags,
        summary: 'Change a job; closing it takes it out of matching at once',
        params: idParam,
        body: jobPatch,
        response: { 200: one, 400: problemSchema, 404: problemSchema, 409: externalIdConflictSchema },
      },
    },
    async (request) => {
      const scope = employerScope(request);
      await reachableJob(scope, request.params.id);
      const job = await uniqueExternalId(
        db,
        { kind: 'Job', reach: scope, externalId: request.body.externalId },
        () =>
          alerts.write(db, scope.workspaceId, 'job', async (tx) => {
            const updated = await updateJob(tx, scope.workspaceId, request.params.id, request.body);
            return { value: updated, ids: updated ? [updated.id] : [] };
          }),
      );
      if (!job) throw notFound(`Job ${request.params.id}`);
      await sync.refresh(scope.workspaceId, 'job', [job.id]);
      return { job };
    },
  );

  app.delete(
    '/v1/jobs/:id',
    {
      config: { roles: ['admin', 'employer'] },
      schema: {
        operationId: 'deleteJob',
        tags,
        summary: 'Delete a job and its answers',
        params: idParam,
        response: { 204: z.null(), 400: problemSchema, 404: problemSchema },
      },
    },
    async (request, reply) => {
      const scope = employerScope(request);
      await reachableJob(scope, request.params.id);
      const deleted = await alerts.write(db, scope.workspaceId, 'job', async (tx) => ({
        value: await deleteJob(tx, scope.workspaceId, request.params.id),
        ids: [request.params.id],
      }));
      if (!deleted) throw notFound(`Job ${request.params.id}`);
      await sync.refresh(scope.workspaceId, 'job', [request.params.id]);
      return reply.code(204).send(null);
    },
  );
};
