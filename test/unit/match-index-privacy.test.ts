import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RankPool } from '../../src/matching/engine/slice-pool.ts';
import { MatchIndex } from '../../src/matching/index.ts';
import { rankMatches } from '../../src/matching/score.ts';
import type { ScoreMethod } from '../../src/matching/types.ts';
import { buildCatalog } from '../../src/questionnaires/loader.ts';
import { arbMarket, propertyRuns, type RandomMarket } from '../support/random-market.ts';

/**
 * Candidates' privacy in the match index (docs/matching.md#candidate-privacy) against the
 * reference scorer on random markets: a paused candidate is in no listing and has none; a
 * candidate hiding from an employer is in none of its jobs' listings and sees none of them. Every
 * page of `limit` rows is the reference's listing with those rows left out, so the best `limit`
 * visible rows are found, not the best `limit` filtered afterwards; the pair check agrees.
 */

const runs = (n: number) => ({ ...propertyRuns(n), endOnFailure: true });
const WORKSPACE = '00000000-0000-4000-8000-000000000001';
const TOLERANCE = 1e-6;

interface Case {
  market: RandomMarket;
  method: ScoreMethod;
  limit: number;
  paused: boolean[];
  /** per candidate: which of the market's employers it hides from, first as loaded, then as changed */
  hiddenBefore: boolean[][];
  hidden: boolean[][];
}

const employersOf = (market: RandomMarket) => [...new Set(market.jobs.map((job) => job.employerId))].sort();

const arbCase = (): fc.Arbitrary<Case> =>
  arbMarket().chain((market) => {
    const n = market.candidates.length;
    const e = employersOf(market).length;
    const hiddenSets = fc.array(fc.array(fc.boolean(), { minLength: e, maxLength: e }), {
      minLength: n,
      maxLength: n,
    });
    return fc.record({
      market: fc.constant(market),
      method: fc.constantFrom<ScoreMethod>('harmonic', 'geometric', 'min'),
      limit: fc.integer({ min: 1, max: 6 }),
      paused: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      hiddenBefore: hiddenSets,
      hidden: hiddenSets,
    });
  });

const hiddenIds = (c: Case, flags: boolean[] | undefined) =>
  employersOf(c.market).filter((_, i) => flags?.[i]);

/** The index as a follower gets it: every profile, then each candidate's privacy changed once. */
function indexOf(c: Case, pool?: RankPool): MatchIndex {
  const index = new MatchIndex(buildCatalog([c.market.questionnaire]), { pool, splitFrom: 0 });
  const { id: questionnaireId, version: questionnaireVersion } = c.market.questionnaire;
  const answersOf = (profile: { answers: RandomMarket['jobs'][number]['answers'] }) => ({
    questionnaireId,
    questionnaireVersion,
    answers: profile.answers,
  });
  for (const job of c.market.jobs) index.apply(WORKSPACE, 'job', { ...job, answers: answersOf(job) });
  c.market.candidates.forEach((candidate, i) => {
    const state = { ...candidate, answers: answersOf(candidate) };
    index.apply(WORKSPACE, 'candidate', { ...state, hiddenFromEmployerIds: hiddenIds(c, c.hiddenBefore[i]) });
  });
  c.market.candidates.forEach((candidate, i) => {
    index.apply(WORKSPACE, 'candidate', {
      ...candidate,
      open: !c.paused[i],
      hiddenFromEmployerIds: hiddenIds(c, c.hidden[i]),
      answers: answersOf(candidate),
    });
  });
  return index;
}

function visible(c: Case, jobIndex: number, candidateIndex: number): boolean {
  const employer = employersOf(c.market).indexOf(c.market.jobs[jobIndex]!.employerId);
  return !c.paused[candidateIndex] && !c.hidden[candidateIndex]![employer];
}

interface Row {
  id: string;
  score: number;
  subjectSatisfaction: number;
  otherSatisfaction: number;
}

/** Every page of the subject's listing, `limit` rows at a time, each page after the last row of the one before. */
function allPages(index: MatchIndex, side: 'job' | 'candidate', id: string, c: Case): Row[] | undefined {
  const rows: Row[] = [];
  let after: { score: number; id: string } | undefined;
  for (;;) {
    const page = index.matchesOf(WORKSPACE, side, id, { limit: c.limit, after, method: c.method });
    if (!page) return undefined;
    rows.push(...page.rows);
    const last = page.rows.at(-1);
    if (!page.hasMore || !last) return rows;
    expect(page.rows).toHaveLength(c.limit);
    after = { score: last.score, id: last.id };
  }
}

function expectSame(actual: Row[] | undefined, expected: Row[], what: string): void {
  expect(
    actual?.map((r) => r.id),
    what,
  ).toEqual(expected.map((r) => r.id));
  actual?.forEach((row, i) => {
    for (const key of ['score', 'subjectSatisfaction', 'otherSatisfaction'] as const) {
      expect(Math.abs(row[key] - expected[i]![key]), `${what} ${row.id} ${key}`).toBeLessThanOrEqual(
        TOLERANCE,
      );
    }
  });
}

function expectListingsRespectPrivacy(c: Case, index: MatchIndex): void {
  const { market, method } = c;
  market.jobs.forEach((job, j) => {
    const others = market.candidates.filter((_, k) => visible(c, j, k));
    const expected = rankMatches(market.questionnaire, { side: 'employer', ...job }, others, method).map(
      (m) => ({
        id: m.id,
        score: m.score,
        subjectSatisfaction: m.employerSatisfaction,
        otherSatisfaction: m.candidateSatisfaction,
      }),
    );
    expectSame(allPages(index, 'job', job.id, c), expected, `job ${job.id}`);
    const listed = new Set(expected.map((r) => r.id));
    for (const candidate of market.candidates) {
      const pair = index.pairOf(WORKSPACE, job.id, candidate.id, method);
      expect(pair !== undefined, `pair ${job.id} ${candidate.id}`).toBe(listed.has(candidate.id));
    }
  });
  market.candidates.forEach((candidate, k) => {
    const listing = allPages(index, 'candidate', candidate.id, c);
    if (c.paused[k]) {
      expect(listing).toBeUndefined();
      return;
    }
    const others = market.jobs.filter((_, j) => visible(c, j, k));
    const expected = rankMatches(
      market.questionnaire,
      { side: 'candidate', ...candidate },
      others,
      method,
    ).map((m) => ({
      id: m.id,
      score: m.score,
      subjectSatisfaction: m.candidateSatisfaction,
      otherSatisfaction: m.employerSatisfaction,
    }));
    expectSame(listing, expected, `candidate ${candidate.id}`);
  });
}

describe('candidate privacy in the match index', () => {
  it('lists, page by page, the reference listing without paused candidates and hidden pairs', () => {
    fc.assert(
      fc.property(arbCase(), (c) => {
        expectListingsRespectPrivacy(c, indexOf(c));
      }),
      runs(300),
    );
  });

  // A thread that is only slow on a busy machine is not a failure: wait for it rather than fall back.
  const pool = new RankPool(1, { waitMs: 60_000, lateFloorMs: 60_000 });
  afterAll(() => pool.close());

  it('does the same when listings are split over worker threads', async () => {
    await pool.ready();
    fc.assert(
      fc.property(arbCase(), (c) => {
        expectListingsRespectPrivacy(c, indexOf(c, pool));
      }),
      runs(40),
    );
    expect(pool.fallbacks).toBe(0);
  });

  it('forgets what a removed candidate hid from, and shows a candidate again once resumed and unhidden', () => {
    fc.assert(
      fc.property(arbCase(), (c) => {
        const index = indexOf(c);
        const { id: questionnaireId, version: questionnaireVersion } = c.market.questionnaire;
        for (const candidate of c.market.candidates) {
          index.remove(WORKSPACE, 'candidate', candidate.id);
          index.apply(WORKSPACE, 'candidate', {
            ...candidate,
            answers: { questionnaireId, questionnaireVersion, answers: candidate.answers },
          });
        }
        const open = {
          ...c,
          paused: c.paused.map(() => false),
          hidden: c.hidden.map((h) => h.map(() => false)),
        };
        expectListingsRespectPrivacy(open, index);
      }),
      runs(50),
    );
  });
});
