import fc from 'fast-check';
import type { AnswerSet, CriterionAnswer, Importance } from '../../src/answers/types.ts';
import type { ScoreMethod } from '../../src/matching/types.ts';
import {
  type CriterionDefinition,
  type QuestionnaireDefinition,
  questionnaireDefinition,
} from '../../src/questionnaires/definition.ts';

/**
 * fast-check arbitraries for random matching markets: a questionnaire, valid answer sets for it,
 * and jobs and candidates with UUID ids. Value domains are kept small on purpose so that exact
 * boundaries (distance 0, sat exactly 1, satisfaction exactly at minScore) and score ties are common.
 */

export interface MarketJob {
  id: string;
  minScore: number;
  answers: AnswerSet;
  employerId: string;
}

export interface MarketCandidate {
  id: string;
  minScore: number;
  answers: AnswerSet;
}

export interface RandomMarket {
  questionnaire: QuestionnaireDefinition;
  jobs: MarketJob[];
  candidates: MarketCandidate[];
}

type Criterion<K extends CriterionDefinition['kind']> = Extract<CriterionDefinition, { kind: K }>;
type NumberRange = { min: number; max: number };

const en = (text: string) => ({ en: text });
const prompts = { prompt: en('About you?'), acceptPrompt: en('About them?') };
const labelled = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i}`, label: en(`${prefix} ${i}`) }));

/** A lowercase UUID (v4 or v7), the shape profile ids have. */
export const arbId = (): fc.Arbitrary<string> => fc.uuid({ version: [4, 7] }).map((id) => id.toLowerCase());

/** θ: the usual round values often (exact boundaries), any value in [0, 1] sometimes. */
export const arbMinScore = (): fc.Arbitrary<number> =>
  fc.oneof(
    { arbitrary: fc.constantFrom(0, 0.25, 0.5, 0.75, 1), weight: 3 },
    { arbitrary: fc.double({ min: 0, max: 1, noNaN: true }), weight: 1 },
  );

/** Mostly a few options (2..4), sometimes up to 32 so that high mask bits (bit 31) are used. */
const arbOptionCount = fc.oneof(
  { arbitrary: fc.integer({ min: 2, max: 4 }), weight: 3 },
  { arbitrary: fc.integer({ min: 5, max: 32 }), weight: 1 },
  { arbitrary: fc.constant(32), weight: 1 },
);

const arbNumberRange: fc.Arbitrary<NumberRange> = fc.oneof(
  // min 0: a bound of 0 is the range's own floor
  fc.integer({ min: 1, max: 100 }).map((max) => ({ min: 0, max })),
  // straddles 0
  fc
    .tuple(fc.integer({ min: -50, max: -1 }), fc.integer({ min: 1, max: 50 }))
    .map(([min, max]) => ({ min, max })),
  // strictly positive or strictly negative
  fc
    .tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 60 }))
    .map(([min, width]) => ({ min, max: min + width })),
  fc
    .tuple(fc.integer({ min: -60, max: -2 }), fc.integer({ min: 1, max: 60 }))
    .map(([min, width]) => ({ min, max: Math.min(-1, min + width) })),
);

const arbCriterion = (index: number): fc.Arbitrary<unknown> => {
  const base = { id: `c${index}`, title: en(`Criterion ${index}`), candidate: prompts, employer: prompts };
  return fc.oneof(
    arbOptionCount.map((n) => ({ ...base, kind: 'single', options: labelled('o', n) })),
    arbOptionCount.map((n) => ({ ...base, kind: 'multi', options: labelled('o', n) })),
    fc
      .tuple(fc.integer({ min: 2, max: 8 }), fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }))
      .map(([k, tolerance]) => ({
        ...base,
        kind: 'scale',
        steps: labelled('s', k).map(({ label }) => ({ label })),
        ...(tolerance !== undefined && { tolerance }),
      })),
    fc
      .tuple(
        arbNumberRange,
        fc.option(
          fc.oneof(
            fc.constantFrom(0.05, 0.1, 0.2, 0.25, 0.5, 1),
            fc.double({ min: 0.05, max: 1, noNaN: true }),
          ),
          { nil: undefined },
        ),
      )
      .map(([range, toleranceRatio]) => ({
        ...base,
        kind: 'number',
        range,
        ...(toleranceRatio !== undefined && { toleranceRatio }),
      })),
    fc
      .option(fc.oneof(fc.constantFrom(1, 7, 30, 90), fc.integer({ min: 1, max: 400 })), { nil: undefined })
      .map((toleranceDays) => ({
        ...base,
        kind: 'date',
        ...(toleranceDays !== undefined && { toleranceDays }),
      })),
    fc.integer({ min: 2, max: 6 }).map((m) => ({
      ...base,
      kind: 'profile',
      candidate: { prompt: en('About you?') },
      employer: { prompt: en('About you?') },
      dimensions: labelled('d', m),
    })),
  );
};

/** A valid questionnaire (parsed by the real schema) with 1..12 criteria of random kinds. */
export const arbQuestionnaire = (): fc.Arbitrary<QuestionnaireDefinition> =>
  fc
    .integer({ min: 1, max: 12 })
    .chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => arbCriterion(i))))
    .map((criteria) =>
      questionnaireDefinition.parse({
        id: 'random-fit',
        version: 1,
        locales: ['en'],
        defaultLocale: 'en',
        title: en('Random fit'),
        criteria,
      }),
    );

/** Dealbreakers are rare (~8%) so that many pairs survive them. */
const arbImportance: fc.Arbitrary<Importance> = fc.oneof(
  { arbitrary: fc.constant('irrelevant' as const), weight: 2 },
  { arbitrary: fc.constant('little' as const), weight: 3 },
  { arbitrary: fc.constant('somewhat' as const), weight: 3 },
  { arbitrary: fc.constant('very' as const), weight: 3 },
  { arbitrary: fc.constant('dealbreaker' as const), weight: 1 },
);

/** An option index: mostly among the first three (overlaps, ties), sometimes any, often the last. */
const arbOptionIndex = (n: number): fc.Arbitrary<number> =>
  fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: Math.min(2, n - 1) }), weight: 4 },
    { arbitrary: fc.integer({ min: 0, max: n - 1 }), weight: 1 },
    { arbitrary: fc.constant(n - 1), weight: 1 },
  );

const arbOptionIds = (criterion: Criterion<'single' | 'multi'>): fc.Arbitrary<string[]> => {
  const n = criterion.options.length;
  return fc
    .uniqueArray(arbOptionIndex(n), { minLength: 1, maxLength: Math.min(n, 6) })
    .map((indexes) => indexes.map((i) => criterion.options[i]!.id));
};

const arbStep = (k: number) =>
  fc.oneof(fc.integer({ min: 0, max: k - 1 }), fc.constantFrom(0, Math.min(1, k - 1), k - 1));

/** A point of a number criterion's range: its ends, 0 when inside, integers, any double. */
const arbAmount = ({ min, max }: NumberRange): fc.Arbitrary<number> => {
  const special = min <= 0 && max >= 0 ? [min, max, 0] : [min, max];
  return fc.oneof(
    { arbitrary: fc.constantFrom(...special), weight: 2 },
    { arbitrary: fc.integer({ min: Math.ceil(min), max: Math.floor(max) }), weight: 3 },
    { arbitrary: fc.double({ min, max, noNaN: true }), weight: 1 },
  );
};

const sorted = ([a, b]: [number, number]) => (a <= b ? { min: a, max: b } : { min: b, max: a });

/**
 * A calendar date within a few months of 2026-01-01 (so windows, overlaps and tolerances meet),
 * sometimes across a month or year end, as ISO YYYY-MM-DD.
 */
const arbDate: fc.Arbitrary<string> = fc
  .oneof(
    { arbitrary: fc.integer({ min: -20, max: 20 }), weight: 3 },
    { arbitrary: fc.integer({ min: -400, max: 400 }), weight: 1 },
  )
  .map((offset) => new Date(Date.UTC(2026, 0, 1 + offset)).toISOString().slice(0, 10));

/** Left out about one time in five. */
const sometimesOmitted = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 5 });

/** value (maybe omitted; never for a profile) and accept (none for a profile) for one criterion. */
const arbValueAndAccept = (criterion: CriterionDefinition): fc.Arbitrary<[unknown, unknown]> => {
  switch (criterion.kind) {
    case 'single':
      return fc.tuple(
        sometimesOmitted(arbOptionIds(criterion).map((ids) => ids[0]!)),
        arbOptionIds(criterion),
      );
    case 'multi':
      return fc.tuple(
        sometimesOmitted(arbOptionIds(criterion)),
        fc.record({
          mode: fc.constantFrom('any' as const, 'all' as const),
          options: arbOptionIds(criterion),
        }),
      );
    case 'scale': {
      const k = criterion.steps.length;
      return fc.tuple(sometimesOmitted(arbStep(k)), fc.tuple(arbStep(k), arbStep(k)).map(sorted));
    }
    case 'number': {
      const amount = arbAmount(criterion.range);
      const accept = fc.oneof(
        amount.map((min) => ({ min })),
        amount.map((max) => ({ max })),
        fc.tuple(amount, amount).map(sorted),
      );
      return fc.tuple(sometimesOmitted(amount), accept);
    }
    case 'date': {
      const accept = fc.oneof(
        arbDate.map((from) => ({ from })),
        arbDate.map((to) => ({ to })),
        fc.tuple(arbDate, arbDate).map(([a, b]) => (a <= b ? { from: a, to: b } : { from: b, to: a })),
      );
      return fc.tuple(sometimesOmitted(arbDate), accept);
    }
    case 'profile': {
      const m = criterion.dimensions.length;
      const rating = fc.integer({ min: 1, max: 5 });
      const value = fc.oneof(
        { arbitrary: fc.array(rating, { minLength: m, maxLength: m }), weight: 4 },
        { arbitrary: rating.map((r) => Array.from({ length: m }, () => r)), weight: 1 },
      );
      return fc.tuple(value, fc.constant(undefined));
    }
  }
};

/** One criterion's answer, or undefined for unanswered. */
const arbAnswer = (criterion: CriterionDefinition): fc.Arbitrary<CriterionAnswer | undefined> => {
  const answered = fc
    .tuple(arbImportance, arbValueAndAccept(criterion), fc.boolean())
    .map(([importance, [value, accept], keepIrrelevantAccept]) => {
      const withAccept = accept !== undefined && (importance !== 'irrelevant' || keepIrrelevantAccept);
      return {
        ...(value !== undefined && { value }),
        ...(withAccept && { accept }),
        importance,
      } as CriterionAnswer;
    });
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: 1 }, { arbitrary: answered, weight: 4 });
};

/**
 * A random answer set that `validateAnswerSet(q, set)` accepts: each criterion answered or not,
 * all five importances, value sometimes omitted (not for profiles), accept present whenever the
 * importance is not irrelevant and sometimes when it is.
 */
export const arbAnswerSet = (q: QuestionnaireDefinition): fc.Arbitrary<AnswerSet> =>
  fc.tuple(...q.criteria.map(arbAnswer)).map((answers) => {
    const set: AnswerSet = {};
    answers.forEach((answer, i) => {
      if (answer) set[q.criteria[i]!.id] = answer;
    });
    return set;
  });

export interface ProfileBody {
  minScore: number;
  answers: AnswerSet;
}

export const arbProfileBody = (q: QuestionnaireDefinition): fc.Arbitrary<ProfileBody> =>
  fc.record({ minScore: arbMinScore(), answers: arbAnswerSet(q) });

export const MAX_JOBS = 8;
export const MAX_CANDIDATES = 60;

/** A questionnaire with 1..8 jobs (of 1..3 employers) and 0..60 candidates; ids unique across it. */
export const arbMarket = (): fc.Arbitrary<RandomMarket> =>
  arbQuestionnaire().chain((questionnaire) =>
    fc
      .record({
        jobs: fc.array(fc.record({ body: arbProfileBody(questionnaire), employer: fc.nat({ max: 2 }) }), {
          minLength: 1,
          maxLength: MAX_JOBS,
          size: 'max',
        }),
        candidates: fc.array(arbProfileBody(questionnaire), { maxLength: MAX_CANDIDATES, size: 'max' }),
        ids: fc.uniqueArray(arbId(), {
          minLength: MAX_JOBS + MAX_CANDIDATES,
          maxLength: MAX_JOBS + MAX_CANDIDATES,
        }),
        employers: fc.tuple(arbId(), arbId(), arbId()),
      })
      .map(({ jobs, candidates, ids, employers }) => ({
        questionnaire,
        jobs: jobs.map(({ body, employer }, i) => ({
          id: ids[i]!,
          ...body,
          employerId: employers[employer]!,
        })),
        candidates: candidates.map((body, i) => ({ id: ids[MAX_JOBS + i]!, ...body })),
      })),
  );

/** A listing on a random market: whose (a job or a candidate, by index), how long, by which score method. */
export const arbListing = () =>
  arbMarket().chain((market) =>
    fc.record({
      market: fc.constant(market),
      jobSide: fc.boolean(),
      subject: fc.nat(),
      limit: fc.integer({ min: 1, max: 12 }),
      method: fc.constantFrom<ScoreMethod>('harmonic', 'geometric', 'min'),
    }),
  );

/**
 * fast-check parameters for the engine's property tests: `numRuns` scaled by MATCH_INDEX_RUNS
 * (`MATCH_INDEX_RUNS=5` runs each five times as often), and MATCH_INDEX_SEED replays a seed.
 */
export const propertyRuns = (numRuns: number): { numRuns: number; seed?: number } => ({
  numRuns: Math.max(1, Math.round(numRuns * Number(process.env.MATCH_INDEX_RUNS ?? 1))),
  ...(process.env.MATCH_INDEX_SEED === undefined ? {} : { seed: Number(process.env.MATCH_INDEX_SEED) }),
});
