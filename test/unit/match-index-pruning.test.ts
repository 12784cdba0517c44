import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mixSeed } from '../../bench/random.ts';
import { ProfileStore } from '../../src/matching/engine/columnar-store.ts';
import { compileLayout } from '../../src/matching/engine/layout.ts';
import { type RankRequest, rankAgainst } from '../../src/matching/engine/search.ts';
import { rankMatches, scorePair } from '../../src/matching/score.ts';
import type { RankEntry, ScoreMethod } from '../../src/matching/types.ts';
import type { QuestionnaireDefinition } from '../../src/questionnaires/definition.ts';
import {
  arbProfileBody,
  arbQuestionnaire,
  type ProfileBody,
  propertyRuns,
} from '../support/random-market.ts';

/**
 * The pruning paths of the listing (samples ranked first, a guessed threshold and its fallback,
 * bounds on S(subject→row) from the heaviest criteria) need markets of a few thousand rows and
 * small limits to run at all; here they are checked against the reference scorer: top k, pages
 * deep into the list, and a guess that must turn out too high. Few bodies over many rows make
 * score ties common. MATCH_INDEX_SEED replays a seed; MATCH_INDEX_RUNS scales runs.
 */

const arbMethod = fc.constantFrom<ScoreMethod>('harmonic', 'geometric', 'min');
const TOLERANCE = 1e-6;

interface Row {
  id: string;
  score: number;
  scoreLower: number;
  subjectSatisfaction: number;
  otherSatisfaction: number;
}

/** A UUID-shaped id per (salt, index): thousands of distinct ids without drawing each one. */
function idOf(salt: number, index: number): string {
  const hex = [1, 2, 3, 4].map((part) => mixSeed(salt, index, part).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
}

interface BigMarket {
  questionnaire: QuestionnaireDefinition;
  job: RankEntry;
  candidates: RankEntry[];
}

function buildStores(market: BigMarket) {
  const layout = compileLayout(market.questionnaire);
  const jobs = new ProfileStore(layout);
  const candidates = new ProfileStore(layout);
  jobs.upsert({ ...market.job, employerId: market.job.id });
  for (const candidate of market.candidates) candidates.upsert(candidate);
  return { jobs, candidates };
}

function indexRanking(market: BigMarket, stores: ReturnType<typeof buildStores>, request: RankRequest) {
  const { rows, hasMore } = rankAgainst(
    stores.jobs,
    stores.jobs.slotOf(market.job.id),
    stores.candidates,
    request,
  );
  return { rows: rows.map(({ slot, ...row }) => ({ id: stores.candidates.idAt(slot), ...row })), hasMore };
}

function referenceRanking(market: BigMarket, method: ScoreMethod): Row[] {
  return rankMatches(
    market.questionnaire,
    { side: 'employer', ...market.job },
    market.candidates,
    method,
  ).map((m) => ({
    id: m.id,
    score: m.score,
    scoreLower: m.scoreLower,
    subjectSatisfaction: m.employerSatisfaction,
    otherSatisfaction: m.candidateSatisfaction,
  }));
}

function expectSameRanking(actual: readonly Row[], expected: readonly Row[], what: string): void {
  expect(
    actual.map((r) => r.id),
    what,
  ).toEqual(expected.map((r) => r.id));
  actual.forEach((row, i) => {
    for (const key of ['score', 'scoreLower', 'subjectSatisfaction', 'otherSatisfaction'] as const) {
      expect(Math.abs(row[key] - expected[i]![key]), `${what}: ${row.id} ${key}`).toBeLessThanOrEqual(
        TOLERANCE,
      );
    }
  });
}

/** A job and `min..max` candidates drawn from a few bodies (so with many ties), in a random mix. */
const arbMarketOf = (min: number, max: number): fc.Arbitrary<BigMarket> =>
  arbQuestionnaire().chain((questionnaire) =>
    fc
      .record({
        job: arbProfileBody(questionnaire),
        bodies: fc.array(arbProfileBody(questionnaire), { minLength: 1, maxLength: 12 }),
        size: fc.integer({ min, max }),
        salt: fc.integer(),
      })
      .map(({ job, bodies, size, salt }) => ({
        questionnaire,
        job: { id: idOf(salt, -1), ...job },
        candidates: Array.from({ length: size }, (_, i) => ({
          id: idOf(salt, i),
          ...bodies[mixSeed(salt, i) % bodies.length]!,
        })),
      })),
  );

const arbBigMarket = arbMarketOf(1_600, 2_600);

/**
 * Like arbBigMarket, but the job expects little or nothing (its importances all irrelevant, or all
 * but one): S(job→candidate) is 1, or takes few values, for thousands of rows, so S(candidate→job)
 * decides the order, in buckets of more rows than are scored the other way at once.
 */
const arbMarketDecidedByCandidates = (min: number, max: number): fc.Arbitrary<BigMarket> =>
  arbBigMarket.chain((market) =>
    fc
      .record({ keep: fc.option(fc.nat(), { nil: undefined }), size: fc.integer({ min, max }) })
      .map(({ keep, size }) => {
        const ids = Object.keys(market.job.answers);
        const kept = keep === undefined ? undefined : ids[keep % Math.max(1, ids.length)];
        const answers = Object.fromEntries(
          Object.entries(market.job.answers).map(([id, answer]) => [
            id,
            id === kept ? answer : { ...answer, importance: 'irrelevant' as const },
          ]),
        );
        const candidates = Array.from({ length: size }, (_, i) => ({
          ...market.candidates[i % market.candidates.length]!,
          id: idOf(size, i),
        }));
        return { ...market, job: { ...market.job, answers }, candidates };
      }),
  );

/** The index's top k and its pages after cursors at the given list positions equal the reference's. */
function expectReferencePages(
  market: BigMarket,
  method: ScoreMethod,
  limits: number[],
  cursorPositions: number[],
) {
  const stores = buildStores(market);
  const full = referenceRanking(market, method);
  for (const limit of limits) {
    const top = indexRanking(market, stores, { limit, method });
    expectSameRanking(top.rows, full.slice(0, limit), `top ${limit} (${method})`);
    expect(top.hasMore).toBe(full.length > limit);
    for (const position of cursorPositions) {
      const i = Math.floor(position * full.length);
      if (i >= full.length) continue;
      const after = { score: full[i]!.score, id: full[i]!.id };
      const page = indexRanking(market, stores, { limit, method, after });
      expectSameRanking(page.rows, full.slice(i + 1, i + 1 + limit), `${limit} after #${i} (${method})`);
      expect(page.hasMore).toBe(full.length > i + 1 + limit);
    }
  }
}

describe('match index pruning on markets of thousands of rows', () => {
  it('returns the reference top k, and the reference page after a cursor deep into the list', () => {
    fc.assert(
      fc.property(
        arbBigMarket,
        arbMethod,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
        (market, method, cursorPositions) => {
          expectReferencePages(market, method, [1, 2, 5], cursorPositions);
        },
      ),
      propertyRuns(12),
    );
  });

  it('returns the reference top k over lists long enough to be bucketed by loss cells', () => {
    // search.ts buckets a list of 4,096 rows and more by each row's loss cell, not its own bound
    fc.assert(
      fc.property(
        fc.oneof(arbMarketOf(4_500, 5_500), arbMarketDecidedByCandidates(4_500, 5_500)),
        arbMethod,
        (market, method) => {
          expectReferencePages(market, method, [1, 5], [0.3]);
        },
      ),
      propertyRuns(8),
    );
  });

  it('still equals the reference when the samples hold more of the best rows than chance would put there', () => {
    // The first sample run (list positions 0..15) holds the only 4 rows of the best body; every
    // other row has a lower score. The guess from the samples (their 4th best, for limit 5) is then
    // above the final worst score, so the listing must notice and rank again without guessing.
    const arbCase = arbQuestionnaire().chain((questionnaire) =>
      fc.record({
        questionnaire: fc.constant(questionnaire),
        job: arbProfileBody(questionnaire),
        bodies: fc.array(arbProfileBody(questionnaire), { minLength: 6, maxLength: 12 }),
        salt: fc.integer(),
      }),
    );
    fc.assert(
      fc.property(arbCase, arbMethod, ({ questionnaire, job, bodies, salt }, method) => {
        const subject = { id: idOf(salt, -1), ...job };
        const scored = bodies
          .map((body) => ({ body, pair: scorePair(questionnaire, subject, body, method) }))
          .filter(({ pair }) => pair.acceptable)
          .sort((a, b) => b.pair.score - a.pair.score);
        const best = scored[0];
        const second = scored.find(({ pair }) => best !== undefined && pair.score < best.pair.score);
        fc.pre(best !== undefined && second !== undefined);
        const bodyAt = (i: number): ProfileBody => (i < 4 ? best!.body : second!.body);
        const market: BigMarket = {
          questionnaire,
          job: subject,
          candidates: Array.from({ length: 1_700 }, (_, i) => ({ id: idOf(salt, i), ...bodyAt(i) })),
        };
        const full = referenceRanking(market, method);
        const top = indexRanking(market, buildStores(market), { limit: 5, method });
        expectSameRanking(top.rows, full.slice(0, 5), `top 5 (${method})`);
        expect(top.hasMore).toBe(true);
      }),
      propertyRuns(20),
    );
  });

  it('returns the reference top k and pages when S(candidate→job) decides among thousands of equal S(job→candidate)', () => {
    fc.assert(
      fc.property(
        arbMarketDecidedByCandidates(2_100, 2_600),
        arbMethod,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 2 }),
        (market, method, cursorPositions) => {
          expectReferencePages(market, method, [1, 3, 50], cursorPositions);
        },
      ),
      propertyRuns(12),
    );
  });
});
