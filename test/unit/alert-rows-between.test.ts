import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flagBetween, heaviestFirst, surelyAtLeast, surelyBelow } from '../../src/alerts/rows-between.ts';
import type { AnswerSet } from '../../src/answers/types.ts';
import { rowsMeetingDealbreakers } from '../../src/matching/engine/dealbreaker-filter.ts';
import { compileSteps } from '../../src/matching/engine/forward-score.ts';
import { MatchIndex } from '../../src/matching/index.ts';
import { oneSided } from '../../src/matching/score.ts';
import type { QuestionnaireDefinition } from '../../src/questionnaires/definition.ts';
import { buildCatalog } from '../../src/questionnaires/loader.ts';
import { arbAnswerSet, arbMinScore, arbQuestionnaire } from '../support/random-market.ts';

const WS = '00000000-0000-4000-8000-0000000000ac';
const id = (kind: number, i: number) => `00000000-0000-4000-8${kind}00-${i.toString(16).padStart(12, '0')}`;
const RUNS = Number(process.env.ALERT_PROPERTY_RUNS ?? 200);

const arbMarket = arbQuestionnaire().chain((questionnaire) =>
  fc.record({
    questionnaire: fc.constant(questionnaire),
    job: arbAnswerSet(questionnaire),
    candidates: fc.array(arbAnswerSet(questionnaire), { minLength: 1, maxLength: 40 }),
    minScores: fc.tuple(arbMinScore(), arbMinScore()),
  }),
);

/**
 * A job and candidates indexed: the job's compiled steps, the candidates' store, the rows meeting
 * the job's dealbreakers, and each row's S(job→row) by the reference scorer.
 */
function market({ questionnaire: q, job, candidates }: Market) {
  const index = new MatchIndex(buildCatalog([q]));
  const answers = (set: AnswerSet) => ({
    questionnaireId: q.id,
    questionnaireVersion: q.version,
    answers: set,
  });
  candidates.forEach((set, i) => {
    index.apply(WS, 'candidate', { id: id(2, i), minScore: 0, open: true, answers: answers(set) });
  });
  const state = { id: id(1, 0), minScore: 0, open: true, answers: answers(job) };
  const { market: m, staged } = index.stage(WS, [state])[0]!;
  const others = m.store('candidate');
  const steps = compileSteps(staged, staged.slotOf(state.id), others);
  const listed = new Int32Array(others.end);
  const rows = listed.subarray(0, rowsMeetingDealbreakers(steps, others, listed, 0, others.end));
  const exact = new Map<number, number>();
  for (const o of rows) {
    const candidate = candidates[Number.parseInt(others.idAt(o).slice(-12), 16)]!;
    exact.set(o, oneSided(q, job, candidate).satisfaction);
  }
  return { steps, others, rows, exact };
}

type Market = {
  questionnaire: QuestionnaireDefinition;
  job: AnswerSet;
  candidates: AnswerSet[];
};

describe('S(job→row) bounded by the exact terms of its heaviest steps and the worst and best of the rest (rows-between.ts)', () => {
  it('never says a row’s exact satisfaction is below or at least a threshold it is not, after any number of steps', () => {
    fc.assert(
      fc.property(arbMarket, (c) => {
        const { steps, others, rows, exact } = market(c);
        const weighted = new Float64Array(rows.length);
        const total = new Float64Array(rows.length);
        for (const { step, rest } of heaviestFirst(steps)) {
          step.add(others, rows, 0, rows.length, weighted, total);
          rows.forEach((o, k) => {
            // Thresholds at the exact S: the bounds' whole slack, MARGIN, is float noise.
            const s = exact.get(o)!;
            expect(surelyBelow(weighted[k]!, total[k]!, rest, s)).toBe(false);
            expect(surelyAtLeast(weighted[k]!, total[k]!, rest, s + 1e-12)).toBe(false);
          });
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('flags every row between two minScores, and none far from both', () => {
    fc.assert(
      fc.property(arbMarket, (c) => {
        const { steps, others, rows, exact } = market(c);
        const [low, high] = [Math.min(...c.minScores), Math.max(...c.minScores)];
        const flags = new Uint8Array(others.end);
        flagBetween(low, high, steps, others, rows, flags);
        for (const o of rows) {
          const s = exact.get(o)!;
          if (s >= low && s < high) expect(flags[o]).toBe(1);
          if (s < low - 1e-6 || s >= high + 1e-6) expect(flags[o]).toBe(0);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
