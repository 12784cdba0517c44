import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MarketWrites } from '../alerts/service.ts';
import { assertOwnEmployer, employerScope } from '../auth/access.ts';
import { requireRole } from '../auth/plugin.ts';
import type { Db } from '../db/client.ts';
import { notFound, problemSchema } from '../http/errors.ts';
import { decodeCursor, listOf, toPage } from '../http/pagination.ts';
import { idParam } from '../http/params.ts';
import type { ProfileSync } from '../matching/profile-sync.ts';
import { findEmployerContact, upsertEmployerContact } from './employer-contacts.ts';
import { externalIdConflictSchema, uniqueExternalId } from './external-id.ts';
import {
  deleteEmployer,
  findEmployer,
  insertEmployer,
  listEmployers,
  listJobIdsOfEmployer,
  unhideEmployer,
  updateEmployer,
} from './repository.ts';
import {
  employerContactInput,
  employerContactView,
  employerCreate,
  employerList,
  employerListQuery,
  employerPatch,
  employerView,
} from './schemas.ts';

const tags = ['employers'];
const one = z.object({ employer: employerView });
const contactResponse = z.object({ contact: employerContactView });

export const employerRoutes: FastifyPluginAsyncZod<{
  db: Db;
  sync: ProfileSync;
  alerts: MarketWrites;
}> = async (app, { db, sync, alerts }) => {
  app.post(
    '/v1/employers',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'createEmployer',
        tags,
        summary: 'Create an employer',
        body: employerCreate,
        response: { 201: one, 400: problemSchema, 404: problemSchema, 409: externalIdConflictSchema },
      },
    },
    async (request, reply) => {
      const { workspaceId } = requireRole(request, 'admin');
      const employer = await uniqueExternalId(
        db,
        { kind: 'Employer', reach: { workspaceId }, externalId: request.body.externalId },
        () => insertEmployer(db, { workspaceId, ...request.body }),
      );
      return reply.code(201).send({ employer });
    },
  );

  app.get(
    '/v1/employers',
    {
      config: { roles: ['admin', 'employer'] },
      schema: {
        operationId: 'listEmployers',
        tags,
        summary: 'List employers (an employer key sees only its own)',
        querystring: employerListQuery,
        response: { 200: employerList, 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const scope = employerScope(request);
      const { limit, cursor, externalId } = request.query;
      const filter = { externalId, id: scope.employerId };
      const list = listOf('/v1/employers', { workspaceId: scope.workspaceId, ...filter });
      const rows = await listEmployers(db, scope.workspaceId, filter, {
        limit,
        after: decodeCursor(cursor, list),
      });
      const page = toPage(rows, limit, list);
      return { employers: page.items, nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/employers/:id',
    {
      config: { roles: ['admin', 'employer'] },
      schema: {
        operationId: 'getEmployer',
        tags,
        summary: 'An employer',
        params: idParam,
        response: { 200: one, 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const scope = employerScope(request);
      const what = `Employer ${request.params.id}`;
      assertOwnEmployer(scope, request.params.id, what);
      const employer = await findEmployer(db, scope.workspaceId, request.params.id);
      if (!employer) throw notFound(what);
      return { employer };
    },
  );

  app.patch(
    '/v1/employers/:id',
    {
      config: { roles: ['admin', 'employer'] },
      schema: {
        operationId: 'updateEmployer',
        tags,
        summary: 'Change an employer',
        params: idParam,
        body: employerPatch,
        response: { 200: one, 400: problemSchema, 404: problemSchema, 409: externalIdConflictSchema },
      },
    },
    async (request) => {
      const scope = employerScope(request);
      const what = `Employer ${request.params.id}`;
      assertOwnEmployer(scope, request.params.id, what);
      const employer = await uniqueExternalId(
        db,
        { kind: 'Employer', reach: scope, externalId: request.body.externalId },
        () => updateEmployer(db, scope.workspaceId, request.params.id, request.body),
      );
      if (!employer) throw notFound(what);
      return { employer };
    },
  );

  app.put(
    '/v1/employers/:id/contact',
    {
      config: { roles: ['admin', 'employer'] },
      schema: {
        operationId: 'putEmployerContact',
        tags,
        summary: "Set an employer's contact (a candidate sees it once an introduction is mutual)",
        params: idParam,
        body: employerContactInput,
        response: { 200: contactResponse, 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const scope = employerScope(request);
      const what = `Employer ${request.params.id}`;
      assertOwnEmployer(scope, request.params.id, what);
      const { name, email, phone } = request.body;
      const contact = await db.transaction((tx) =>
        upsertEmployerContact(tx, scope.workspaceId, request.params.id, {
          name: name ?? null,
          email,
          phone: phone ?? null,
        }),
      );
      if (!contact) throw notFound(what);
      return { contact };
    },
  );

  app.get(
    '/v1/employers/:id/contact',
    {
      config: { roles: ['admin', 'employer'] },
      schema: {
        operationId: 'getEmployerContact',
        tags,
        summary: "An employer's contact (admin, or the employer itself)",
        params: idParam,
        response: { 200: contactResponse, 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const scope = employerScope(request);
      const what = `The contact of employer ${request.params.id}`;
      assertOwnEmployer(scope, request.params.id, what);
      const contact = await findEmployerContact(db, scope.workspaceId, request.params.id);
      if (!contact) throw notFound(what);
      return { contact };
    },
  );

  app.delete(
    '/v1/employers/:id',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'deleteEmployer',
        tags,
        summary: 'Delete an employer with its jobs, their answers and its keys',
        params: idParam,
        response: { 204: z.null(), 400: problemSchema, 404: problemSchema },
      },
    },
    async (request, reply) => {
      const { workspaceId } = requireRole(request, 'admin');
      const employerId = request.params.id;
      // The employer's jobs leave the market; unhiding it adds no pair (it has no jobs left).
      const { unhidden, jobIds } = await alerts.write(db, workspaceId, 'job', async (tx) => {
        const jobIds = await listJobIdsOfEmployer(tx, workspaceId, employerId);
        // Candidates' hidden lists name only employers that exist (so a list read back can be sent back).
        const candidateIds = await unhideEmployer(tx, workspaceId, employerId);
        const deleted = await deleteEmployer(tx, workspaceId, employerId);
        return { value: { unhidden: deleted ? candidateIds : undefined, jobIds }, ids: jobIds };
      });
      if (!unhidden) throw notFound(`Employer ${employerId}`);
      app.credentials.forgetHolder({ employerId });
      await sync.refresh(workspaceId, 'job', jobIds);
      await sync.refresh(workspaceId, 'candidate', unhidden);
      return reply.code(204).send(null);
    },
  );
};
