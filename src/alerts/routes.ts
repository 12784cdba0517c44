import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assertOwnCandidate, assertOwnEmployer, candidateScope, employerScope } from '../auth/access.ts';
import type { Db } from '../db/client.ts';
import { notFound, problemSchema } from '../http/errors.ts';
import { idParam } from '../http/params.ts';
import type { IndexSide } from '../matching/index.ts';
import { findCandidate, findJob } from '../profiles/repository.ts';
import { lastFeedSeq, readFeed } from './feed.ts';
import {
  alertBody,
  alertEventsQuery,
  alertEventsResponse,
  alertResponse,
  decodeEventCursor,
  encodeEventCursor,
  notIssued,
} from './schemas.ts';
import type { Alerts } from './service.ts';

const tags = ['alerts'];
const errors = { 400: problemSchema, 404: problemSchema };

/**
 * PUT/GET/DELETE /v1/{jobs|candidates}/{id}/alert and its pull feed, …/alert/events. `cursorKey`:
 * the installation's key that seals feed cursors (src/db/service-secrets.ts).
 */
export const alertRoutes: FastifyPluginAsyncZod<{
  db: Db;
  alerts: Alerts;
  cursorKey: () => Promise<Buffer>;
}> = async (app, { db, alerts, cursorKey }) => {
  /** The subject's workspace, or the same 404 as a missing record when it is out of the caller's reach. */
  async function reach(request: FastifyRequest, side: IndexSide, id: string): Promise<string> {
    if (side === 'job') {
      const scope = employerScope(request);
      const job = await findJob(db, scope.workspaceId, id);
      if (!job) throw notFound(`Job ${id}`);
      assertOwnEmployer(scope, job.employerId, `Job ${id}`);
      return scope.workspaceId;
    }
    const scope = candidateScope(request);
    assertOwnCandidate(scope, id);
    if (!(await findCandidate(db, scope.workspaceId, id))) throw notFound(`Candidate ${id}`);
    return scope.workspaceId;
  }

  for (const side of ['job', 'candidate'] as const) {
    const path = side === 'job' ? '/v1/jobs/:id/alert' : '/v1/candidates/:id/alert';
    const roles: ('admin' | 'employer' | 'candidate')[] =
      side === 'job' ? ['admin', 'employer'] : ['admin', 'candidate'];
    const Side = side === 'job' ? 'Job' : 'Candidate';
    const what = side === 'job' ? 'job' : 'candidate';

    app.put(
      path,
      {
        config: { roles },
        // A PUT without a body switches the alert on at the default threshold, as `{}` does.
        preValidation: async (request) => {
          request.body ??= {};
        },
        schema: {
          operationId: `put${Side}Alert`,
          tags,
          summary: `Switch the ${what}'s alert on, or change its threshold`,
          description:
            'From now on, every pair that becomes reciprocally acceptable with a mutual score at least ' +
            '`minScore` raises `match.created`, and every such pair that stops being so `match.removed`. ' +
            'Pairs already above the threshold raise nothing.',
          params: idParam,
          body: alertBody,
          response: { 200: alertResponse, ...errors },
        },
      },
      async (request) => {
        const { id } = request.params;
        const workspaceId = await reach(request, side, id);
        const alert = await alerts.set(db, workspaceId, side, id, request.body.minScore);
        if (!alert) throw notFound(`${Side} ${id}`);
        return { alert };
      },
    );

    app.get(
      path,
      {
        config: { roles },
        schema: {
          operationId: `get${Side}Alert`,
          tags,
          summary: `The ${what}'s alert`,
          params: idParam,
          response: { 200: alertResponse, ...errors },
        },
      },
      async (request) => {
        const { id } = request.params;
        const alert = await alerts.find(db, await reach(request, side, id), side, id);
        if (!alert) throw notFound(`Alert of ${what} ${id}`);
        return { alert };
      },
    );

    app.delete(
      path,
      {
        config: { roles },
        schema: {
          operationId: `delete${Side}Alert`,
          tags,
          summary: `Switch the ${what}'s alert off`,
          params: idParam,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        if (!(await alerts.unset(db, await reach(request, side, id), side, id)))
          throw notFound(`Alert of ${what} ${id}`);
        return reply.code(204).send(null);
      },
    );

    app.get(
      `${path}/events`,
      {
        config: { roles },
        schema: {
          operationId: `list${Side}AlertEvents`,
          tags,
          summary: `The ${what}'s alert events, oldest first (kept 30 days): a feed to poll`,
          description:
            'Replayed in order onto the pairs above the threshold when the alert was switched on, ' +
            "they give the pairs above it now (the subject's listing filtered by the threshold).",
          params: idParam,
          querystring: alertEventsQuery,
          response: { 200: alertEventsResponse, ...errors },
        },
      },
      async (request) => {
        const { id } = request.params;
        const { limit, cursor } = request.query;
        const workspaceId = await reach(request, side, id);
        const key = await cursorKey();
        const position = decodeEventCursor(key, cursor, id);
        // A sealed cursor was issued here; an unsealed one (from before) beyond every event was not.
        if (position && !position.sealed && position.seq > (await lastFeedSeq(db))) throw notIssued();
        const page = await readFeed(db, workspaceId, side, id, { limit, after: position });
        return {
          events: page.events,
          nextCursor: encodeEventCursor(key, page.last ?? { seq: 0, n: 0 }, id),
          hasMore: page.hasMore,
        };
      },
    );
  }
};
