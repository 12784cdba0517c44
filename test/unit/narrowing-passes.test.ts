import { describe, expect, it } from 'vitest';
import { mixSeed } from '../../bench/random.ts';
import type { AnswerSet } from '../../src/answers/types.ts';
import { ProfileStore } from '../../src/matching/engine/columnar-store.ts';
import { compileSteps } from '../../src/matching/engine/forward-score.ts';
import { codeTablePasses } from '../../src/matching/engine/kinds/code-table.ts';
import type { LossBound } from '../../src/matching/engine/kinds/kind.ts';
import { compileLayout } from '../../src/matching/engine/layout.ts';
import { questionnaireDefinition } from '../../src/questionnaires/definition.ts';

/**
 * The narrowing adds runs of code steps (code tables, numbers' range codes) in passes of up to
 * three (kinds/code-table.ts codeTablePasses): the rows kept and their losses must be those of one
 * pass per step, to the bit, whatever the budget, with steps of other kinds between the runs.
 */

const en = (text: string) => ({ en: text });
const prompts = { prompt: en('About you?'), acceptPrompt: en('About them?') };
const options = ['a', 'b', 'c', 'd'].map((id) => ({ id, label: en(id) }));
const steps = ['s0', 's1', 's2', 's3', 's4'].map((id) => ({ label: en(id) }));
const uuid = (kind: number, i: number) => `0000000${kind}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

/** Criteria in questionnaire order; their kinds make the plan's runs: 3 + 1 code steps, a multi, 3 code steps (a number among them). */
const criteria = [
  { id: 'c0', kind: 'single', options },
  { id: 'c1', kind: 'scale', steps, tolerance: 1 },
  { id: 'c2', kind: 'single', options },
  { id: 'c3', kind: 'scale', steps, tolerance: 0 },
  { id: 'm', kind: 'multi', options },
  { id: 'c4', kind: 'single', options },
  { id: 'n', kind: 'number', range: { min: 0, max: 100 }, toleranceRatio: 0.5 },
  { id: 'c5', kind: 'scale', steps, tolerance: 2 },
];

function market(rows: number) {
  const questionnaire = questionnaireDefinition.parse({
    id: 'narrowing-passes',
    version: 1,
    locales: ['en'],
    defaultLocale: 'en',
    title: en('Narrowing passes'),
    criteria: criteria.map((c) => ({ title: en(c.id), candidate: prompts, employer: prompts, ...c })),
  });
  const layout = compileLayout(questionnaire);
  const others = new ProfileStore(layout);
  const draw = (i: number, part: number, n: number) => mixSeed(20_261_206, i, part) % n;
  for (let i = 0; i < rows; i++) {
    const answers: Record<string, unknown> = {};
    criteria.forEach((c, part) => {
      if (draw(i, part, 10) === 0) return; // some rows give no value
      const value =
        c.kind === 'single'
          ? options[draw(i, part + 10, 4)]!.id
          : c.kind === 'scale'
            ? draw(i, part + 10, 5)
            : c.kind === 'multi'
              ? options.filter((_, k) => (draw(i, part + 10, 15) + 1) & (1 << k)).map((o) => o.id)
              : draw(i, part + 10, 101);
      answers[c.id] = { importance: 'irrelevant', value };
    });
    others.upsert({ id: uuid(1, i), minScore: 0, answers: answers as unknown as AnswerSet });
  }
  const subjects = new ProfileStore(layout);
  const s = subjects.upsert({
    id: uuid(2, 0),
    minScore: 0,
    answers: {
      c0: { importance: 'very', accept: ['a', 'b'] },
      c1: { importance: 'somewhat', accept: { min: 1, max: 2 } },
      c2: { importance: 'little', accept: ['c'] },
      c3: { importance: 'very', accept: { min: 0, max: 3 } },
      m: { importance: 'somewhat', accept: { mode: 'all', options: ['b', 'c'] } },
      c4: { importance: 'somewhat', accept: ['a', 'd'] },
      n: { importance: 'little', accept: { min: 30, max: 60 } },
      c5: { importance: 'little', accept: { min: 4, max: 4 } },
    } as unknown as AnswerSet,
  });
  const bounds = compileSteps(subjects, s, others).map((step) => step.bound!);
  return { others, bounds, rows: Int32Array.from({ length: rows }, (_, i) => i) };
}

function narrow(passes: readonly LossBound[], others: ProfileStore, listed: Int32Array, budget: number) {
  const rows = listed.slice();
  const lost = new Float64Array(rows.length).fill(0.125);
  let left = rows.length;
  for (const pass of passes) left = pass.addLoss(others, rows, left, lost, budget);
  return { rows: [...rows.subarray(0, left)], lost: [...lost.subarray(0, left)] };
}

describe('code steps narrowed in passes of up to three', () => {
  const { others, bounds, rows } = market(3000);

  it('fuses each run of code steps, three at most, and leaves the multi step alone', () => {
    expect(bounds).toHaveLength(8);
    expect(codeTablePasses(bounds).map((pass) => pass.cost)).toEqual([9, 3, 8, 9]);
  });

  for (const budget of [0, 5, 20, 60, 200, Number.POSITIVE_INFINITY]) {
    it(`keeps the rows and losses of one pass per step (budget ${budget})`, () => {
      const perStep = narrow(bounds, others, rows, budget);
      const fused = narrow(codeTablePasses(bounds), others, rows, budget);
      expect(fused.rows).toEqual(perStep.rows);
      expect(fused.lost.every((l, k) => Object.is(l, perStep.lost[k]))).toBe(true);
      expect(fused.lost).toHaveLength(perStep.lost.length);
    });
  }
});
