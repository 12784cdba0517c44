import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProfileStore } from '../../src/matching/engine/columnar-store.ts';
import { rowsMeetingDealbreakers } from '../../src/matching/engine/dealbreaker-filter.ts';
import { kindOf } from '../../src/matching/engine/kinds/index.ts';
import { compileLayout } from '../../src/matching/engine/layout.ts';
import { DEALBREAKER_LEVEL, LEVEL_BITS, MODE_ALL } from '../../src/matching/engine/levels.ts';
import { BROKEN, satisfactionOf } from '../../src/matching/engine/pair-score.ts';
import {
  forEachBrokenDealbreaker,
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

describe("a row's noted dealbreaker", () => {
  /** The criteria where row `o` made a dealbreaker of a kind with a dealbreaker mask. */
  function maskedDealbreakers(others: ProfileStore, o: number): number[] {
    const { layout } = others;
    return layout.kinds.flatMap((kind, c) =>
      kindOf(kind).dealbreakerMask &&
      (others.levels[o * layout.record.bytes + c]! & LEVEL_BITS) === DEALBREAKER_LEVEL
        ? [c]
        : [],
    );
  }

  it('leaves out of a listing only rows the subject breaks, and every row whose one such dealbreaker it breaks', () => {
    let brokenByTheirOwn = 0;
    fc.assert(
      fc.property(arbCase, (drawn) => {
        const { subjects, s, others } = storesOf(drawn);
        const rows = new Int32Array(others.end);
        const all = rowsMeetingDealbreakers([], others, rows, 0, others.end);
        const everyActive = [...rows.subarray(0, all)];
        const kept = rowsMeetingDealbreakers([], others, rows, 0, others.end, undefined, {
          row: subjects,
          s,
        });
        const keptRows = new Set(rows.subarray(0, kept));
        for (const o of everyActive) {
          const broken = satisfactionOf(others, o, subjects, s) === BROKEN;
          if (!keptRows.has(o)) expect(broken, `row ${o} left out`).toBe(true);
          const masked = maskedDealbreakers(others, o);
          if (masked.length !== 1) continue;
          const c = masked[0]!;
          let breaks = false;
          forEachBrokenDealbreaker(others, o, subjects, s, (b) => {
            breaks ||= b === c;
          });
          // The one case let through: a row wanting all of no option, a subject without a value.
          const wantsNothing =
            (others.levels[o * others.layout.record.bytes + c]! & MODE_ALL) !== 0 &&
            kindOf(others.layout.kinds[c]!).dealbreakerMask!.met(others, o, c) === 0;
          if (breaks && !wantsNothing) {
            brokenByTheirOwn++;
            expect(keptRows.has(o), `row ${o} breaks its dealbreaker on criterion ${c}`).toBe(false);
          }
        }
      }),
      propertyRuns(300),
    );
    expect(brokenByTheirOwn).toBeGreaterThan(0);
  });

  it('is noted again when the row is written again, and read from the rows of a store that grew', () => {
    fc.assert(
      fc.property(arbCase, (drawn) => {
        const { subjects, s, others } = storesOf(drawn);
        const { bodies, picks, removed, ids } = drawn;
        const grown = new ProfileStore(others.layout, 1);
        // Each row written first with the subject's body, then with its own, into a store that grows.
        for (const [i, pick] of picks.entries()) {
          grown.upsert({ id: ids[i + 1]!, ...drawn.subject });
          grown.upsert({ id: ids[i + 1]!, ...bodies[pick % bodies.length]! });
        }
        for (const r of removed) grown.remove(ids[1 + (r % picks.length)]!);
        const listed = (store: ProfileStore) => {
          const rows = new Int32Array(store.end);
          const kept = rowsMeetingDealbreakers([], store, rows, 0, store.end, undefined, {
            row: subjects,
            s,
          });
          return [...rows.subarray(0, kept)].map((o) => store.idAt(o)).sort();
        };
        expect(listed(grown)).toEqual(listed(others));
      }),
      propertyRuns(100),
    );
  });
});
