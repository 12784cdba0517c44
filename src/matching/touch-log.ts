/**
 * Which profiles were put into the index (or read to be put there) since a point in time, so a
 * write can put its profiles in as written, without reading them back, unless something else
 * may have put in a newer state meanwhile (see ChangeFollower.writeThrough).
 *
 * A write takes a mark before it starts (`begin`); every reader and writer of the index records
 * the ids it works on (`touch`) from before it reads until it has applied. At the write's turn,
 * `since(mark)` names the ids that were touched after the mark or are still being read: for
 * those the written state may be older than the index's, so the write reads them back instead.
 */
export class TouchLog {
  private clock = 0;
  private readonly marks = new Set<number>();
  private entries: { at: number; ids: readonly string[]; done: boolean }[] = [];

  begin(): number {
    const mark = ++this.clock;
    this.marks.add(mark);
    return mark;
  }

  end(mark: number): void {
    this.marks.delete(mark);
    this.prune();
  }

  /** Call before reading (or changing) these profiles; call the function returned once applied. */
  touch(ids: readonly string[]): () => void {
    const entry = { at: ++this.clock, ids, done: false };
    this.entries.push(entry);
    return () => {
      entry.done = true;
      this.prune();
    };
  }

  /**
   * As touch, for a reader that puts what it read into the index: `newer()` names the ids a reader
   * or writer touched after this call and has already applied (its state is at least as new as
   * this read's: the reader must not put its older one over it). A later reader still at work is
   * not named: it applies after this one, and this one's read-your-writes must not wait for it.
   * Call `done` once applied.
   */
  read(ids: readonly string[]): { newer(): Set<string>; done(): void } {
    const mark = this.begin();
    const entry = { at: ++this.clock, ids, done: false };
    this.entries.push(entry);
    return {
      newer: () => {
        const newer = new Set<string>();
        for (const later of this.entries)
          if (later.at > entry.at && later.done) for (const id of later.ids) newer.add(id);
        return newer;
      },
      done: () => {
        entry.done = true;
        this.end(mark);
      },
    };
  }

  /** Ids touched after `mark`, or touched before it and not applied yet. */
  since(mark: number): Set<string> {
    const ids = new Set<string>();
    for (const entry of this.entries)
      if (entry.at > mark || !entry.done) for (const id of entry.ids) ids.add(id);
    return ids;
  }

  /** Entries no open mark can ask about again. */
  private prune(): void {
    let oldest = Number.POSITIVE_INFINITY;
    for (const mark of this.marks) oldest = Math.min(oldest, mark);
    this.entries = this.entries.filter((entry) => !entry.done || entry.at > oldest);
  }
}
