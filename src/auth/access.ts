import type { FastifyRequest } from 'fastify';
import { notFound } from '../http/errors.ts';
import { requireRole } from './plugin.ts';

/** Admins see every employer; an employer key sees only its own. Anything else: 404. */
export function employerScope(request: FastifyRequest) {
  const principal = requireRole(request, 'admin', 'employer');
  return {
    workspaceId: principal.workspaceId,
    employerId: principal.role === 'employer' ? principal.employerId : undefined,
  };
}

/** Throws the same 404 as a missing record when an employer key reaches for another employer's. */
export function assertOwnEmployer(
  scope: { employerId: string | undefined },
  employerId: string,
  what: string,
) {
  if (scope.employerId !== undefined && scope.employerId !== employerId) throw notFound(what);
}

/** Admins see every candidate; a candidate key sees only itself. Anything else: 404. */
export function candidateScope(request: FastifyRequest) {
  const principal = requireRole(request, 'admin', 'candidate');
  return {
    workspaceId: principal.workspaceId,
    candidateId: principal.role === 'candidate' ? principal.candidateId : undefined,
  };
}

export function assertOwnCandidate(scope: { candidateId: string | undefined }, candidateId: string) {
  if (scope.candidateId !== undefined && scope.candidateId !== candidateId)
    throw notFound(`Candidate ${candidateId}`);
}
