import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { type AllowedOrigins, allowedOriginsSchema } from '../http/cors.ts';
import { AppError, notFound, problemSchema } from '../http/errors.ts';
import { decodeCursor, listOf, nextCursorField, pageOf, pageQuery, toPage } from '../http/pagination.ts';
import { idParam } from '../http/params.ts';
import { atLeastOneField } from '../http/schema-parts.ts';
import { scoreMethods } from '../matching/types.ts';
import { findCandidate, findEmployer } from '../profiles/repository.ts';
import type { CredentialCache } from './credential-cache.ts';
import { generateApiKey, hashApiKey, keyPrefix } from './keys.ts';
import { requireRole } from './plugin.ts';
import {
  findWorkspace,
  insertApiKey,
  insertWorkspace,
  listApiKeys,
  revokeApiKey,
  updateWorkspace,
} from './repository.ts';

const scoreMethod = z
  .enum(scoreMethods)
  .describe('How the two one-sided satisfactions combine into the mutual score');

const workspaceView = z
  .object({
    id: z.uuid(),
    name: z.string().max(200),
    scoreMethod,
    allowedOrigins: z
      .array(z.string().max(2048))
      .max(20)
      .describe('Browser origins allowed to call with this workspace’s credentials'),
    createdAt: z.date(),
  })
  .meta({ id: 'Workspace' });

const apiKeyView = z
  .object({
    id: z.uuid(),
    role: z.enum(['admin', 'employer', 'candidate']),
    keyPrefix: z.string().max(10).describe('The first characters of the key'),
    employerId: z.uuid().nullable(),
    candidateId: z.uuid().nullable(),
    label: z.string().max(100).nullable(),
    createdAt: z.date(),
    revokedAt: z.date().nullable(),
  })
  .meta({ id: 'ApiKey' });

const label = z.string().trim().max(100).optional();
/** A key as minted: `mf_` and 43 base64url characters (the bootstrap keys are set by the operator). */
const mintedKey = z.string().max(64).describe('Shown once; store it now');

const createApiKeyBody = z
  .discriminatedUnion('role', [
    z.strictObject({ role: z.literal('admin'), label }),
    z.strictObject({
      role: z.literal('employer'),
      employerId: z.uuid(),
      label,
    }),
    z.strictObject({
      role: z.literal('candidate'),
      candidateId: z.uuid(),
      label,
    }),
  ])
  .describe('employer keys are bound to one employer, candidate keys to one candidate');

const changeableFields = {
  name: z.string().trim().min(1).max(200).optional(),
  scoreMethod: scoreMethod.optional(),
};
const workspaceChanges = atLeastOneField(z.strictObject(changeableFields));
const workspaceChangesWithOrigins = atLeastOneField(
  z.strictObject({ ...changeableFields, allowedOrigins: allowedOriginsSchema.optional() }),
);

/** The platform key reaches every workspace; an admin key only its own (any other is a 404). */
function reachableWorkspace(request: FastifyRequest<{ Params: { id: string } }>): string {
  const principal = requireRole(request, 'platform', 'admin');
  const { id } = request.params;
  if (principal.role === 'admin' && principal.workspaceId !== id) throw notFound(`Workspace ${id}`);
  return id;
}

export const authRoutes: FastifyPluginAsyncZod<{
  db: Db;
  origins: AllowedOrigins;
  credentials: CredentialCache;
}> = async (app, { db, origins, credentials }) => {
  app.post(
    '/v1/workspaces',
    {
      config: { roles: ['platform'] },
      schema: {
        operationId: 'createWorkspace',
        tags: ['workspaces'],
        summary: 'Create a workspace (a marketplace) and its first admin key — platform key only',
        body: z.strictObject({
          name: z.string().trim().min(1).max(200),
          scoreMethod: scoreMethod.optional(),
        }),
        response: {
          201: z.object({
            workspace: workspaceView,
            adminKey: mintedKey,
          }),
          400: problemSchema,
          404: problemSchema,
        },
      },
    },
    async (request, reply) => {
      requireRole(request, 'platform');
      const key = generateApiKey();
      const workspace = await db.transaction(async (tx) => {
        const created = await insertWorkspace(tx, request.body);
        await insertApiKey(tx, {
          workspaceId: created.id,
          role: 'admin',
          keyHash: hashApiKey(key),
          keyPrefix: keyPrefix(key),
          label: 'first admin key',
        });
        return created;
      });
      return reply.code(201).send({ workspace, adminKey: key });
    },
  );

  app.get(
    '/v1/workspace',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'getWorkspace',
        tags: ['workspaces'],
        summary: "The caller's workspace",
        response: { 200: z.object({ workspace: workspaceView }), 404: problemSchema },
      },
    },
    async (request) => {
      const { workspaceId } = requireRole(request, 'admin');
      const workspace = await findWorkspace(db, workspaceId);
      if (!workspace) throw notFound('Workspace');
      return { workspace };
    },
  );

  app.patch(
    '/v1/workspace',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'updateWorkspace',
        tags: ['workspaces'],
        summary: "Rename the caller's workspace or change its score method",
        body: workspaceChanges,
        response: { 200: z.object({ workspace: workspaceView }), 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const { workspaceId } = requireRole(request, 'admin');
      const workspace = await updateWorkspace(db, workspaceId, request.body);
      if (!workspace) throw notFound('Workspace');
      return { workspace };
    },
  );

  app.get(
    '/v1/workspaces/:id',
    {
      config: { roles: ['platform', 'admin'] },
      schema: {
        operationId: 'getWorkspaceById',
        tags: ['workspaces'],
        summary: 'A workspace — the platform key, or an admin key of that workspace',
        params: idParam,
        response: { 200: z.object({ workspace: workspaceView }), 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const id = reachableWorkspace(request);
      const workspace = await findWorkspace(db, id);
      if (!workspace) throw notFound(`Workspace ${id}`);
      return { workspace };
    },
  );

  app.patch(
    '/v1/workspaces/:id',
    {
      config: { roles: ['platform', 'admin'] },
      schema: {
        operationId: 'updateWorkspaceById',
        tags: ['workspaces'],
        summary:
          'Change a workspace, including the browser origins allowed to call with its credentials (CORS) — the platform key, or an admin key of that workspace',
        params: idParam,
        body: workspaceChangesWithOrigins,
        response: { 200: z.object({ workspace: workspaceView }), 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const id = reachableWorkspace(request);
      const workspace = await updateWorkspace(db, id, request.body);
      if (!workspace) throw notFound(`Workspace ${id}`);
      origins.set(workspace.id, workspace.allowedOrigins);
      return { workspace };
    },
  );

  app.post(
    '/v1/api-keys',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'createApiKey',
        tags: ['api-keys'],
        summary: 'Mint an admin, employer or candidate key; the key is shown once',
        body: createApiKeyBody,
        response: {
          201: z.object({
            apiKey: apiKeyView.extend({ key: mintedKey }),
          }),
          400: problemSchema,
          404: problemSchema,
          422: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const { workspaceId } = requireRole(request, 'admin');
      const body = request.body;
      if (body.role === 'employer' && !(await findEmployer(db, workspaceId, body.employerId))) {
        throw new AppError('invalid_input', `Employer ${body.employerId} does not exist in this workspace.`, {
          errors: [{ path: 'body.employerId', message: 'no such employer' }],
        });
      }
      if (body.role === 'candidate' && !(await findCandidate(db, workspaceId, body.candidateId))) {
        throw new AppError(
          'invalid_input',
          `Candidate ${body.candidateId} does not exist in this workspace.`,
          {
            errors: [{ path: 'body.candidateId', message: 'no such candidate' }],
          },
        );
      }
      const key = generateApiKey();
      const row = await insertApiKey(db, {
        workspaceId,
        role: body.role,
        employerId: body.role === 'employer' ? body.employerId : null,
        candidateId: body.role === 'candidate' ? body.candidateId : null,
        label: body.label ?? null,
        keyHash: hashApiKey(key),
        keyPrefix: keyPrefix(key),
      });
      return reply.code(201).send({ apiKey: { ...row, key } });
    },
  );

  app.get(
    '/v1/api-keys',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'listApiKeys',
        tags: ['api-keys'],
        summary: 'The keys of the workspace, newest first, without their secrets',
        querystring: z.strictObject(pageQuery),
        response: {
          200: z.object({ apiKeys: pageOf(apiKeyView), nextCursor: nextCursorField }),
          400: problemSchema,
          404: problemSchema,
        },
      },
    },
    async (request) => {
      const { workspaceId } = requireRole(request, 'admin');
      const { limit, cursor } = request.query;
      const list = listOf('/v1/api-keys', { workspaceId });
      const rows = await listApiKeys(db, workspaceId, { limit, before: decodeCursor(cursor, list) });
      const page = toPage(rows, limit, list);
      return { apiKeys: page.items, nextCursor: page.nextCursor };
    },
  );

  app.delete(
    '/v1/api-keys/:id',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'revokeApiKey',
        tags: ['api-keys'],
        summary: 'Revoke a key; it stops working at once',
        params: idParam,
        response: { 204: z.null(), 400: problemSchema, 404: problemSchema },
      },
    },
    async (request, reply) => {
      const { workspaceId } = requireRole(request, 'admin');
      if (!(await revokeApiKey(db, workspaceId, request.params.id)))
        throw notFound(`API key ${request.params.id}`);
      // Other processes hear of it from the trigger's NOTIFY; this one must not wait for it.
      credentials.forget('key', request.params.id);
      return reply.code(204).send(null);
    },
  );
};
