import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProfileStore } from '../../src/matching/engine/columnar-store.ts';
import { compileLayout } from '../../src/matching/engine/layout.ts';
import { BROKEN, satisfactionOf } from '../../src/matching/engine/pair-score.ts';
import {
  compileSubjectValues,
  type ListedBatch,
  satisfactionsOfRows,
} from '../../src/matching/engine/reverse-score.ts';
import { arbId, arbProfileBody, arbQuestionnaire, propertyRuns } from '../support/random-market.ts';

/**
 * S(row→subject) scored column by column over a list of rows must be satisfactionOf's to the bit,
 * BROKEN included, for every criterion kind (and so the reference scorer's, which satisfactionOf
 * equals). MATCH_INDEX_SEED replays a seed; MATCH_INDEX_RUNS scales runs.
 */

/** A subject and 1..80 rows (from up to 8 bodies, so with repeats) of one random questionnaire. */
const arbCase = arbQuestionnaire().chain((questionnaire) =>
  fc.record({
    questionnaire: fc.constant(questionnaire),
    subject: arbProfileBody(questionnaire),
    bodies: fc.array(arbProfileBody(questionnaire), { minLength: 1, maxLength: 8 }),
    picks: fc.array(fc.nat(), { minLength: 1, maxLength: 80 }),
    ids: fc.uniqueArray(arbId(), { minLength: 81, maxLength: 81 }),
    bounding: fc.uniqueArray(fc.nat({ max: 11 }), { maxLength: 6 }),
    least: fc.oneof(
      fc.constant(0),
      fc.constantFrom(0.5, 0.75, 1),
      fc.double({ min: 0, max: 1, noNaN: true }),
    ),
  }),
);

/** A batch of `rows` wanting at least `least` of each. */
function batchOf(rows: readonly number[], least: number): ListedBatch {
  const size = rows.length;
  return {
    rows: Int32Array.from(rows),
    least: new Float64Array(size).fill(least),
    weighted: new Float64Array(size),
    start: new Float64Array(size),
    remaining: new Float64Array(size),
    brokenAt: new Int32Array(size),
  };
}

describe('S(row→subject) column by column', () => {
  it('equals satisfactionOf bit for bit on every row it keeps, in order, and keeps every row not BROKEN reaching least', () => {
    fc.assert(
      fc.property(arbCase, ({ questionnaire, subject, bodies, picks, ids, least, bounding }) => {
        const layout = compileLayout(questionnaire);
        const subjects = new ProfileStore(layout);
        const others = new ProfileStore(layout);
        const s = subjects.upsert({ id: ids[0]!, ...subject });
        const slots = picks.map((pick, i) =>
          others.upsert({ id: ids[i + 1]!, ...bodies[pick % bodies.length]! }),
        );
        slots.sort((a, b) => a - b);
        const batch = batchOf(slots, least);
        const criteria = bounding.filter((c) => c < questionnaire.criteria.length);
        const values = compileSubjectValues(subjects, s, others);
        const kept = satisfactionsOfRows(values, criteria, others, batch, slots.length);
        const { rows, weighted: out } = batch;
        const expected = slots.map((o) => satisfactionOf(others, o, subjects, s));
        const wanted = slots.filter((_, i) => expected[i] !== BROKEN && expected[i]! >= least);
        const keptRows = [...rows.subarray(0, kept)];
        expect(keptRows).toEqual([...keptRows].sort((a, b) => a - b));
        expect(keptRows.filter((o) => wanted.includes(o))).toEqual(wanted);
        for (let k = 0; k < kept; k++) {
          const satisfaction = expected[slots.indexOf(rows[k]!)];
          expect(Object.is(out[k], satisfaction), `row ${rows[k]}`).toBe(true);
        }
      }),
      propertyRuns(300),
    );
  });

  it('reports BROKEN for a row whose dealbreaker the subject gave no value for', () => {
    fc.assert(
      fc.property(arbCase, ({ questionnaire, subject, bodies, ids }) => {
        const layout = compileLayout(questionnaire);
        const subjects = new ProfileStore(layout);
        const others = new ProfileStore(layout);
        const answers = structuredClone(subject.answers);
        for (const answer of Object.values(answers)) delete (answer as { value?: unknown }).value;
        const s = subjects.upsert({ id: ids[0]!, minScore: 0, answers });
        const o = others.upsert({ id: ids[1]!, ...bodies[0]! });
        const batch = batchOf([o], 0);
        const kept = satisfactionsOfRows(compileSubjectValues(subjects, s, others), [0], others, batch, 1);
        const out = batch.weighted;
        const importances = Object.values(bodies[0]!.answers).map((answer) => answer.importance);
        const broken = importances.includes('dealbreaker');
        expect(kept).toBe(broken ? 0 : 1);
        expect(satisfactionOf(others, o, subjects, s)).toBe(broken ? BROKEN : 1);
        if (!broken) expect(out[0]).toBe(1);
      }),
      propertyRuns(100),
    );
  });
});
