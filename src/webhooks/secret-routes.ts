import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireRole } from '../auth/plugin.ts';
import type { Db } from '../db/client.ts';
import { AppError, notFound, problemSchema } from '../http/errors.ts';
import { idParam } from '../http/params.ts';
import { findSubscription, rotateSecret } from './repository.ts';
import { DEFAULT_SECRET_OVERLAP_SECONDS, secretRotated, secretRotation } from './schemas.ts';
import { newWebhookSecret } from './signing.ts';

/** Signing-secret rotation, beside the subscription routes and under the same access rules. */
export const webhookSecretRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.post(
    '/v1/webhooks/:id/secret/rotate',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'rotateWebhookSecret',
        tags: ['webhooks'],
        summary:
          'Replace the signing secret (shown once); the old one keeps signing beside it for overlapSeconds',
        params: idParam,
        body: secretRotation.nullish(),
        response: { 200: secretRotated, 400: problemSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request) => {
      const { workspaceId } = requireRole(request, 'admin');
      const secret = newWebhookSecret();
      const keepPrevious = request.body?.keepPrevious ?? false;
      const webhook = await rotateSecret(db, workspaceId, request.params.id, {
        secret,
        overlapSeconds: request.body?.overlapSeconds ?? DEFAULT_SECRET_OVERLAP_SECONDS,
        keepPrevious,
      });
      if (webhook) return { webhook: { ...webhook, secret } };
      if (keepPrevious && (await findSubscription(db, workspaceId, request.params.id))) {
        throw new AppError(
          'conflict',
          'No previous secret signs now, so there is none to keep: rotate without keepPrevious.',
        );
      }
      throw notFound(`Webhook ${request.params.id}`);
    },
  );
};
