import type { DbOrTx } from '../db/client.ts';
import { and, asc, eq, gte, lt, sql } from '../db/orm.ts';
import { rowsOf } from '../db/rows.ts';
import { alertFeed, alertMentions } from '../db/schema.ts';
import { idToWords, wordsToId } from '../matching/engine/uuid-words.ts';
import type { IndexSide } from '../matching/index.ts';
import type { AlertPair, FoundPairs } from './found-pairs.ts';
import { Turns } from './turns.ts';

/** The feed keeps events this long (then the hourly purge drops them). */
export const ALERT_EVENT_RETENTION_DAYS = 30;

/** Events a feed row holds at most: PostgreSQL reads a whole row (its bytes) for any slice of it. */
export const FEED_ROW = 1_000;

/** Events a write statement carries at most (one run of bytes per column). */
const WRITE_EVENTS = 50_000;

/**
 * Feed rows a write statement carries at most: the driver turns each row's fields into array
 * literals on the event loop, about 1 µs an element (a job write can raise one event for each of
 * tens of thousands of alerting candidates, a row each).
 */
const WRITE_ROWS = 2_048;

export type AlertEventType = 'match.created' | 'match.removed';

/** A place in a subject's feed: `n` events of row `seq` were read (undefined: all of them). */
export interface FeedPosition {
  seq: number;
  n?: number | undefined;
}

/**
 * One kind of a write's crossings (its match.removed, or its match.created), in order: what a feed
 * row needs of each event, without an object per event (a bulk batch raises hundreds of thousands).
 */
export interface FeedEvents {
  readonly length: number;
  alertOf(k: number): IndexSide;
  /** The alerting subject's id: the feed event `k` goes to. */
  subjectId(k: number): string;
  /** True when event `k` goes to the same feed as event `k - 1` (false is always correct, only slower). */
  sameSubjectAsPrevious(k: number): boolean;
  /** The pair's other profile, the one the feed names: its id's 16 bytes (uuid_send's) into `bytes` at byte `at`. */
  writeNamedId(k: number, bytes: DataView, at: number): void;
  /** The pair's candidate: a job's feed mentions it (erasure and export find the rows by it). */
  candidateId(k: number): string;
  /** The score announced: null for a pair that is no longer acceptable at all. */
  score(k: number): number | null;
}

/** A write's crossings: pairs now above an alert's threshold, and pairs no longer (with their score now, or null). */
export interface Crossings {
  removed: FeedEvents;
  created: FeedEvents;
}

type ScoredPair = Omit<AlertPair, 'score'> & { score: number | null };

/** Events given one object each: a few made by hand (the tests' reference for `foundEvents`). */
export function pairEvents(pairs: readonly ScoredPair[]): FeedEvents {
  return {
    length: pairs.length,
    alertOf: (k) => pairs[k]!.alertOf,
    subjectId: (k) => (pairs[k]!.alertOf === 'job' ? pairs[k]!.jobId : pairs[k]!.candidateId),
    sameSubjectAsPrevious: () => false,
    writeNamedId: (k, bytes, at) =>
      writeId(bytes, at, pairs[k]!.alertOf === 'job' ? pairs[k]!.candidateId : pairs[k]!.jobId),
    candidateId: (k) => pairs[k]!.candidateId,
    score: (k) => pairs[k]!.score,
  };
}

/**
 * Found pairs as events, in order, read from their arrays: a string per alerting subject's run, not
 * per event. Event `k` is pair `positions[k]` (default: pair `k`, every pair found: a write of new
 * profiles, which had nothing before) with score `scores[k]` (NaN: null; default: the score found).
 * A write's removed pairs are positions in its pairs before it, with their score now (scoresNow).
 */
export function foundEvents(pairs: FoundPairs, positions?: Int32Array, scores?: Float64Array): FeedEvents {
  const pairOf = positions ? (k: number) => positions[k]! : (k: number) => k;
  const own = (i: number) => pairs.alertOfAt(i) === pairs.side;
  // The changed profiles' ids as words, by owner number (made at their first event).
  const ownerWords: Uint32Array[] = [];
  const wordsOf = (owner: number) => (ownerWords[owner] ??= idToWords(pairs.ownerId(owner)));
  return {
    length: positions ? positions.length : pairs.length,
    alertOf: (k) => pairs.alertOfAt(pairOf(k)),
    subjectId: (k) => {
      const i = pairOf(k);
      return own(i) ? pairs.ownerId(pairs.ownerAt(i)) : pairs.otherIdAt(i);
    },
    sameSubjectAsPrevious: (k) => {
      if (k === 0) return false;
      const i = pairOf(k);
      const previous = pairOf(k - 1);
      return (
        pairs.alertOfAt(i) === pairs.alertOfAt(previous) &&
        (own(i) ? pairs.ownerAt(i) === pairs.ownerAt(previous) : pairs.sameOtherAt(i, previous))
      );
    },
    writeNamedId: (k, bytes, at) => {
      const i = pairOf(k);
      if (own(i)) return pairs.writeOtherId(i, bytes, at);
      const words = wordsOf(pairs.ownerAt(i));
      for (let w = 0; w < 4; w++) bytes.setUint32(at + 4 * w, words[w]!);
    },
    candidateId: (k) => {
      const i = pairOf(k);
      return pairs.side === 'candidate' ? pairs.ownerId(pairs.ownerAt(i)) : pairs.otherIdAt(i);
    },
    score: (k) => {
      if (!scores) return pairs.scoreAt(pairOf(k));
      return Number.isNaN(scores[k]!) ? null : scores[k]!;
    },
  };
}

/** A feed row being made: its events' positions in the removals (the first `removed`), then in the creations. */
interface FeedRow {
  alertOf: IndexSide;
  subjectId: string;
  events: number[];
  removed: number;
}

/** Events grouped between pauses (see Turns). */
const PIECE = 4_096;

/**
 * Appends a write's crossings to the feeds (docs/architecture.md#alerts): one row per alerting
 * subject (cut at FEED_ROW events), its match.removed first, each kind in the order given, and for
 * the rows of jobs' feeds one mention per candidate they name, so erasure and export find them.
 */
export async function appendToFeeds(
  tx: DbOrTx,
  workspaceId: string,
  crossings: Crossings,
  turns = new Turns(),
): Promise<void> {
  const rows = await feedRows(crossings, turns);
  for (let start = 0; start < rows.length; ) {
    let end = start;
    let size = 0;
    const fits = () => end - start < WRITE_ROWS && size + rows[end]!.events.length <= WRITE_EVENTS;
    while (end < rows.length && (end === start || fits())) size += rows[end++]!.events.length;
    await insertRows(tx, workspaceId, rows.slice(start, end), crossings, turns);
    start = end;
  }
}

async function feedRows({ removed, created }: Crossings, turns: Turns): Promise<FeedRow[]> {
  const bySubject = { job: new Map<string, FeedRow[]>(), candidate: new Map<string, FeedRow[]>() };
  // Removed first: the feed row's order (see alertFeed.removed).
  for (const [kind, events] of [removed, created].entries()) {
    let rows: FeedRow[] = [];
    for (let k = 0; k < events.length; k++) {
      if (k === 0 || !events.sameSubjectAsPrevious(k)) {
        const alertOf = events.alertOf(k);
        const subjectId = events.subjectId(k);
        const held = bySubject[alertOf].get(subjectId);
        rows = held ?? [{ alertOf, subjectId, events: [], removed: 0 }];
        if (!held) bySubject[alertOf].set(subjectId, rows);
      }
      let row = rows.at(-1)!;
      if (row.events.length === FEED_ROW) {
        row = { alertOf: row.alertOf, subjectId: row.subjectId, events: [], removed: 0 };
        rows.push(row);
      }
      row.events.push(k);
      if (kind === 0) row.removed++;
      if (k % PIECE === PIECE - 1) await turns.pause();
    }
  }
  return [...bySubject.job.values(), ...bySubject.candidate.values()].flat();
}

async function insertRows(
  tx: DbOrTx,
  workspaceId: string,
  rows: FeedRow[],
  crossings: Crossings,
  turns: Turns,
) {
  // Every row's events in one run of bytes per column, each row taking its part (offsets in events).
  const starts: number[] = [];
  let size = 0;
  for (const row of rows) {
    starts.push(size);
    size += row.events.length;
  }
  const ids = new DataView(new ArrayBuffer(size * ID_BYTES));
  const scores = new DataView(new ArrayBuffer(size * SCORE_BYTES));
  // The candidates jobs' rows name, for their mentions.
  const named = new Set<string>();
  let at = 0;
  for (const row of rows) {
    for (const [j, k] of row.events.entries()) {
      const events = j < row.removed ? crossings.removed : crossings.created;
      events.writeNamedId(k, ids, at * ID_BYTES);
      scores.setFloat64(at * SCORE_BYTES, events.score(k) ?? Number.NaN);
      if (row.alertOf === 'job') named.add(events.candidateId(k));
      if (++at % PIECE === 0) await turns.pause();
    }
  }
  // As bytes too: an array literal of tens of thousands of uuids would hold the event loop.
  const mentioned = new DataView(new ArrayBuffer(named.size * ID_BYTES));
  let m = 0;
  for (const id of named) {
    writeId(mentioned, m * ID_BYTES, id);
    if (++m % PIECE === 0) await turns.pause();
  }
  // One statement: the rows, and for jobs' rows one mention per candidate they name (with the
  // first and last of those rows' sequence numbers).
  await tx.execute(sql`
    with inserted as (
      insert into alert_feed (workspace_id, alert_of, subject_id, other_ids, scores, removed, size)
      select ${workspaceId}::uuid, r.alert_of::alert_side, r.subject_id,
             substring(e.ids from r.start * 16 + 1 for r.size * 16),
             substring(e.scores from r.start * 8 + 1 for r.size * 8), r.removed, r.size
        from unnest(${sql.param(rows.map((r) => r.alertOf))}::text[],
                    ${sql.param(rows.map((r) => r.subjectId))}::uuid[],
                    ${sql.param(starts)}::int[],
                    ${sql.param(rows.map((r) => r.events.length))}::int[],
                    ${sql.param(rows.map((r) => r.removed))}::int[])
             with ordinality as r(alert_of, subject_id, start, size, removed, n),
             (select ${sql.param(bytesOf(ids))}::bytea as ids, ${sql.param(bytesOf(scores))}::bytea as scores) as e
       order by r.n
      returning seq, alert_of),
    seqs as (select min(seq) as first, max(seq) as last from inserted where alert_of = 'job')
    insert into alert_mentions (workspace_id, candidate_id, first_seq, last_seq)
    select ${workspaceId}::uuid, encode(substring(c.ids from g.i * 16 + 1 for 16), 'hex')::uuid,
           seqs.first, seqs.last
      from (select ${sql.param(bytesOf(mentioned))}::bytea as ids) as c,
           generate_series(0, ${named.size}::int - 1) as g(i), seqs
    on conflict do nothing`);
}

const ID_BYTES = 16;
const SCORE_BYTES = 8;
const scratchWords = new Uint32Array(4);

/** The id's 16 bytes as uuid_send gives them, at byte `at`. */
function writeId(bytes: DataView, at: number, id: string): void {
  const words = idToWords(id, scratchWords);
  for (let w = 0; w < 4; w++) bytes.setUint32(at + 4 * w, words[w]!);
}

function readId(bytes: DataView, at: number): string {
  for (let w = 0; w < 4; w++) scratchWords[w] = bytes.getUint32(at * ID_BYTES + 4 * w);
  return wordsToId(scratchWords, 0);
}

/** The score at event `at`; null where it was stored as NaN (no longer acceptable at all). */
function readScore(bytes: DataView, at: number): number | null {
  const score = bytes.getFloat64(at * SCORE_BYTES);
  return Number.isNaN(score) ? null : score;
}

const bytesOf = (view: DataView) => Buffer.from(view.buffer, view.byteOffset, view.byteLength);
const viewOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The highest sequence number any feed row was given (0 before the first): no cursor is beyond it. */
export async function lastFeedSeq(db: DbOrTx): Promise<number> {
  const result = await db.execute(
    sql`select case when is_called then last_value else 0 end as last from alert_feed_seq_seq`,
  );
  return Number(rowsOf<{ last: string | number }>(result)[0]!.last);
}

export interface FeedEvent {
  type: AlertEventType;
  jobId: string;
  candidateId: string;
  score: number | null;
  alertOf: IndexSide;
  createdAt: Date;
}

/**
 * Up to `limit` events of one subject's feed after `after`, oldest first, with the position of the
 * last one and whether more follow. Reads the rows' sizes first, then only the slices it returns.
 */
export async function readFeed(
  db: DbOrTx,
  workspaceId: string,
  side: IndexSide,
  subjectId: string,
  page: { limit: number; after: FeedPosition | undefined },
): Promise<{ events: FeedEvent[]; last: FeedPosition | undefined; hasMore: boolean }> {
  const { after, limit } = page;
  const from = after === undefined ? 0 : after.n === undefined ? after.seq + 1 : after.seq;
  // Every row holds at least one event: limit + 2 rows cover a partly read first row and one more.
  const rows = await db
    .select({
      seq: alertFeed.seq,
      removed: alertFeed.removed,
      size: alertFeed.size,
      createdAt: alertFeed.createdAt,
    })
    .from(alertFeed)
    .where(
      and(
        eq(alertFeed.subjectId, subjectId),
        eq(alertFeed.workspaceId, workspaceId),
        eq(alertFeed.alertOf, side),
        gte(alertFeed.seq, from),
      ),
    )
    .orderBy(asc(alertFeed.seq))
    .limit(limit + 2);
  const slices: { seq: number; lo: number; hi: number; removed: number; createdAt: Date }[] = [];
  let wanted = limit + 1;
  for (const row of rows) {
    if (wanted === 0) break;
    const lo = after?.n !== undefined && row.seq === after.seq ? after.n : 0;
    const hi = Math.min(row.size, lo + wanted);
    if (hi <= lo) continue;
    slices.push({ seq: row.seq, lo, hi, removed: row.removed, createdAt: row.createdAt });
    wanted -= hi - lo;
  }
  if (slices.length === 0) return { events: [], last: after, hasMore: false };
  const parts = new Map(
    rowsOf<{ seq: string | number; ids: Uint8Array; scores: Uint8Array }>(
      await db.execute(sql`
        select f.seq, substring(f.other_ids from w.lo * 16 + 1 for (w.hi - w.lo) * 16) as ids,
               substring(f.scores from w.lo * 8 + 1 for (w.hi - w.lo) * 8) as scores
          from unnest(${sql.param(slices.map((s) => s.seq))}::bigint[],
                      ${sql.param(slices.map((s) => s.lo))}::int[],
                      ${sql.param(slices.map((s) => s.hi))}::int[]) as w(seq, lo, hi)
          join alert_feed f on f.seq = w.seq`),
    ).map((row) => [Number(row.seq), { ids: viewOf(row.ids), scores: viewOf(row.scores) }]),
  );
  const events: FeedEvent[] = [];
  let last = after;
  for (const slice of slices) {
    const { ids, scores } = parts.get(slice.seq)!;
    for (let k = 0; k < slice.hi - slice.lo && events.length < limit; k++) {
      const at = slice.lo + k;
      const otherId = readId(ids, k);
      last = { seq: slice.seq, n: at + 1 };
      if (otherId === ERASED) continue;
      events.push({
        type: at < slice.removed ? 'match.removed' : 'match.created',
        jobId: side === 'job' ? subjectId : otherId,
        candidateId: side === 'job' ? otherId : subjectId,
        score: readScore(scores, k),
        alertOf: side,
        createdAt: slice.createdAt,
      });
    }
  }
  return { events, last, hasMore: slices.reduce((sum, s) => sum + s.hi - s.lo, 0) > limit };
}

/**
 * The job rows that may name the candidate: those of the writes that mentioned it (the byte search
 * can match across two ids; callers compare whole ids).
 */
function mentioningRows(workspaceId: string, candidateId: string) {
  return sql`
    select distinct on (f.seq) f.seq, f.subject_id, f.other_ids, f.scores, f.removed, f.created_at
      from alert_mentions m
      join alert_feed f
        on f.seq between m.first_seq and m.last_seq
       and f.workspace_id = m.workspace_id and f.alert_of = 'job'
     where m.candidate_id = ${candidateId}::uuid and m.workspace_id = ${workspaceId}::uuid
       and position(uuid_send(${candidateId}::uuid) in f.other_ids) > 0
     order by f.seq`;
}

interface StoredRow {
  seq: string | number;
  subject_id: string;
  other_ids: Uint8Array;
  scores: Uint8Array;
  removed: number;
  created_at: Date | string;
}

/** A stored row's events: the other side's id (ERASED where erasure blanked it), the score, and whether it is a removal. */
function eventsOf(row: StoredRow) {
  const ids = viewOf(row.other_ids);
  const scores = viewOf(row.scores);
  return Array.from({ length: row.other_ids.length / ID_BYTES }, (_, k) => ({
    otherId: readId(ids, k),
    score: readScore(scores, k),
    removed: k < row.removed,
  }));
}

/**
 * The id erasure leaves in place of the candidate's in rows it shares (the nil UUID, which no
 * profile has): blanking, not removing, keeps every other event where a reader's cursor expects it.
 */
const ERASED = '00000000-0000-0000-0000-000000000000';

/**
 * Erasure: the candidate's own feed goes, and every event naming it in jobs' feeds is blanked (id
 * and score; a row left with blanks only goes whole), with its mentions; the match.removed events
 * its erasure raises for alerting jobs are written afterwards.
 */
export async function forgetCandidateInFeeds(tx: DbOrTx, workspaceId: string, candidateId: string) {
  await tx
    .delete(alertFeed)
    .where(
      and(
        eq(alertFeed.workspaceId, workspaceId),
        eq(alertFeed.alertOf, 'candidate'),
        eq(alertFeed.subjectId, candidateId),
      ),
    );
  const rows = rowsOf<StoredRow>(await tx.execute(mentioningRows(workspaceId, candidateId)));
  for (const row of rows) {
    const events = eventsOf(row);
    if (events.every((event) => event.otherId === candidateId || event.otherId === ERASED)) {
      await tx.delete(alertFeed).where(eq(alertFeed.seq, Number(row.seq)));
      continue;
    }
    const ids = new Uint8Array(row.other_ids);
    const scores = new DataView(new Uint8Array(row.scores).buffer);
    events.forEach((event, k) => {
      if (event.otherId !== candidateId) return;
      ids.fill(0, k * ID_BYTES, (k + 1) * ID_BYTES);
      scores.setFloat64(k * SCORE_BYTES, Number.NaN);
    });
    await tx
      .update(alertFeed)
      .set({ otherIds: Buffer.from(ids.buffer), scores: bytesOf(scores) })
      .where(eq(alertFeed.seq, Number(row.seq)));
  }
  await tx
    .delete(alertMentions)
    .where(and(eq(alertMentions.workspaceId, workspaceId), eq(alertMentions.candidateId, candidateId)));
}

/** Export: the announcements naming the candidate in every feed (its own and alerting jobs'), oldest first. */
export async function feedEventsOfCandidate(db: DbOrTx, workspaceId: string, candidateId: string) {
  const own = await db.execute(sql`
    select seq, subject_id, other_ids, scores, removed, created_at from alert_feed
     where workspace_id = ${workspaceId}::uuid and alert_of = 'candidate' and subject_id = ${candidateId}::uuid
     order by seq`);
  const jobs = await db.execute(mentioningRows(workspaceId, candidateId));
  const events = (alertOf: IndexSide, rows: StoredRow[]) =>
    rows.flatMap((row) =>
      eventsOf(row).flatMap(({ otherId, score, removed }, k) =>
        (alertOf === 'job' && otherId !== candidateId) || otherId === ERASED
          ? []
          : [
              {
                seq: Number(row.seq),
                k,
                alertOf,
                subjectId: row.subject_id,
                type: (removed ? 'match.removed' : 'match.created') as AlertEventType,
                jobId: alertOf === 'job' ? row.subject_id : otherId,
                score,
                at: new Date(row.created_at),
              },
            ],
      ),
    );
  return [...events('candidate', rowsOf<StoredRow>(own)), ...events('job', rowsOf<StoredRow>(jobs))]
    .sort((a, b) => a.seq - b.seq || a.k - b.k)
    .map(({ seq: _, k: __, ...event }) => event);
}

export async function purgeFeedsBefore(db: DbOrTx, cutoff: Date): Promise<void> {
  await db.delete(alertFeed).where(lt(alertFeed.createdAt, cutoff));
  await db.delete(alertMentions).where(lt(alertMentions.createdAt, cutoff));
}
