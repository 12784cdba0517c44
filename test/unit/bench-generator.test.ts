import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMarket, mulberry32, ndjsonBatches } from '../../bench/generator.ts';
import { validateAnswerSet } from '../../src/answers/validate.ts';
import { scorePair } from '../../src/matching/score.ts';
import type { QuestionnaireDefinition } from '../../src/questionnaires/definition.ts';
import { loadQuestionnaires } from '../../src/questionnaires/loader.ts';

const questionnairesDir = fileURLToPath(new URL('../../questionnaires', import.meta.url));
let workFit: QuestionnaireDefinition;

beforeAll(async () => {
  workFit = (await loadQuestionnaires(questionnairesDir)).latest('work-fit')!;
});

describe('bench market generator', () => {
  const market = createMarket({ seed: 7, candidates: 500, jobs: 500 });

  it('generates 500 candidates and 500 jobs whose answers all validate against work-fit', () => {
    for (let i = 0; i < 500; i++) {
      for (const [what, line] of [
        ['candidate', market.candidate(i)],
        ['job', market.job(i)],
      ] as const) {
        const result = validateAnswerSet(workFit, line.answers);
        expect(result.ok ? [] : result.errors, `${what} ${i}`).toEqual([]);
      }
    }
  });

  it('gives the same market for the same seed and another one for another seed', () => {
    const again = createMarket({ seed: 7, candidates: 500, jobs: 500 });
    const other = createMarket({ seed: 8, candidates: 500, jobs: 500 });
    for (const i of [0, 1, 42, 499]) {
      expect(again.candidate(i)).toEqual(market.candidate(i));
      expect(again.job(i)).toEqual(market.job(i));
      expect(again.employer(i % market.employers)).toEqual(market.employer(i % market.employers));
    }
    expect(other.candidate(0).answers).not.toEqual(market.candidate(0).answers);
    const first = [...ndjsonBatches(20, 10, (i) => market.candidate(i))].map((b) => b.body).join('');
    const second = [...ndjsonBatches(20, 10, (i) => again.candidate(i))].map((b) => b.body).join('');
    expect(second).toBe(first);
    expect(first.trimEnd().split('\n')).toHaveLength(20);
  });

  it('is seeded by a deterministic mulberry32', () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    const draws = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(draws);
    for (const x of draws) expect(x).toBeGreaterThanOrEqual(0);
    for (const x of draws) expect(x).toBeLessThan(1);
  });

  it('makes a meaningful share of job/candidate pairs reciprocally acceptable', () => {
    let acceptable = 0;
    let pairs = 0;
    for (let j = 0; j < 40; j++) {
      const job = market.job(j);
      for (let c = 0; c < 250; c++) {
        const candidate = market.candidate(c);
        const pair = scorePair(
          workFit,
          { answers: job.answers, minScore: job.minScore },
          { answers: candidate.answers, minScore: candidate.minScore },
        );
        pairs++;
        if (pair.acceptable) acceptable++;
      }
    }
    const share = acceptable / pairs;
    expect(share).toBeGreaterThan(0.01);
    expect(share).toBeLessThan(0.6);
  });

  it('uses mostly mid-range importances and at most two dealbreakers per profile', () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 300; i++) {
      const answers = Object.values(market.candidate(i).answers);
      const dealbreakers = answers.filter((a) => a.importance === 'dealbreaker').length;
      expect(dealbreakers).toBeLessThanOrEqual(2);
      for (const answer of answers) counts[answer.importance] = (counts[answer.importance] ?? 0) + 1;
    }
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const middle = (counts.little ?? 0) + (counts.somewhat ?? 0) + (counts.very ?? 0);
    expect(middle / total).toBeGreaterThan(0.8);
    expect(counts.irrelevant ?? 0).toBeGreaterThan(0);
  });
});
