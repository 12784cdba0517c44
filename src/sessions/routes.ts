import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { generateSessionToken, hashApiKey } from '../auth/keys.ts';
import { requireRole } from '../auth/plugin.ts';
import type { Db } from '../db/client.ts';
import { notFound, problemSchema } from '../http/errors.ts';
import { idParam } from '../http/params.ts';
import { findCandidate, findEmployer } from '../profiles/repository.ts';
import { deleteSession, findSession, insertSession } from './repository.ts';
import { createSessionBody, currentSessionView, sessionView } from './schemas.ts';

export const sessionRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.post(
    '/v1/sessions',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'createSession',
        tags: ['sessions'],
        summary:
          "Mint a short-lived browser token with one candidate's or employer's reach; the token is shown once",
        body: createSessionBody,
        response: { 201: z.object({ session: sessionView }), 400: problemSchema, 404: problemSchema },
      },
    },
    async (request, reply) => {
      const { workspaceId } = requireRole(request, 'admin');
      const body = request.body;
      const subject =
        'candidateId' in body
          ? { role: 'candidate' as const, candidateId: body.candidateId }
          : { role: 'employer' as const, employerId: body.employerId };
      if (subject.role === 'candidate' && !(await findCandidate(db, workspaceId, subject.candidateId)))
        throw notFound(`Candidate ${subject.candidateId}`);
      if (subject.role === 'employer' && !(await findEmployer(db, workspaceId, subject.employerId)))
        throw notFound(`Employer ${subject.employerId}`);
      const token = generateSessionToken();
      const row = await insertSession(db, {
        workspaceId,
        ...subject,
        tokenHash: hashApiKey(token),
        expiresAt: new Date(Date.now() + body.ttlSeconds * 1000),
      });
      const session =
        row.role === 'candidate'
          ? { id: row.id, token, role: row.role, candidateId: row.candidateId!, expiresAt: row.expiresAt }
          : { id: row.id, token, role: row.role, employerId: row.employerId!, expiresAt: row.expiresAt };
      return reply.code(201).send({ session });
    },
  );

  app.get(
    '/v1/sessions/current',
    {
      config: { roles: ['candidate', 'employer'] },
      schema: {
        operationId: 'getCurrentSession',
        tags: ['sessions'],
        summary:
          'Who the calling session token acts as and until when (a browser page finds its own candidate or employer id here)',
        response: { 200: z.object({ session: currentSessionView }), 404: problemSchema },
      },
    },
    async (request) => {
      const principal = requireRole(request, 'candidate', 'employer');
      // keyId is the session's id when the request came with a session token; an API key finds none.
      const row = await findSession(db, principal.workspaceId, principal.keyId);
      if (!row) throw notFound('A session for this credential (it is an API key)');
      const session =
        row.role === 'candidate'
          ? { id: row.id, role: row.role, candidateId: row.candidateId!, expiresAt: row.expiresAt }
          : { id: row.id, role: row.role, employerId: row.employerId!, expiresAt: row.expiresAt };
      return { session };
    },
  );

  app.delete(
    '/v1/sessions/:id',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'revokeSession',
        tags: ['sessions'],
        summary: 'Revoke a browser session; its token stops working at once',
        params: idParam,
        response: { 204: z.null(), 400: problemSchema, 404: problemSchema },
      },
    },
    async (request, reply) => {
      const { workspaceId } = requireRole(request, 'admin');
      if (!(await deleteSession(db, workspaceId, request.params.id)))
        throw notFound(`Session ${request.params.id}`);
      return reply.code(204).send(null);
    },
  );
};
