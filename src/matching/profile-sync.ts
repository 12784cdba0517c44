import type { IndexSide } from './index.ts';

/**
 * Read-your-writes: after a write commits, the writing request has the changed profiles re-read
 * into its process's index before it answers (ChangeFollower.refresh implements this).
 */
export interface ProfileSync {
  /** Marks the change-feed rows of a bulk write as this app's own (see ChangeFollower). */
  readonly origin: string;
  refresh(workspaceId: string, side: IndexSide, ids: string[]): Promise<void>;
}
