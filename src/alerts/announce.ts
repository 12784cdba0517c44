import type { Tx } from '../db/client.ts';
import type { IndexSide, MatchIndex, ProfileState } from '../matching/index.ts';
import type { ScoreMethod } from '../matching/types.ts';
import { enqueueEvents, type OutboxEvents } from '../webhooks/events.ts';
import { scoresNow } from './evaluate.ts';
import { appendToFeeds, foundEvents } from './feed.ts';
import type { CrossingPositions, FoundPairs } from './found-pairs.ts';
import { Turns } from './turns.ts';

/** A write's changed profiles scored: their pairs above an alert's threshold after and before it. */
export interface Scored {
  side: IndexSide;
  ids: readonly string[];
  states: ProfileState[];
  method: ScoreMethod;
  after: FoundPairs;
  before: FoundPairs;
}

/**
 * Writes the crossings of a scored write: feed rows and webhook outbox, in turns. The pairs stay in
 * their arrays throughout (positions, scores now as numbers); an event becomes an object only in
 * the outbox's piece that writes it.
 */
export async function announceCrossings(
  tx: Tx,
  index: MatchIndex,
  workspaceId: string,
  { side, states, method, after, before }: Scored,
  turns = new Turns(),
): Promise<void> {
  const crossings = await after.crossings(before, turns);
  const scores = await scoresNow(index, workspaceId, side, states, method, before, crossings.removed);
  await appendToFeeds(
    tx,
    workspaceId,
    {
      removed: foundEvents(before, crossings.removed, scores),
      created: foundEvents(after, crossings.created),
    },
    turns,
  );
  if (crossings.removed.length + crossings.created.length > 0)
    await enqueueEvents(tx, workspaceId, alertEventTypes, () =>
      outboxEvents(after, before, crossings, scores),
    );
}

/** The crossings as webhook events: match.removed (with their score now), then match.created. */
export function outboxEvents(
  after: FoundPairs,
  before: FoundPairs,
  { created, removed }: CrossingPositions,
  scores: Float64Array,
): OutboxEvents {
  return {
    length: removed.length + created.length,
    at: (k) => {
      if (k >= removed.length)
        return { type: 'match.created', data: after.pairAt(created[k - removed.length]!) };
      const score = scores[k]!;
      return {
        type: 'match.removed',
        data: { ...before.pairAt(removed[k]!), score: Number.isNaN(score) ? null : score },
      };
    },
  };
}

const alertEventTypes = ['match.created', 'match.removed'] as const;
