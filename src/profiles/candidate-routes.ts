import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MarketWrites } from '../alerts/service.ts';
import { assertOwnCandidate, candidateScope } from '../auth/access.ts';
import { requireRole } from '../auth/plugin.ts';
import type { Db } from '../db/client.ts';
import { notFound, problemSchema } from '../http/errors.ts';
import { decodeCursor, listOf, toPage } from '../http/pagination.ts';
import { idParam } from '../http/params.ts';
import type { ProfileSync } from '../matching/profile-sync.ts';
import { hiddenListToStore, namedHiddenEmployers } from './candidate-privacy.ts';
import { exportView } from './export-view.ts';
import { externalIdConflictSchema, uniqueExternalId } from './external-id.ts';
import { eraseCandidate, exportCandidate } from './privacy.ts';
import {
  findCandidate,
  findContact,
  insertCandidate,
  listCandidates,
  updateCandidate,
  upsertContact,
} from './repository.ts';
import {
  candidateCreate,
  candidateList,
  candidateListQuery,
  candidatePatch,
  candidateView,
} from './schemas.ts';

const tags = ['candidates'];
const one = z.object({ candidate: candidateView });
export const candidateRoutes: FastifyPluginAsyncZod<{
  db: Db;
  sync: ProfileSync;
  alerts: MarketWrites;
}> = async (app, { db, sync, alerts }) => {
  app.post(
    '/v1/candidates',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'createCandidate',
        tags,
        summary: 'Create a candidate: a pseudonymous profile plus contact details kept apart',
        body: candidateCreate,
        response: { 201: one, 400: problemSchema, 404: problemSchema, 409: externalIdConflictSchema },
      },
    },
    async (request, reply) => {
      const { workspaceId } = requireRole(request, 'admin');
      const { contact, ...profile } = request.body;
      const candidate = await uniqueExternalId(
        db,
        { kind: 'Candidate', reach: { workspaceId }, externalId: profile.externalId },
        () =>
          db.transaction(async (tx) => {
            const created = await insertCandidate(tx, { workspaceId, ...profile });
            await upsertContact(tx, workspaceId, created.id, { ...contact, phone: contact.phone ?? null });
            return created;
          }),
      );
      const stored = { ...contact, phone: contact.phone ?? null };
      // A new candidate hides from nobody yet.
      return reply.code(201).send({ candidate: { ...candidate, hiddenFromEmployers: [], contact: stored } });
    },
  );

  app.get(
    '/v1/candidates',
    {
      config: { roles: ['admin', 'candidate'] },
      schema: {
        operationId: 'listCandidates',
        tags,
        summary: 'List candidates (without contact details; a candidate key sees itself)',
        querystring: candidateListQuery,
        response: { 200: candidateList, 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const scope = candidateScope(request);
      const { limit, cursor, externalId } = request.query;
      const filter = { externalId, id: scope.candidateId };
      const list = listOf('/v1/candidates', { workspaceId: scope.workspaceId, ...filter });
      const rows = await listCandidates(db, scope.workspaceId, filter, {
        limit,
        after: decodeCursor(cursor, list),
      });
      const page = toPage(rows, limit, list);
      return { candidates: page.items, nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/candidates/:id',
    {
      config: { roles: ['admin', 'candidate'] },
      schema: {
        operationId: 'getCandidate',
        tags,
        summary: 'A candidate with contact details (admin, or the candidate itself)',
        params: idParam,
        response: { 200: one, 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const scope = candidateScope(request);
      const { id } = request.params;
      assertOwnCandidate(scope, id);
      const candidate = await findCandidate(db, scope.workspaceId, id);
      if (!candidate) throw notFound(`Candidate ${id}`);
      const contact = await findContact(db, scope.workspaceId, id);
      const hiddenFromEmployers = await namedHiddenEmployers(
        db,
        scope.workspaceId,
        candidate.hiddenFromEmployerIds,
      );
      return { candidate: { ...candidate, hiddenFromEmployers, ...(contact ? { contact } : {}) } };
    },
  );

  app.patch(
    '/v1/candidates/:id',
    {
      config: { roles: ['admin', 'candidate'] },
      schema: {
        operationId: 'updateCandidate',
        tags,
        summary:
          'Change a candidate; contact fields given replace the stored ones. Pause, or hide from employers',
        params: idParam,
        body: candidatePatch,
        response: {
          200: one,
          400: problemSchema,
          404: problemSchema,
          409: externalIdConflictSchema,
          422: problemSchema,
        },
      },
    },
    async (request) => {
      const scope = candidateScope(request);
      const { id } = request.params;
      assertOwnCandidate(scope, id);
      const { contact: contactChange, hiddenFromEmployerIds, ...fields } = request.body;
      const result = await uniqueExternalId(
        db,
        { kind: 'Candidate', reach: scope, externalId: fields.externalId },
        () =>
          alerts.write(db, scope.workspaceId, 'candidate', async (tx) => {
            const found = await findCandidate(tx, scope.workspaceId, id);
            if (!found) return { value: undefined, ids: [] };
            const profile =
              hiddenFromEmployerIds === undefined
                ? fields
                : {
                    ...fields,
                    hiddenFromEmployerIds: await hiddenListToStore(
                      tx,
                      scope.workspaceId,
                      hiddenFromEmployerIds,
                    ),
                  };
            const candidate =
              Object.keys(profile).length > 0
                ? await updateCandidate(tx, scope.workspaceId, id, profile)
                : found;
            if (!candidate) return { value: undefined, ids: [] };
            const stored = await findContact(tx, scope.workspaceId, id);
            if (contactChange && stored) {
              await upsertContact(tx, scope.workspaceId, id, { ...stored, ...contactChange });
            }
            const hiddenFromEmployers = await namedHiddenEmployers(
              tx,
              scope.workspaceId,
              candidate.hiddenFromEmployerIds,
            );
            const contact = await findContact(tx, scope.workspaceId, id);
            return { value: { candidate: { ...candidate, hiddenFromEmployers }, contact }, ids: [id] };
          }),
      );
      if (!result) throw notFound(`Candidate ${id}`);
      await sync.refresh(scope.workspaceId, 'candidate', [id]);
      return { candidate: { ...result.candidate, ...(result.contact ? { contact: result.contact } : {}) } };
    },
  );

  app.delete(
    '/v1/candidates/:id',
    {
      config: { roles: ['admin', 'candidate'] },
      schema: {
        operationId: 'eraseCandidate',
        tags,
        summary: 'Erase a candidate: profile, contact, answers, keys — nothing personal remains',
        params: idParam,
        response: { 204: z.null(), 400: problemSchema, 404: problemSchema },
      },
    },
    async (request, reply) => {
      const scope = candidateScope(request);
      const { id } = request.params;
      assertOwnCandidate(scope, id);
      const erased = await alerts.write(db, scope.workspaceId, 'candidate', async (tx) => ({
        value: await eraseCandidate(tx, scope.workspaceId, id, request.id),
        ids: [id],
      }));
      if (!erased) throw notFound(`Candidate ${id}`);
      app.credentials.forgetHolder({ candidateId: id });
      await sync.refresh(scope.workspaceId, 'candidate', [id]);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/candidates/:id/export',
    {
      config: { roles: ['admin', 'candidate'] },
      schema: {
        operationId: 'exportCandidate',
        tags,
        summary: 'Everything stored about a candidate, as JSON (admin, or the candidate itself)',
        params: idParam,
        response: { 200: exportView, 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const scope = candidateScope(request);
      const { id } = request.params;
      assertOwnCandidate(scope, id);
      const data = await exportCandidate(db, scope.workspaceId, id);
      if (!data) throw notFound(`Candidate ${id}`);
      return { export: { ...data, exportedAt: new Date() } };
    },
  );
};
