import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { AppError } from '../http/errors.ts';
import { findSessionByHash } from '../sessions/repository.ts';
import type { Credential, CredentialCache } from './credential-cache.ts';
import { AuthFailureLimiter } from './failures.ts';
import { hashApiKey, SESSION_TOKEN_PREFIX, sameSecret } from './keys.ts';
import type { Principal, Role, WorkspacePrincipal } from './principal.ts';
import { findActiveKeyByHash } from './repository.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Routes anyone may call without a key (health, docs). */
    public?: boolean;
    /** Who may call the route (every other route must say); anyone else gets a 404. */
    roles?: readonly Role[];
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** Every route that needs a key, with the roles it serves. */
    keyedRoutes: { method: string; url: string; roles: readonly Role[] }[];
  }
}

/** Every kind of key, for routes any caller with a key may use. */
export const anyRole: readonly Role[] = ['platform', 'admin', 'employer', 'candidate'];

type AuthDeps = { db: Db; config: Config; credentials: CredentialCache; failures: AuthFailureLimiter };

export function registerAuth(
  app: FastifyInstance,
  deps: { db: Db; config: Config; credentials: CredentialCache },
): void {
  const failures = new AuthFailureLimiter({
    limit: deps.config.AUTH_FAILURE_LIMIT,
    windowMs: deps.config.AUTH_FAILURE_WINDOW_MS,
  });
  app.decorateRequest('principal', null);
  const keyedRoutes: FastifyInstance['keyedRoutes'] = [];
  app.decorate('keyedRoutes', keyedRoutes);
  // A route that forgets to say who may call it must not start, rather than be open to every key.
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat().filter((method) => method !== 'OPTIONS');
    if (route.config?.public || methods.length === 0) return;
    const roles = route.config?.roles;
    if (!roles?.length) {
      throw new Error(`Route ${methods.join(',')} ${route.url} declares neither config.roles nor public.`);
    }
    for (const method of methods) keyedRoutes.push({ method, url: route.url, roles });
  });
  // preParsing: after the rate limit (onRequest), before a body is read for an unknown caller, and
  // so the role check comes before any body validation that would reveal the route's shape.
  app.addHook('preParsing', async (request, reply) => {
    // Unknown routes fall through to the 404 handler; public ones and CORS preflights need no key.
    const { url, config } = request.routeOptions;
    if (!url || config.public || request.method === 'OPTIONS') return;
    request.principal = await authenticate(request, reply, { ...deps, failures });
    if (!config.roles?.includes(request.principal.role)) throw notForThisKey(request);
  });
}

async function authenticate(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: AuthDeps,
): Promise<Principal> {
  const waitMs = deps.failures.blockedFor(request.ip);
  if (waitMs > 0) {
    const seconds = Math.ceil(waitMs / 1000);
    reply.header('retry-after', seconds);
    throw new AppError(
      'rate_limited',
      `Too many failed authentications from this address; retry in ${seconds} s with a valid key.`,
    );
  }
  try {
    return await verifyKey(request, deps);
  } catch (error) {
    // An expired session proves its holder once had a valid token: no guessing, so it is not counted.
    const guess =
      error instanceof AppError && error.code === 'unauthorized' && !(error instanceof SessionExpired);
    if (guess) deps.failures.recordFailure(request.ip);
    throw error;
  }
}

async function verifyKey(request: FastifyRequest, deps: AuthDeps): Promise<Principal> {
  const header = request.headers.authorization;
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  // Node keeps the first of several Authorization headers; a proxy in front may act on another.
  if (authorizationHeaders(request) > 1) {
    throw new AppError('unauthorized', 'Send one Authorization header; this request has several.');
  }
  if (!match?.[1]) {
    throw new AppError('unauthorized', 'Send your API key as "Authorization: Bearer <key>".');
  }
  const key = match[1];
  const platformKey = deps.config.BOOTSTRAP_PLATFORM_KEY;
  if (platformKey && sameSecret(key, platformKey)) return { role: 'platform' };
  const session = key.startsWith(SESSION_TOKEN_PREFIX);
  const hash = hashApiKey(key);
  let credential = deps.credentials.get(hash);
  if (!credential) {
    const generation = deps.credentials.begin();
    credential = session ? await findSession(deps.db, hash) : await findKey(deps.db, hash);
    if (credential) deps.credentials.set(hash, credential, generation);
  }
  if (!credential) {
    throw new AppError(
      'unauthorized',
      session
        ? 'The session token is not valid or has been revoked.'
        : 'The API key is not valid or has been revoked.',
    );
  }
  if (credential.expiresAt && credential.expiresAt.getTime() <= Date.now())
    throw new SessionExpired(credential.expiresAt);
  return credential.principal;
}

async function findKey(db: Db, hash: string): Promise<Credential | undefined> {
  const row = await findActiveKeyByHash(db, hash);
  if (!row) return undefined;
  const base = { workspaceId: row.workspaceId, keyId: row.id };
  switch (row.role) {
    case 'admin':
      return { kind: 'key', principal: { role: 'admin', ...base } };
    case 'employer':
      return { kind: 'key', principal: { role: 'employer', ...base, employerId: row.employerId! } };
    case 'candidate':
      return { kind: 'key', principal: { role: 'candidate', ...base, candidateId: row.candidateId! } };
  }
}

class SessionExpired extends AppError {
  constructor(expiresAt: Date) {
    super(
      'unauthorized',
      `The session expired at ${expiresAt.toISOString()}; ask the partner's server for a new one.`,
    );
  }
}

async function findSession(db: Db, hash: string): Promise<Credential | undefined> {
  const row = await findSessionByHash(db, hash);
  if (!row) return undefined;
  const base = { workspaceId: row.workspaceId, keyId: row.id };
  const principal: WorkspacePrincipal =
    row.role === 'candidate'
      ? { role: 'candidate', ...base, candidateId: row.candidateId! }
      : { role: 'employer', ...base, employerId: row.employerId! };
  return { kind: 'session', principal, expiresAt: row.expiresAt };
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
  if (!principal || !roles.includes(principal.role as R)) throw notForThisKey(request);
  return principal as Extract<Principal, { role: R }>;
}

const notForThisKey = (request: FastifyRequest) =>
  new AppError('not_found', `No route ${request.method} ${request.url.split('?')[0]} for this key.`);

function authorizationHeaders(request: FastifyRequest): number {
  const raw = request.raw.rawHeaders;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'authorization') count++;
  return count;
}
