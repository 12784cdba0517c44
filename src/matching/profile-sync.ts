import type { AnswerSet } from '../answers/types.ts';
import type { IndexSide, PackedRow, ProfileState } from './index.ts';

/**
 * Read-your-writes: after a write commits, the writing request has the changed profiles put into
 * its process's index before it answers (ChangeFollower implements this): re-read from PostgreSQL
 * (`refresh`), or, for a bulk write, as the write stored them (`writeThrough`).
 */
export interface ProfileSync {
  /** Marks the change-feed rows of a bulk write as this app's own (see ChangeFollower). */
  readonly origin: string;
  /** The match index's packed rows for answer sets, stored beside them. */
  pack(
    answerSets: { questionnaireId: string; questionnaireVersion: number; answers: AnswerSet }[],
  ): PackedRow[];
  refresh(workspaceId: string, side: IndexSide, ids: string[]): Promise<void>;
  /**
   * Runs a write that reports what each of its committed transactions stored (`written.add`), then
   * puts those profiles into the index as stored, with no read back — except any the index may
   * meanwhile hold a newer state of, which are read back (see TouchLog).
   */
  writeThrough<T>(
    workspaceId: string,
    side: IndexSide,
    write: (written: WrittenProfiles) => Promise<T>,
  ): Promise<T>;
}

/** A profile as a write stored it: its index state, or undefined where the write does not know it whole. */
export type WrittenProfile = { id: string; state: ProfileState | undefined };

/** The profiles a write has committed so far, as the index should hold them. */
export class WrittenProfiles {
  readonly states: ProfileState[] = [];
  /** Profiles to read back (the write left part of their state as it was). */
  readonly reread: string[] = [];

  /** Call once the transaction that stored these has committed. */
  add(profiles: Iterable<WrittenProfile>): void {
    for (const { id, state } of profiles) {
      if (state) this.states.push(state);
      else this.reread.push(id);
    }
  }
}
