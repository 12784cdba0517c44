import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { AppError } from '../http/errors.ts';
import { hashApiKey, sameSecret } from './keys.ts';
import type { Principal, Role } from './principal.ts';
import { findActiveKeyByHash } from './repository.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Routes anyone may call without a key (health, docs). */
    public?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function registerAuth(app: FastifyInstance, deps: { db: Db; config: Config }): void {
  app.decorateRequest('principal', null);
  // preParsing: after the rate limit (onRequest), before a body is read for an unknown caller.
  app.addHook('preParsing', async (request) => {
    // Unknown routes fall through to the 404 handler; public ones and CORS preflights need no key.
    if (!request.routeOptions.url || request.routeOptions.config.public || request.method === 'OPTIONS')
      return;
    request.principal = await authenticate(request, deps);
  });
}

async function authenticate(request: FastifyRequest, deps: { db: Db; config: Config }): Promise<Principal> {
  const header = request.headers.authorization;
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  if (!match?.[1]) {
    throw new AppError('unauthorized', 'Send your API key as "Authorization: Bearer <key>".');
  }
  const key = match[1];
  const platformKey = deps.config.BOOTSTRAP_PLATFORM_KEY;
  if (platformKey && sameSecret(key, platformKey)) return { role: 'platform' };

  const row = await findActiveKeyByHash(deps.db, hashApiKey(key));
  if (!row) throw new AppError('unauthorized', 'The API key is not valid or has been revoked.');
  switch (row.role) {
    case 'admin':
      return { role: 'admin', workspaceId: row.workspaceId, keyId: row.id };
    case 'employer':
      return { role: 'employer', workspaceId: row.workspaceId, keyId: row.id, employerId: row.employerId! };
    case 'candidate':
      return {
        role: 'candidate',
        workspaceId: row.workspaceId,
        keyId: row.id,
        candidateId: row.candidateId!,
      };
  }
}

/**
 * The caller, narrowed to the roles an endpoint serves. Any other caller gets the same 404 as
 * for something that does not exist, so the endpoint reveals nothing to them.
 */
export function requireRole<R extends Role>(
  request: FastifyRequest,
  ...roles: R[]
): Extract<Principal, { role: R }> {
  const principal = request.principal;
  if (!principal || !roles.includes(principal.role as R)) {
    throw new AppError('not_found', `No route ${request.method} ${request.url.split('?')[0]} for this key.`);
  }
  return principal as Extract<Principal, { role: R }>;
}
