import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outboxEvents } from '../../src/alerts/announce.ts';
import { type FeedEvents, foundEvents, pairEvents } from '../../src/alerts/feed.ts';
import { FoundPairs } from '../../src/alerts/found-pairs.ts';
import { Turns } from '../../src/alerts/turns.ts';
import { idToWords } from '../../src/matching/engine/uuid-words.ts';
import type { IndexSide } from '../../src/matching/index.ts';

/** Few ids, so that runs of one subject and repeated pairs abound. */
const ids = [
  '00000000-0000-4000-8000-000000000001',
  '00000000-0000-4000-8000-000000000002',
  '00000001-0000-4000-8000-000000000001',
  'ffffffff-ffff-4fff-bfff-ffffffffffff',
];
const owners = ids.map((id) => id.replace(/^0/, 'a'));
const rows = new Uint32Array(ids.length * 4);
for (const [slot, id] of ids.entries()) rows.set(idToWords(id), slot * 4);

const pairsArb = fc.array(
  fc.record({
    alertOf: fc.constantFrom<IndexSide>('job', 'candidate'),
    owner: fc.nat(owners.length - 1),
    other: fc.nat(ids.length - 1),
    score: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  { maxLength: 40 },
);

function found(side: IndexSide, drawn: PairsDrawn): FoundPairs {
  const pairs = new FoundPairs(side);
  for (const p of drawn) pairs.add(p.alertOf, pairs.owner(owners[p.owner]!), rows, p.other, p.score);
  return pairs;
}
type PairsDrawn = { alertOf: IndexSide; owner: number; other: number; score: number }[];

/** Everything a feed row takes of each event, event by event. */
function read(events: FeedEvents) {
  return Array.from({ length: events.length }, (_, k) => {
    const bytes = new DataView(new ArrayBuffer(16));
    events.writeNamedId(k, bytes, 0);
    return {
      alertOf: events.alertOf(k),
      subjectId: events.subjectId(k),
      candidateId: events.candidateId(k),
      score: events.score(k),
      named: [...new Uint8Array(bytes.buffer)],
    };
  });
}

/**
 * A write's removed and created pairs are announced from the found pairs' arrays (positions and
 * scores now), not from an object and id strings per pair: the events must be those the objects
 * gave, to the feed and to the webhook outbox alike.
 */
describe('crossing events from the found pairs', () => {
  it('give the feed and the outbox the events the pairs as objects give, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<IndexSide>('job', 'candidate'),
        pairsArb,
        pairsArb,
        fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }), {
          minLength: 40,
          maxLength: 40,
        }),
        async (side, drawnAfter, drawnBefore, scoresDrawn) => {
          const after = found(side, drawnAfter);
          const before = found(side, drawnBefore);
          const crossings = await after.crossings(before, new Turns(0));
          const scoreOf = (k: number) => scoresDrawn[k % scoresDrawn.length]!;
          const scores = Float64Array.from(crossings.removed, (_, k) => scoreOf(k) ?? Number.NaN);
          const removed = [...crossings.removed].map((j, k) => ({ ...before.pairAt(j), score: scoreOf(k) }));
          const created = [...crossings.created].map((i) => after.pairAt(i));

          const removedEvents = foundEvents(before, crossings.removed, scores);
          const createdEvents = foundEvents(after, crossings.created);
          expect(read(removedEvents)).toEqual(read(pairEvents(removed)));
          expect(read(createdEvents)).toEqual(read(pairEvents(created)));
          // A run of one subject is told as such (rows are grouped by it), and only a run.
          for (const [events, objects] of [
            [removedEvents, removed],
            [createdEvents, created],
          ] as const) {
            const subjects = read(pairEvents(objects)).map((e) => `${e.alertOf}:${e.subjectId}`);
            for (let k = 1; k < events.length; k++)
              expect(events.sameSubjectAsPrevious(k)).toBe(subjects[k] === subjects[k - 1]);
          }

          const outbox = outboxEvents(after, before, crossings, scores);
          expect(Array.from({ length: outbox.length }, (_, k) => outbox.at(k))).toEqual([
            ...removed.map((data) => ({ type: 'match.removed', data })),
            ...created.map((data) => ({ type: 'match.created', data })),
          ]);
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });

  it('reads every pair found, with its own score, when no positions are given (new profiles)', () => {
    const pairs = found('candidate', [
      { alertOf: 'job', owner: 0, other: 1, score: 0.5 },
      { alertOf: 'candidate', owner: 0, other: 2, score: 0.75 },
    ]);
    expect(read(foundEvents(pairs))).toEqual(read(pairEvents([pairs.pairAt(0), pairs.pairAt(1)])));
  });
});
