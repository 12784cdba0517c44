import type { DbOrTx } from '../db/client.ts';
import { AppError } from '../http/errors.ts';
import { employerNames, existingEmployerIds } from './repository.ts';

/** What a candidate's privacy settings are made of (docs/matching.md#candidate-privacy). */
export interface CandidatePrivacy {
  paused: boolean;
  hiddenFromEmployerIds: readonly string[];
}

/** The 409 that says what a paused candidate does not get (`refused`: "no matches", say). */
export function candidatePaused(candidateId: string, refused: string): AppError {
  return new AppError(
    'candidate_paused',
    `Candidate ${candidateId} is paused: ${refused} until resumed (PATCH { "paused": false }).`,
  );
}

/** Does the candidate hide from this employer (and so from its jobs)? */
export function hidesFrom(candidate: CandidatePrivacy, employerId: string): boolean {
  return candidate.hiddenFromEmployerIds.includes(employerId);
}

/**
 * A hidden list as it is stored: lower-case, sorted, each id once. A 422 names every id that is not an
 * employer of the workspace (another workspace's employer is as unknown as one that never was).
 */
export async function hiddenListToStore(db: DbOrTx, workspaceId: string, ids: readonly string[]) {
  const list = [...new Set(ids.map((id) => id.toLowerCase()))].sort();
  const known = await existingEmployerIds(db, workspaceId, list);
  const unknown = list.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new AppError(
      'invalid_input',
      `No employer ${unknown.join(', ')} in this workspace; a candidate hides from employers of its own workspace.`,
      {
        errors: unknown.map((id) => ({
          path: `body.hiddenFromEmployerIds.${ids.findIndex((given) => given.toLowerCase() === id)}`,
          message: `no such employer: ${id}`,
        })),
      },
    );
  }
  return list;
}

/** The hidden employers with their names, in the hidden list's order; only employers of the workspace. */
export async function namedHiddenEmployers(db: DbOrTx, workspaceId: string, hidden: readonly string[]) {
  const names = new Map((await employerNames(db, workspaceId, hidden)).map((e) => [e.id, e.name]));
  return hidden.flatMap((id) => {
    const name = names.get(id);
    return name === undefined ? [] : [{ id, name }];
  });
}
