import type { AnswerSet } from '../answers/types.ts';
import type { IndexSide, PackedRow } from './index.ts';

/**
 * Read-your-writes: after a write commits, the writing request has the changed profiles re-read
 * into its process's index before it answers (ChangeFollower.refresh implements this).
 */
export interface ProfileSync {
  /** Marks the change-feed rows of a bulk write as this app's own (see ChangeFollower). */
  readonly origin: string;
  /** The match index's packed rows for answer sets, stored beside them. */
  pack(
    answerSets: { questionnaireId: string; questionnaireVersion: number; answers: AnswerSet }[],
  ): PackedRow[];
  refresh(workspaceId: string, side: IndexSide, ids: string[]): Promise<void>;
}
