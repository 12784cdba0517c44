import type { AnswerSet } from '../answers/types.ts';
import { ProfileStore } from '../matching/engine/columnar-store.ts';
import { type InsightsRequest, insightsOfRange } from '../matching/engine/insights-pass.ts';
import { InsightsBusy, type InsightsPool } from '../matching/engine/insights-pool.ts';
import type { IndexSide, MatchIndex } from '../matching/index.ts';
import type { ScoreMethod } from '../matching/types.ts';
import { type InsightCounts, reportCounts } from './report.ts';

/** Passes whose market changed under them that are run again on the threads before one runs on the calling thread. */
const RETRIES = 2;
/**
 * The most rows of the other side a pass may count on the calling thread (about 20 ms): on a
 * larger market whose writes keep landing during the passes, the answer is busy (429) instead,
 * since the event loop is never held for a pass that grows with the market.
 */
const CALLING_THREAD_ROWS = 20_000;

/** The subject of an insights answer: a stored profile, or one with what-if answers (never stored). */
export interface InsightsSubject {
  side: IndexSide;
  id: string;
  minScore: number;
  /** a job's employer: the candidates hiding from it are left out */
  employerId?: string | undefined;
  answers: { questionnaireId: string; questionnaireVersion: number; answers: AnswerSet };
}

export type Insights = {
  subjectId: string;
  side: IndexSide;
  questionnaireId: string;
  questionnaireVersion: number;
} & InsightCounts;

/**
 * The insights (docs/matching.md#insights-and-what-if) of a subject against the stored other side
 * of its market. The subject is packed into a row of its own, so stored and what-if answers take
 * the same path. The pass reads the index's shared arrays on worker threads while the event loop
 * goes on, so a write can land during it: then it runs again, and after RETRIES the pass runs on
 * the calling thread, where nothing can interleave (the answer is then exact for that moment) —
 * on a small market only; a large one answers InsightsBusy (CALLING_THREAD_ROWS).
 */
export async function insightsOf(
  index: MatchIndex,
  pool: InsightsPool,
  workspaceId: string,
  subject: InsightsSubject,
  method: ScoreMethod,
  callingThreadRows = CALLING_THREAD_ROWS,
): Promise<Insights> {
  const market = index.marketOf(workspaceId, subject.answers);
  const row = new ProfileStore(market.layout, 1);
  const s = row.upsert({ id: subject.id, minScore: subject.minScore, answers: subject.answers.answers });
  const others = market.store(subject.side === 'job' ? 'candidate' : 'job');
  const request: InsightsRequest = {
    side: subject.side,
    method,
    excluded: rowFlags(index.hiddenRows(workspaceId, market, subject), others.end),
  };
  const counts = await pool.turn(async () => {
    for (let attempt = 0; attempt <= RETRIES; attempt++) {
      const before = market.changes;
      const counted = await pool.count(row, s, others, request);
      if (market.changes === before) return counted;
    }
    if (others.end > callingThreadRows) throw new InsightsBusy();
    return insightsOfRange(row, s, others, request, 0, others.end);
  }, workspaceId);
  return {
    subjectId: subject.id,
    side: subject.side,
    questionnaireId: market.layout.questionnaireId,
    questionnaireVersion: market.layout.version,
    ...reportCounts(
      market.layout.criteria.map((c) => c.id),
      counts,
    ),
  };
}

/** One flag per row of the other side (1: left out), as the pass reads exclusions; undefined when none. */
function rowFlags(rows: ReadonlySet<number> | undefined, end: number): Uint8Array | undefined {
  if (!rows?.size) return undefined;
  const flags = new Uint8Array(end);
  for (const row of rows) flags[row] = 1;
  return flags;
}
