import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProfileStore } from '../../src/matching/engine/columnar-store.ts';
import { compileLayout } from '../../src/matching/engine/layout.ts';
import { BROKEN, satisfactionOf } from '../../src/matching/engine/pair-score.ts';
import {
  keepRowsWhoseDealbreakersHold,
  listRowDealbreakers,
} from '../../src/matching/engine/reverse-dealbreakers.ts';
import { rankAboveFloor } from '../../src/matching/engine/search.ts';
import type { ScoreMethod } from '../../src/matching/types.ts';
import { arbId, arbProfileBody, arbQuestionnaire, propertyRuns } from '../support/random-market.ts';

/**
 * A bulk batch's floor scans (src/alerts/evaluate.ts, scan-worker.ts) list the batch's own
 * dealbreakers once and drop, before any bound or score, the rows whose own dealbreakers the
 * subject breaks. The rows dropped must be exactly those satisfactionOf finds BROKEN, and a floor
 * scan must find the same rows, scores and order with the list as without it.
 * MATCH_INDEX_SEED replays a seed; MATCH_INDEX_RUNS scales runs.
 */

/** A subject and 1..80 rows (from up to 8 bodies, so with repeats) of one random questionnaire. */
const arbCase = arbQuestionnaire().chain((questionnaire) =>
  fc.record({
    questionnaire: fc.constant(questionnaire),
    subject: arbProfileBody(questionnaire),
    bodies: fc.array(arbProfileBody(questionnaire), { minLength: 1, maxLength: 8 }),
    picks: fc.array(fc.nat(), { minLength: 1, maxLength: 80 }),
    removed: fc.array(fc.nat(), { maxLength: 10 }),
    ids: fc.uniqueArray(arbId(), { minLength: 81, maxLength: 81 }),
    floor: fc.oneof(fc.constantFrom(0, 0.5, 0.75), fc.double({ min: 0, max: 1, noNaN: true })),
    method: fc.constantFrom<ScoreMethod>('harmonic', 'geometric', 'min'),
  }),
);

type CaseOf = typeof arbCase extends fc.Arbitrary<infer T> ? T : never;

/** The subject in a store of its own, the rows in another (some of their slots freed). */
function storesOf({ questionnaire, subject, bodies, picks, removed, ids }: CaseOf) {
  const layout = compileLayout(questionnaire);
  const subjects = new ProfileStore(layout);
  const others = new ProfileStore(layout);
  const s = subjects.upsert({ id: ids[0]!, ...subject });
  for (const [i, pick] of picks.entries())
    others.upsert({ id: ids[i + 1]!, ...bodies[pick % bodies.length]! });
  // Some slots freed: the list covers inactive rows too, and the scans skip them.
  for (const r of removed) others.remove(ids[1 + (r % picks.length)]!);
  return { subjects, s, others };
}

describe("a floor scan's rows with their own dealbreakers listed", () => {
  it('keeps, in order, exactly the rows whose own dealbreakers the subject meets', () => {
    fc.assert(
      fc.property(arbCase, (drawn) => {
        const { subjects, s, others } = storesOf(drawn);
        const slots: number[] = [];
        for (let o = 0; o < others.end; o++) if (others.active[o]) slots.push(o);
        const rows = Int32Array.from(slots);
        const listed = listRowDealbreakers(others, others.end);
        const kept = keepRowsWhoseDealbreakersHold(others, listed, rows, slots.length, subjects, s);
        const wanted = slots.filter((o) => satisfactionOf(others, o, subjects, s) !== BROKEN);
        expect([...rows.subarray(0, kept)]).toEqual(wanted);
      }),
      propertyRuns(300),
    );
  });

  it('finds the same rows, scores and order as a scan without the list', () => {
    fc.assert(
      fc.property(arbCase, (drawn) => {
        const { subjects, s, others } = storesOf(drawn);
        const { floor, method } = drawn;
        const rowDealbreakers = listRowDealbreakers(others, others.end);
        const plain = rankAboveFloor(subjects, s, others, method, floor, 0, others.end);
        const copy = { slots: [...plain.slots], scores: [...plain.scores] };
        const listed = rankAboveFloor(subjects, s, others, method, floor, 0, others.end, { rowDealbreakers });
        expect(listed).toEqual(copy);
      }),
      propertyRuns(300),
    );
  });
});
