import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AnswerSet,
  type CriterionAnswer,
  importanceLevels,
  importanceWeight,
} from '../../src/answers/types.ts';
import { explainPair } from '../../src/matching/explain.ts';
import {
  assessExpectations,
  mutualScore,
  numberSatisfaction,
  oneSided,
  profileSatisfaction,
  rankMatches,
  round6,
  satisfaction,
  scaleSatisfaction,
  scorePair,
} from '../../src/matching/score.ts';
import type { AnswerValue, MatchProfile, ScoreMethod, SideExplanation } from '../../src/matching/types.ts';
import { type CriterionDefinition, questionnaireDefinition } from '../../src/questionnaires/definition.ts';

const en = (text: string) => ({ en: text });
const prompts = { prompt: en('About you?'), acceptPrompt: en('About them?') };
const options = (...ids: string[]) => ids.map((id) => ({ id, label: en(id) }));
const steps = (count: number) => Array.from({ length: count }, (_, i) => ({ label: en(`step ${i}`) }));
const base = (id: string) => ({ id, title: en(id), candidate: prompts, employer: prompts });

const questionnaire = questionnaireDefinition.parse({
  id: 'fixture',
  version: 1,
  locales: ['en'],
  defaultLocale: 'en',
  title: en('Fixture'),
  criteria: [
    { ...base('contract'), kind: 'single', options: options('permanent', 'fixed-term', 'freelance') },
    { ...base('skills'), kind: 'multi', options: options('ts', 'sql', 'go', 'ux') },
    { ...base('remote'), kind: 'scale', steps: steps(5) },
    { ...base('autonomy'), kind: 'scale', steps: steps(5), tolerance: 2 },
    { ...base('salary'), kind: 'number', range: { min: 0, max: 200000 } },
    { ...base('travel-days'), kind: 'number', range: { min: 0, max: 50 }, toleranceRatio: 0.5 },
    { ...base('start'), kind: 'date', toleranceDays: 10 },
    { ...base('available'), kind: 'date' },
    {
      ...base('values'),
      kind: 'profile',
      candidate: { prompt: en('?') },
      employer: { prompt: en('?') },
      dimensions: options('care', 'growth', 'impact', 'craft'),
    },
  ],
});

const ids = questionnaire.criteria.map((c) => c.id);
const criterion = (id: string): CriterionDefinition => questionnaire.criteria.find((c) => c.id === id)!;
const sat = (id: string, expecting: CriterionAnswer, value: AnswerValue) =>
  satisfaction(criterion(id), expecting, value);
const profile = (answers: AnswerSet, minScore = 0.5): MatchProfile => ({ answers, minScore });

describe('satisfaction per kind', () => {
  it('single: 1 when the value is accepted, else 0', () => {
    const expecting: CriterionAnswer = { accept: ['permanent', 'fixed-term'], importance: 'very' };
    expect(sat('contract', expecting, 'permanent')).toBe(1);
    expect(sat('contract', expecting, 'freelance')).toBe(0);
  });

  it('multi: any needs one shared option, all counts the share of wanted options', () => {
    expect(
      sat('skills', { accept: { mode: 'any', options: ['go', 'sql'] }, importance: 'very' }, ['ts', 'sql']),
    ).toBe(1);
    expect(
      sat('skills', { accept: { mode: 'any', options: ['go', 'sql'] }, importance: 'very' }, ['ts']),
    ).toBe(0);
    const all = {
      accept: { mode: 'all' as const, options: ['ts', 'sql', 'go'] },
      importance: 'very' as const,
    };
    expect(sat('skills', all, ['ts', 'sql', 'ux'])).toBeCloseTo(2 / 3, 12);
    expect(sat('skills', all, ['go', 'sql', 'ts'])).toBe(1);
  });

  it('scale: 1 inside (edges included), then falls off by distance over tolerance + 1', () => {
    const expecting = { accept: { min: 1, max: 3 }, importance: 'very' as const };
    expect([0, 1, 2, 3, 4].map((x) => sat('remote', expecting, x))).toEqual([0.5, 1, 1, 1, 0.5]);
    expect(scaleSatisfaction({ min: 0, max: 1 }, 3, 1)).toBe(0);
    expect(scaleSatisfaction({ min: 1, max: 3 }, 4, 0)).toBe(0);
    const wide = { accept: { min: 0, max: 0 }, importance: 'very' as const };
    expect(sat('autonomy', wide, 1)).toBeCloseTo(2 / 3, 12);
    expect(sat('autonomy', wide, 2)).toBeCloseTo(1 / 3, 12);
    expect(sat('autonomy', wide, 3)).toBe(0);
  });

  it('number: relative distance past the crossed bound over the tolerance ratio', () => {
    expect(sat('salary', { accept: { min: 50000 }, importance: 'very' }, 45000)).toBeCloseTo(0.5, 12);
    expect(sat('salary', { accept: { min: 50000 }, importance: 'very' }, 40000)).toBe(0);
    expect(sat('salary', { accept: { min: 50000 }, importance: 'very' }, 10000)).toBe(0);
    expect(sat('salary', { accept: { max: 60000 }, importance: 'very' }, 66000)).toBeCloseTo(0.5, 12);
    expect(sat('salary', { accept: { min: 40000, max: 60000 }, importance: 'very' }, 40000)).toBe(1);
    expect(sat('salary', { accept: { min: 40000, max: 60000 }, importance: 'very' }, 60000)).toBe(1);
  });

  it('number: a bound of 0 is measured against the criterion range width', () => {
    // travel-days: range 0..50, toleranceRatio 0.5; 5 days past 0 → (5/50)/0.5 = 0.2
    expect(sat('travel-days', { accept: { max: 0 }, importance: 'very' }, 5)).toBeCloseTo(0.8, 12);
    expect(sat('travel-days', { accept: { max: 0 }, importance: 'very' }, 25)).toBe(0);
    expect(numberSatisfaction({ min: 0 }, -10, 0.2, 100)).toBeCloseTo(0.5, 12);
  });

  it('date: 1 inside the window, else 1 − d/toleranceDays with d the days to the bound crossed', () => {
    const window = { accept: { from: '2026-03-01', to: '2026-03-31' }, importance: 'very' as const };
    expect(sat('start', window, '2026-03-01')).toBe(1);
    expect(sat('start', window, '2026-03-31')).toBe(1);
    expect(sat('start', window, '2026-02-27')).toBeCloseTo(0.8, 12); // 2 days early, tolerance 10
    expect(sat('start', window, '2026-04-05')).toBeCloseTo(0.5, 12); // 5 days late
    expect(sat('start', window, '2026-04-10')).toBe(0);
    expect(sat('start', { accept: { to: '2026-01-01' }, importance: 'very' }, '2025-06-01')).toBe(1);
    // the default tolerance is 30 days; a leap day counts
    expect(
      sat('available', { accept: { from: '2028-03-01' }, importance: 'very' }, '2028-02-28'),
    ).toBeCloseTo(1 - 2 / 30, 12);
  });

  it('profile: (1 + pearson) / 2, and 0.5 for a constant vector', () => {
    expect(profileSatisfaction([1, 2, 3, 4], [1, 2, 3, 4])).toBe(1);
    expect(profileSatisfaction([1, 2, 3, 4], [4, 3, 2, 1])).toBe(0);
    expect(profileSatisfaction([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.9, 12);
    expect(profileSatisfaction([3, 3, 3, 3], [1, 2, 3, 4])).toBe(0.5);
    expect(profileSatisfaction([1, 2, 3, 4], [5, 5, 5, 5])).toBe(0.5);
    expect(sat('values', { value: [1, 5, 1, 5], importance: 'very' }, [2, 4, 2, 4])).toBe(1);
  });
});

describe('oneSided', () => {
  it('weights each satisfaction by the expecting side importance', () => {
    const expecting: AnswerSet = {
      contract: { accept: ['permanent'], importance: 'very' },
      remote: { accept: { min: 0, max: 0 }, importance: 'somewhat' },
      skills: { accept: { mode: 'any', options: ['go'] }, importance: 'irrelevant' },
    };
    const other: AnswerSet = {
      contract: { value: 'permanent', importance: 'irrelevant' },
      remote: { value: 4, importance: 'irrelevant' },
      skills: { value: ['ts'], importance: 'irrelevant' },
    };
    expect(oneSided(questionnaire, expecting, other)).toEqual({
      satisfaction: 50 / 60,
      brokenDealbreakers: [],
    });
  });

  it('is 1 when nothing can be scored', () => {
    expect(oneSided(questionnaire, {}, {}).satisfaction).toBe(1);
    const expecting: AnswerSet = { contract: { accept: ['permanent'], importance: 'very' } };
    expect(
      oneSided(questionnaire, expecting, { contract: { importance: 'little', accept: ['x'] } }).satisfaction,
    ).toBe(1);
  });

  it('breaks a dealbreaker on sat < 1 and on a missing value, not when met', () => {
    const expecting: AnswerSet = {
      contract: { accept: ['permanent'], importance: 'dealbreaker' },
      remote: { accept: { min: 2, max: 2 }, importance: 'dealbreaker' },
      salary: { accept: { min: 50000 }, importance: 'dealbreaker' },
      skills: { accept: { mode: 'any', options: ['ts'] }, importance: 'dealbreaker' },
    };
    const other: AnswerSet = {
      contract: { value: 'permanent', importance: 'irrelevant' },
      remote: { value: 3, importance: 'irrelevant' },
      salary: { importance: 'little', accept: { max: 1 } },
    };
    const result = oneSided(questionnaire, expecting, other);
    expect(result.brokenDealbreakers).toEqual(['skills', 'remote', 'salary']);
    expect(result.satisfaction).toBeCloseTo((250 + 125) / 500, 12);
  });

  it('scores a profile only when both sides have a value vector', () => {
    const mine: AnswerSet = { values: { value: [1, 2, 3, 4], importance: 'somewhat' } };
    expect(oneSided(questionnaire, mine, {}).satisfaction).toBe(1);
    expect(
      oneSided(questionnaire, mine, { values: { value: [4, 3, 2, 1], importance: 'irrelevant' } })
        .satisfaction,
    ).toBe(0);
  });
});

// Employer S = 0.5 (salary very, sat 0.5), candidate S = 1 (contract met); both valued: contract, salary.
const job: AnswerSet = {
  contract: { value: 'permanent', accept: ['permanent'], importance: 'irrelevant' },
  salary: { value: 55000, accept: { max: 60000 }, importance: 'very' },
};
const candidate: AnswerSet = {
  contract: { value: 'permanent', accept: ['permanent'], importance: 'very' },
  salary: { value: 66000, accept: { min: 50000 }, importance: 'irrelevant' },
};

describe('scorePair', () => {
  it('combines both sides by harmonic, geometric or min', () => {
    const scores = (['harmonic', 'geometric', 'min'] as const).map(
      (method) => scorePair(questionnaire, profile(job), profile(candidate), method).score,
    );
    expect(scores).toEqual([0.666667, round6(Math.SQRT1_2), 0.5]);
    expect(mutualScore(0, 1)).toBe(0);
  });

  it('reports both satisfactions, scoreLower = M − 1/n, and acceptability', () => {
    expect(scorePair(questionnaire, profile(job), profile(candidate))).toEqual({
      acceptable: true,
      score: 0.666667,
      scoreLower: 0.166667,
      employerSatisfaction: 0.5,
      candidateSatisfaction: 1,
      dealbreakers: [],
    });
  });

  it('refuses a pair below either side minScore', () => {
    expect(scorePair(questionnaire, profile(job, 0.6), profile(candidate)).acceptable).toBe(false);
    expect(scorePair(questionnaire, profile(job, 0.5), profile(candidate, 1)).acceptable).toBe(true);
  });

  it('names the side whose dealbreaker is broken', () => {
    const strict = {
      ...candidate,
      remote: { accept: { min: 4, max: 4 }, importance: 'dealbreaker' as const },
    };
    const result = scorePair(questionnaire, profile(job, 0), profile(strict, 0));
    expect(result.dealbreakers).toEqual([{ criterionId: 'remote', side: 'candidate' }]);
    expect(result.acceptable).toBe(false);
  });

  it('gives scoreLower 0 when no criterion has a value on both sides', () => {
    const result = scorePair(questionnaire, profile({}), profile({}));
    expect(result).toMatchObject({ score: 1, scoreLower: 0, acceptable: true });
  });
});

describe('explainPair', () => {
  const employerSide: AnswerSet = {
    contract: { value: 'freelance', accept: ['freelance', 'fixed-term'], importance: 'little' },
    remote: { value: 0, accept: { min: 0, max: 4 }, importance: 'irrelevant' },
    salary: { value: 55000, accept: { max: 60000 }, importance: 'very' },
  };
  const candidateSide: AnswerSet = {
    contract: { value: 'permanent', accept: ['permanent'], importance: 'somewhat' },
    remote: { value: 4, accept: { min: 4, max: 4 }, importance: 'somewhat' },
    salary: { value: 66000, importance: 'irrelevant' },
    values: { value: [1, 2, 3, 4], importance: 'very' },
  };
  const explanation = explainPair(questionnaire, profile(employerSide), profile(candidateSide));

  it('orders gaps by weight lost, then criterion id', () => {
    expect(explanation.gaps).toEqual([
      { criterionId: 'salary', side: 'employer', weightLost: 25 },
      { criterionId: 'contract', side: 'candidate', weightLost: 10 },
      { criterionId: 'remote', side: 'candidate', weightLost: 10 },
      { criterionId: 'contract', side: 'employer', weightLost: 1 },
    ]);
    expect(explanation.acceptable).toBe(false);
  });

  it('lists the criteria either side answered, in questionnaire order, with nulls where a side said nothing', () => {
    expect(explanation.criteria.map((c) => c.criterionId)).toEqual([
      'contract',
      'remote',
      'salary',
      'values',
    ]);
    expect(ids).toContain('skills'); // answered by neither: not listed
    const absent: SideExplanation = { value: null, accept: null, importance: null, satisfaction: null };
    expect(explanation.criteria.find((c) => c.criterionId === 'values')).toEqual({
      criterionId: 'values',
      candidate: { value: [1, 2, 3, 4], accept: null, importance: 'very', satisfaction: null },
      employer: absent,
    });
    expect(explanation.criteria[0]?.candidate).toEqual({
      value: 'permanent',
      accept: ['permanent'],
      importance: 'somewhat',
      satisfaction: 0,
    });
  });
});

describe('rankMatches', () => {
  it('keeps the acceptable ones, by score descending then id', () => {
    const others = [
      { id: 'c', answers: candidate, minScore: 0.5 },
      { id: 'a', answers: candidate, minScore: 0.5 },
      {
        id: 'b',
        answers: { ...candidate, salary: { value: 60000, importance: 'irrelevant' as const } },
        minScore: 0.5,
      },
      {
        id: 'd',
        answers: {
          ...candidate,
          contract: { value: 'permanent', accept: ['freelance'], importance: 'very' as const },
        },
        minScore: 0.5,
      },
    ];
    const ranked = rankMatches(questionnaire, { side: 'employer', answers: job, minScore: 0.5 }, others);
    expect(ranked.map((m) => [m.id, m.score])).toEqual([
      ['b', 1],
      ['a', 0.666667],
      ['c', 0.666667],
    ]);
  });

  it('ranks jobs for a candidate by the same pair score', () => {
    const jobs = [
      { id: 'strict', answers: job, minScore: 0.6 },
      { id: 'open', answers: job, minScore: 0.5 },
    ];
    const ranked = rankMatches(questionnaire, { side: 'candidate', answers: candidate, minScore: 0.5 }, jobs);
    expect(ranked).toEqual([{ id: 'open', ...scorePair(questionnaire, profile(job), profile(candidate)) }]);
  });
});

// Random answer sets over the fixture questionnaire.
const importanceArb = fc.constantFrom(...importanceLevels);
const withOptionalValue = <V, A>(value: fc.Arbitrary<V>, accept: fc.Arbitrary<A>) =>
  fc
    .record({ value: fc.option(value, { nil: undefined }), accept, importance: importanceArb })
    .map(({ value, ...rest }) => (value === undefined ? rest : { value, ...rest }));
const sortedPair = (min: number, max: number) =>
  fc
    .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
    .map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }));

function answerArb(c: CriterionDefinition): fc.Arbitrary<CriterionAnswer> {
  switch (c.kind) {
    case 'single':
    case 'multi': {
      const optionIds = c.options.map((o) => o.id);
      const some = fc.subarray(optionIds, { minLength: 1 });
      return c.kind === 'single'
        ? withOptionalValue(fc.constantFrom(...optionIds), some)
        : withOptionalValue(
            some,
            fc.record({ mode: fc.constantFrom('any' as const, 'all' as const), options: some }),
          );
    }
    case 'scale':
      return withOptionalValue(
        fc.integer({ min: 0, max: c.steps.length - 1 }),
        sortedPair(0, c.steps.length - 1),
      );
    case 'number': {
      const { min, max } = c.range;
      const bound = fc.integer({ min, max });
      const accept = fc.oneof(
        bound.map((b) => ({ min: b })),
        bound.map((b) => ({ max: b })),
        sortedPair(min, max),
      );
      return withOptionalValue(fc.double({ min, max, noNaN: true }), accept);
    }
    case 'profile':
      return fc.record({
        value: fc.array(fc.integer({ min: 1, max: 5 }), {
          minLength: c.dimensions.length,
          maxLength: c.dimensions.length,
        }),
        importance: importanceArb,
      });
    case 'date': {
      const day = fc
        .integer({ min: -90, max: 90 })
        .map((offset) => new Date(Date.UTC(2026, 5, 1 + offset)).toISOString().slice(0, 10));
      const accept = fc.oneof(
        day.map((from) => ({ from })),
        day.map((to) => ({ to })),
        fc.tuple(day, day).map(([a, b]) => (a <= b ? { from: a, to: b } : { from: b, to: a })),
      );
      return withOptionalValue(day, accept);
    }
    default:
      return c satisfies never;
  }
}

const answerSetArb: fc.Arbitrary<AnswerSet> = fc
  .tuple(...questionnaire.criteria.map((c) => fc.option(answerArb(c), { nil: undefined })))
  .map((answers) => Object.fromEntries(answers.flatMap((a, i) => (a ? [[ids[i]!, a]] : []))));
const profileArb = fc.record({ answers: answerSetArb, minScore: fc.double({ min: 0, max: 1, noNaN: true }) });
const methodArb = fc.constantFrom<ScoreMethod>('harmonic', 'geometric', 'min');
const inUnit = (x: number) => x >= 0 && x <= 1;

describe('properties', () => {
  it('every satisfaction is in [0, 1]', () => {
    fc.assert(
      fc.property(answerSetArb, answerSetArb, (a, b) =>
        assessExpectations(questionnaire, a, b).every(
          (x) => x.satisfaction === null || inUnit(x.satisfaction),
        ),
      ),
    );
  });

  it('every score is in [0, 1] and scoreLower ≤ score', () => {
    fc.assert(
      fc.property(profileArb, profileArb, methodArb, (j, c, method) => {
        const r = scorePair(questionnaire, j, c, method);
        const unit = [r.score, r.scoreLower, r.employerSatisfaction, r.candidateSatisfaction].every(inUnit);
        return unit && r.scoreLower <= r.score && (!r.acceptable || r.dealbreakers.length === 0);
      }),
    );
  });

  it('min ≤ harmonic ≤ geometric', () => {
    const unit = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(unit, unit, (s1, s2) => {
        const h = mutualScore(s1, s2, 'harmonic');
        return mutualScore(s1, s2, 'min') <= h + 1e-12 && h <= mutualScore(s1, s2, 'geometric') + 1e-12;
      }),
    );
  });

  it('names as sole barriers exactly the criteria whose removal alone makes the pair acceptable', () => {
    // The definition, scored afresh: the criterion made irrelevant on both sides, all else as it is.
    const ignoring = (p: MatchProfile, id: string): MatchProfile =>
      Object.hasOwn(p.answers, id)
        ? {
            ...p,
            answers: {
              ...p.answers,
              [id]: { ...p.answers[id]!, importance: 'irrelevant' } as CriterionAnswer,
            },
          }
        : p;
    let named = 0;
    fc.assert(
      fc.property(profileArb, profileArb, methodArb, (j, c, method) => {
        const explanation = explainPair(questionnaire, j, c, method);
        const expected = explanation.acceptable
          ? []
          : ids.filter(
              (id) =>
                (Object.hasOwn(j.answers, id) || Object.hasOwn(c.answers, id)) &&
                scorePair(questionnaire, ignoring(j, id), ignoring(c, id), method).acceptable,
            );
        expect(explanation.soleBarriers).toEqual(expected);
        named += expected.length;
      }),
      { numRuns: 400 },
    );
    expect(named).toBeGreaterThan(0);
  });

  it('an explanation reproduces both one-sided satisfactions', () => {
    fc.assert(
      fc.property(profileArb, profileArb, (j, c) => {
        const explanation = explainPair(questionnaire, j, c);
        expect(explanation).toMatchObject(scorePair(questionnaire, j, c));
        for (const side of ['candidate', 'employer'] as const) {
          let weighted = 0;
          let total = 0;
          for (const entry of explanation.criteria) {
            const { importance, satisfaction: s } = entry[side];
            if (s === null || importance === null) continue;
            weighted += importanceWeight[importance] * s;
            total += importanceWeight[importance];
          }
          const recomputed = total === 0 ? 1 : weighted / total;
          const [own, other] = side === 'candidate' ? [c, j] : [j, c];
          expect(
            Math.abs(recomputed - oneSided(questionnaire, own.answers, other.answers).satisfaction),
          ).toBeLessThan(1e-9);
          // The explanation shows the satisfaction rounded to 6 places: off by at most half a unit
          // there (toBeCloseTo(…, 6) demands strictly less, and 0.4921875 → 0.492188 is exactly half).
          expect(Math.abs(recomputed - explanation[`${side}Satisfaction`])).toBeLessThanOrEqual(5e-7 + 1e-9);
        }
      }),
    );
  });
});
