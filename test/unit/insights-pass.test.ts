import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnswerSet, Importance } from '../../src/answers/types.ts';
import { reportCounts } from '../../src/insights/report.ts';
import { ProfileStore } from '../../src/matching/engine/columnar-store.ts';
import { addCounts, histogramBin, insightsOfRange } from '../../src/matching/engine/insights-pass.ts';
import { compileLayout } from '../../src/matching/engine/layout.ts';
import { explainPair } from '../../src/matching/explain.ts';
import { EPSILON, round6 } from '../../src/matching/score.ts';
import type { ScoreMethod } from '../../src/matching/types.ts';
import {
  type QuestionnaireDefinition,
  questionnaireDefinition,
} from '../../src/questionnaires/definition.ts';
import { bruteForceInsights } from '../support/insights-oracle.ts';
import { arbMarket, type RandomMarket } from '../support/random-market.ts';

/**
 * The insights pass (src/matching/engine/insights-pass.ts) against a brute force on the reference
 * scorer (test/support/insights-oracle.ts) on random markets, every score method, both sides.
 * INSIGHTS_RUNS scales the runs.
 */
const scale = Number(process.env.INSIGHTS_RUNS ?? 1);
const runs = (numRuns: number) => ({ numRuns: Math.max(1, Math.round(numRuns * scale)), endOnFailure: true });
const METHODS: readonly ScoreMethod[] = ['harmonic', 'geometric', 'min'];

type Variant =
  | 'as-is'
  | 'no-answers'
  | 'all-irrelevant'
  | 'all-dealbreakers'
  | 'both-sides-dealbreakers'
  | 'nothing-acceptable';

/** The market with the subjects' answers (or everyone's minScore) bent into an edge case. */
function bend(market: RandomMarket, variant: Variant): RandomMarket {
  const profiles = new Set(
    market.questionnaire.criteria.filter((c) => c.kind === 'profile').map((c) => c.id),
  );
  // Only where the answer stays valid: an importance other than irrelevant needs an accept (a profile: a value).
  const setImportance = (answers: AnswerSet, importance: Importance): AnswerSet =>
    Object.fromEntries(
      Object.entries(answers).map(([id, answer]) => {
        const valid =
          importance === 'irrelevant' ||
          (profiles.has(id) ? answer.value !== undefined : 'accept' in answer && answer.accept !== undefined);
        return [id, valid ? { ...answer, importance } : answer];
      }),
    ) as AnswerSet;
  const bendAnswers = (answers: AnswerSet): AnswerSet => {
    switch (variant) {
      case 'no-answers':
        return {};
      case 'all-irrelevant':
        return setImportance(answers, 'irrelevant');
      case 'all-dealbreakers':
      case 'both-sides-dealbreakers':
        return setImportance(answers, 'dealbreaker');
      default:
        return answers;
    }
  };
  const minScore = (m: number) => (variant === 'nothing-acceptable' ? 1 : m);
  return {
    ...market,
    jobs: market.jobs.map((j) => ({ ...j, minScore: minScore(j.minScore), answers: bendAnswers(j.answers) })),
    // Both sides: rows breaking none, one (the same criterion both ways, too) or many dealbreakers.
    candidates: market.candidates.map((c) => ({
      ...c,
      minScore: minScore(c.minScore),
      answers: variant === 'both-sides-dealbreakers' ? bendAnswers(c.answers) : c.answers,
    })),
  };
}

function stores(market: RandomMarket) {
  const layout = compileLayout(market.questionnaire);
  const jobs = new ProfileStore(layout);
  const candidates = new ProfileStore(layout);
  for (const job of market.jobs) jobs.upsert(job);
  for (const candidate of market.candidates) candidates.upsert(candidate);
  return { jobs, candidates };
}

const ids = (q: QuestionnaireDefinition) => q.criteria.map((c) => c.id);
const prompts = { prompt: { en: 'About you?' }, acceptPrompt: { en: 'About them?' } };

describe('insights pass', () => {
  it('equals the brute force on the reference scorer, for every subject, both sides, every score method', () => {
    fc.assert(
      fc.property(
        arbMarket(),
        fc.constantFrom<Variant>(
          'as-is',
          'as-is',
          'no-answers',
          'all-irrelevant',
          'all-dealbreakers',
          'both-sides-dealbreakers',
          'nothing-acceptable',
        ),
        (generated, variant) => {
          const market = bend(generated, variant);
          const { jobs, candidates } = stores(market);
          const q = market.questionnaire;
          for (const method of METHODS) {
            for (const job of market.jobs) {
              const counts = insightsOfRange(
                jobs,
                jobs.slotOf(job.id),
                candidates,
                { side: 'job', method },
                0,
                candidates.end,
              );
              expect(reportCounts(ids(q), counts)).toEqual(
                bruteForceInsights(q, 'job', job, market.candidates, method),
              );
            }
            for (const candidate of market.candidates.slice(0, 6)) {
              const slot = candidates.slotOf(candidate.id);
              const counts = insightsOfRange(
                candidates,
                slot,
                jobs,
                { side: 'candidate', method },
                0,
                jobs.end,
              );
              expect(reportCounts(ids(q), counts)).toEqual(
                bruteForceInsights(q, 'candidate', candidate, market.jobs, method),
              );
            }
          }
        },
      ),
      runs(60),
    );
  });

  it('decides a step whose removal lands within float noise of the cut as the reference does', () => {
    // S(job→candidate) without criterion a is n's sat alone, which the candidates' values put at
    // and within a few 1e-11 of the job's cut (minScore − EPSILON), where the pass's bounds
    // cannot tell and it scores the row again in order: acceptable candidates (a met) and failing
    // ones that a's removal may lift (a missed).
    const q = questionnaireDefinition.parse({
      id: 'noise',
      version: 1,
      locales: ['en'],
      defaultLocale: 'en',
      title: { en: 'Noise' },
      criteria: [
        { id: 'a', kind: 'scale', steps: [0, 1, 2].map((i) => ({ label: { en: `s${i}` } })), tolerance: 0 },
        { id: 'n', kind: 'number', range: { min: 0, max: 200 }, toleranceRatio: 0.2 },
      ].map((c) => ({ ...c, title: { en: c.id }, candidate: prompts, employer: prompts })),
    });
    const job = {
      id: '00000000-0000-4000-8000-000000000001',
      minScore: 0.5,
      answers: {
        a: { importance: 'very', value: 1, accept: { min: 1, max: 1 } },
        n: { importance: 'somewhat', value: 100, accept: { min: 100 } },
      } as unknown as AnswerSet,
    };
    const cut = job.minScore - EPSILON;
    const candidates = [1, 0].flatMap((a, side) =>
      Array.from({ length: 81 }, (_, i) => {
        const sat = cut + (i - 40) * 2e-12; // sat = 1 − ((100 − x)/100)/0.2
        return {
          id: `00000000-0000-4000-8000-${(side * 1000 + i + 2).toString(16).padStart(12, '0')}`,
          minScore: 0,
          answers: {
            a: { importance: 'irrelevant', value: a },
            n: { importance: 'irrelevant', value: 80 + 20 * sat },
          } as unknown as AnswerSet,
        };
      }),
    );
    const layout = compileLayout(q);
    const jobs = new ProfileStore(layout);
    const others = new ProfileStore(layout);
    const s = jobs.upsert(job);
    for (const candidate of candidates) others.upsert(candidate);
    for (const method of METHODS) {
      const counts = insightsOfRange(jobs, s, others, { side: 'job', method }, 0, others.end);
      expect(reportCounts(ids(q), counts)).toEqual(bruteForceInsights(q, 'job', job, candidates, method));
    }
  });

  it('adds up over slices to the whole, and leaves excluded and removed rows out', () => {
    fc.assert(
      fc.property(arbMarket(), fc.nat(), fc.array(fc.boolean(), { maxLength: 60 }), (market, cutAt, drop) => {
        const { jobs, candidates } = stores(market);
        const removed = new Set(market.candidates.filter((_, i) => drop[i] && i % 2 === 0).map((c) => c.id));
        for (const id of removed) candidates.remove(id);
        const excluded = new Uint8Array(candidates.end);
        const hidden = new Set<string>();
        market.candidates.forEach((c, i) => {
          if (drop[i] && i % 2 === 1) {
            excluded[candidates.slotOf(c.id)] = 1;
            hidden.add(c.id);
          }
        });
        const job = market.jobs[0]!;
        const s = jobs.slotOf(job.id);
        const request = { side: 'job' as const, method: 'harmonic' as const, excluded };
        const cut = candidates.end === 0 ? 0 : cutAt % (candidates.end + 1);
        const whole = addCounts(
          insightsOfRange(jobs, s, candidates, request, 0, cut),
          insightsOfRange(jobs, s, candidates, request, cut, candidates.end),
        );
        const others = market.candidates.filter((c) => !removed.has(c.id) && !hidden.has(c.id));
        expect(reportCounts(ids(market.questionnaire), whole)).toEqual(
          bruteForceInsights(market.questionnaire, 'job', job, others, 'harmonic'),
        );
      }),
      runs(40),
    );
  });

  it("agrees with the pairs' explanations: soleBarrier counts the pairs whose explanation names that criterion", () => {
    fc.assert(
      fc.property(arbMarket(), (market) => {
        const { jobs, candidates } = stores(market);
        const q = market.questionnaire;
        const job = market.jobs[0]!;
        const counts = insightsOfRange(
          jobs,
          jobs.slotOf(job.id),
          candidates,
          { side: 'job', method: 'harmonic' },
          0,
          candidates.end,
        );
        const named = new Map<string, number>();
        for (const candidate of market.candidates) {
          const explained = explainPair(q, job, candidate);
          if (explained.acceptable) expect(explained.soleBarriers).toEqual([]);
          for (const id of explained.soleBarriers) named.set(id, (named.get(id) ?? 0) + 1);
        }
        for (const c of reportCounts(ids(q), counts).criteria)
          expect(c.soleBarrier).toBe(named.get(c.criterionId) ?? 0);
      }),
      runs(40),
    );
  });

  it('puts a reported score k/10 in bin k, and 1.0 in the last bin', () => {
    for (let k = 0; k <= 10; k++) expect(histogramBin(k / 10)).toBe(Math.min(k, 9));
    expect(histogramBin(0.0999995)).toBe(1); // reported as 0.1
    expect(histogramBin(0.0999994)).toBe(0);
    expect(histogramBin(0.899999)).toBe(8);
  });

  it('bins every score as its reported value says, at and around every edge', () => {
    // The definition: the greatest k ≤ 9 with the reported score ≥ k/10.
    const binOf = (score: number) => {
      const reported = round6(score);
      let bin = 0;
      for (let k = 1; k < 10; k++) if (reported >= k / 10) bin = k;
      return bin;
    };
    const nextUp = (x: number, steps: number) => {
      const bits = new BigInt64Array(new Float64Array([x]).buffer);
      bits[0] = bits[0]! + BigInt(steps);
      return new Float64Array(bits.buffer)[0]!;
    };
    const scores: number[] = [];
    for (let k = 0; k <= 10; k++)
      for (const edge of [k / 10, k / 10 - 5e-7, k / 10 + 5e-7])
        for (let step = -3; step <= 3; step++) scores.push(nextUp(edge, step));
    for (let i = 0; i <= 100_000; i++) scores.push(i / 100_000);
    const wrong = scores
      .filter((score) => score >= 0 && score <= 1)
      .filter((score) => histogramBin(score) !== binOf(score));
    expect(wrong).toEqual([]);
  });
});
