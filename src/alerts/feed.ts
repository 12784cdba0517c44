import type { DbOrTx } from '../db/client.ts';
import { and, asc, eq, gte, lt, sql } from '../db/orm.ts';
import { rowsOf } from '../db/rows.ts';
import { alertFeed, alertMentions } from '../db/schema.ts';
import type { IndexSide } from '../matching/index.ts';

/** The feed keeps events this long (then the hourly purge drops them). */
export const ALERT_EVENT_RETENTION_DAYS = 30;

/** Events a feed row holds at most: a page read fetches whole rows' arrays. */
export const FEED_ROW = 1_000;

/** Events a write statement carries at most (one flat array per column). */
const WRITE_EVENTS = 50_000;

export type AlertEventType = 'match.created' | 'match.removed';

export interface AlertEvent {
  type: AlertEventType;
  alertOf: IndexSide;
  jobId: string;
  candidateId: string;
  score: number | null;
}

/** A place in a subject's feed: `n` events of row `seq` were read (undefined: all of them). */
export interface FeedPosition {
  seq: number;
  n?: number | undefined;
}

interface FeedRow {
  alertOf: IndexSide;
  subjectId: string;
  otherIds: string[];
  scores: (number | null)[];
  removed: number;
}

/**
 * Appends a write's events to the feeds (docs/architecture.md#alerts): one row per alerting
 * subject (cut at FEED_ROW events), its match.removed first, in the order given, and for the rows
 * of jobs' feeds one mention per candidate they name, so erasure and export find them.
 */
export async function appendToFeeds(tx: DbOrTx, workspaceId: string, events: AlertEvent[]): Promise<void> {
  const rows = feedRows(events);
  for (let start = 0; start < rows.length; ) {
    let end = start;
    let size = 0;
    while (end < rows.length && (end === start || size + rows[end]!.otherIds.length <= WRITE_EVENTS))
      size += rows[end++]!.otherIds.length;
    await insertRows(tx, workspaceId, rows.slice(start, end));
    start = end;
  }
}

function feedRows(events: AlertEvent[]): FeedRow[] {
  const bySubject = new Map<string, FeedRow[]>();
  // Removed first: the feed row's order (see alertFeed.removed).
  for (const removed of [true, false]) {
    for (const event of events) {
      if ((event.type === 'match.removed') !== removed) continue;
      const [subjectId, otherId] =
        event.alertOf === 'job' ? [event.jobId, event.candidateId] : [event.candidateId, event.jobId];
      const key = `${event.alertOf}:${subjectId}`;
      const rows = bySubject.get(key) ?? [];
      bySubject.set(key, rows);
      let row = rows.at(-1);
      if (!row || row.otherIds.length === FEED_ROW) {
        row = { alertOf: event.alertOf, subjectId, otherIds: [], scores: [], removed: 0 };
        rows.push(row);
      }
      row.otherIds.push(otherId);
      row.scores.push(event.score);
      if (removed) row.removed++;
    }
  }
  return [...bySubject.values()].flat();
}

async function insertRows(tx: DbOrTx, workspaceId: string, rows: FeedRow[]): Promise<void> {
  // Every row's events in one flat array per column, each row taking its slice (1-based, inclusive).
  const starts: number[] = [];
  let next = 1;
  for (const row of rows) {
    starts.push(next);
    next += row.otherIds.length;
  }
  const inserted = rowsOf<{ seq: string | number; alert_of: IndexSide }>(
    await tx.execute(sql`
      insert into alert_feed (workspace_id, alert_of, subject_id, other_ids, scores, removed, size)
      select ${workspaceId}::uuid, r.alert_of::alert_side, r.subject_id,
             e.ids[r.start : r.start + r.size - 1], e.scores[r.start : r.start + r.size - 1], r.removed, r.size
        from unnest(${sql.param(rows.map((r) => r.alertOf))}::text[],
                    ${sql.param(rows.map((r) => r.subjectId))}::uuid[],
                    ${sql.param(starts)}::int[],
                    ${sql.param(rows.map((r) => r.otherIds.length))}::int[],
                    ${sql.param(rows.map((r) => r.removed))}::int[])
             with ordinality as r(alert_of, subject_id, start, size, removed, n),
             (select ${sql.param(rows.flatMap((r) => r.otherIds))}::uuid[] as ids,
                     ${sql.param(rows.flatMap((r) => r.scores))}::float8[] as scores) as e
       order by r.n
      returning seq, alert_of`),
  );
  const jobSeqs = inserted.filter((row) => row.alert_of === 'job').map((row) => Number(row.seq));
  if (jobSeqs.length === 0) return;
  const named = new Set(rows.filter((row) => row.alertOf === 'job').flatMap((row) => row.otherIds));
  await tx.execute(sql`
    insert into alert_mentions (workspace_id, candidate_id, first_seq, last_seq)
    select ${workspaceId}::uuid, candidate_id, ${Math.min(...jobSeqs)}, ${Math.max(...jobSeqs)}
      from unnest(${sql.param([...named])}::uuid[]) as named(candidate_id)
    on conflict do nothing`);
}

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
  const arrays = new Map(
    rowsOf<{ seq: string | number; ids: string[]; scores: (number | null)[] }>(
      await db.execute(sql`
        select f.seq, f.other_ids[w.lo + 1 : w.hi] as ids, f.scores[w.lo + 1 : w.hi] as scores
          from unnest(${sql.param(slices.map((s) => s.seq))}::bigint[],
                      ${sql.param(slices.map((s) => s.lo))}::int[],
                      ${sql.param(slices.map((s) => s.hi))}::int[]) as w(seq, lo, hi)
          join alert_feed f on f.seq = w.seq`),
    ).map((row) => [Number(row.seq), row]),
  );
  const events: FeedEvent[] = [];
  let last = after;
  for (const slice of slices) {
    const { ids, scores } = arrays.get(slice.seq)!;
    for (let k = 0; k < ids.length && events.length < limit; k++) {
      const at = slice.lo + k;
      const [jobId, candidateId] = side === 'job' ? [subjectId, ids[k]!] : [ids[k]!, subjectId];
      events.push({
        type: at < slice.removed ? 'match.removed' : 'match.created',
        jobId,
        candidateId,
        score: scores[k] ?? null,
        alertOf: side,
        createdAt: slice.createdAt,
      });
      last = { seq: slice.seq, n: at + 1 };
    }
  }
  return { events, last, hasMore: slices.reduce((sum, s) => sum + s.hi - s.lo, 0) > limit };
}

/** The job rows that may name the candidate: those of the writes that mentioned it. */
function mentioningRows(workspaceId: string, candidateId: string) {
  return sql`
    select distinct on (f.seq) f.seq, f.subject_id, f.other_ids, f.scores, f.removed, f.created_at
      from alert_mentions m
      join alert_feed f
        on f.seq between m.first_seq and m.last_seq
       and f.workspace_id = m.workspace_id and f.alert_of = 'job'
     where m.candidate_id = ${candidateId}::uuid and m.workspace_id = ${workspaceId}::uuid
       and ${candidateId}::uuid = any(f.other_ids)
     order by f.seq`;
}

interface StoredRow {
  seq: string | number;
  subject_id: string;
  other_ids: string[];
  scores: (number | null)[];
  removed: number;
  created_at: Date | string;
}

/**
 * Erasure: the candidate's own feed and every event naming it in jobs' feeds go (a row left empty
 * goes whole), with its mentions; the match.removed events its erasure raises for alerting jobs
 * are written afterwards.
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
    const kept = row.other_ids.flatMap((id, k) => (id === candidateId ? [] : [k]));
    if (kept.length === 0) {
      await tx.delete(alertFeed).where(eq(alertFeed.seq, Number(row.seq)));
      continue;
    }
    await tx
      .update(alertFeed)
      .set({
        otherIds: kept.map((k) => row.other_ids[k]!),
        scores: kept.map((k) => row.scores[k]!),
        removed: kept.filter((k) => k < row.removed).length,
        size: kept.length,
      })
      .where(eq(alertFeed.seq, Number(row.seq)));
  }
  await tx
    .delete(alertMentions)
    .where(and(eq(alertMentions.workspaceId, workspaceId), eq(alertMentions.candidateId, candidateId)));
}

/** Export: the announcements naming the candidate in every feed (its own and alerting jobs'), oldest first. */
export async function feedEventsOfCandidate(db: DbOrTx, workspaceId: string, candidateId: string) {
  const [own, jobs] = await Promise.all([
    db.execute(sql`
      select seq, subject_id, other_ids, scores, removed, created_at from alert_feed
       where workspace_id = ${workspaceId}::uuid and alert_of = 'candidate' and subject_id = ${candidateId}::uuid`),
    db.execute(mentioningRows(workspaceId, candidateId)),
  ]);
  const events = (alertOf: IndexSide, rows: StoredRow[]) =>
    rows.flatMap((row) =>
      row.other_ids.flatMap((otherId, k) =>
        alertOf === 'job' && otherId !== candidateId
          ? []
          : [
              {
                seq: Number(row.seq),
                k,
                alertOf,
                subjectId: row.subject_id,
                type: (k < row.removed ? 'match.removed' : 'match.created') as AlertEventType,
                jobId: alertOf === 'job' ? row.subject_id : otherId,
                score: row.scores[k] ?? null,
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
