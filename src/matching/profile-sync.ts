import type { Db } from '../db/client.ts';
import type { IndexSide, MatchIndex } from './index.ts';
import { refreshProfiles } from './sync.ts';

/**
 * Read-your-writes: after a write commits, the writing process puts the changed profiles where
 * they now belong in its index before answering. Other processes follow the change feed.
 */
export interface ProfileSync {
  changed(workspaceId: string, side: IndexSide, ids: string[]): Promise<void>;
}

export function createProfileSync(db: Db, index: MatchIndex): ProfileSync {
  return { changed: (workspaceId, side, ids) => refreshProfiles(db, index, workspaceId, side, ids) };
}
