import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnswerSet, Side } from '../../src/answers/types.ts';
import { validateAnswerSet } from '../../src/answers/validate.ts';
import { ProfileStore } from '../../src/matching/engine/columnar-store.ts';
import { compileLayout } from '../../src/matching/engine/layout.ts';
import { type RankRequest, rankAgainst } from '../../src/matching/engine/search.ts';
import { rankMatches, scorePair } from '../../src/matching/score.ts';
import type { RankEntry, ScoreMethod } from '../../src/matching/types.ts';
import type { QuestionnaireDefinition } from '../../src/questionnaires/definition.ts';
import {
  arbAnswerSet,
  arbId,
  arbMarket,
  arbMinScore,
  arbQuestionnaire,
  propertyRuns,
  type RandomMarket,
} from '../support/random-market.ts';

/**
 * The fast match index (src/matching/engine: typed-array stores, the pipeline, a bounded heap) against the readable reference
 * scorer on random markets (docs/matching.md#why-the-fast-index-equals-the-reference): same ids in the same order, scores,
 * lower scores and satisfactions equal to 1e-6. MATCH_INDEX_SEED replays a seed; MATCH_INDEX_RUNS scales runs;
 * MATCH_INDEX_SHRINK=1 shrinks a failure.
 */

/**
 * Every run runs, however busy the machine (no time limit can fail a passing property). A failure
 * is reported as found, with the seed to replay it: shrinking one in a big market can take
 * minutes, so only MATCH_INDEX_SHRINK=1 shrinks, for at most MATCH_INDEX_TIME_LIMIT_MS.
 */
const shrinkBudget = Number(process.env.MATCH_INDEX_TIME_LIMIT_MS ?? 20_000);
const shrinking =
  process.env.MATCH_INDEX_SHRINK === '1'
    ? { plugins: [fc.interruptAfterTimeLimit(shrinkBudget)] }
    : { endOnFailure: true };
const runs = (numRuns: number) => ({ ...propertyRuns(numRuns), ...shrinking });

const METHODS: readonly ScoreMethod[] = ['harmonic', 'geometric', 'min'];
const arbMethod = fc.constantFrom(...METHODS);
/** A limit above any list's length (the scan keeps limit + 1 rows, so it is not made huge). */
const allOf = (others: readonly unknown[]) => others.length + 5;
const TOLERANCE = 1e-6;

interface Row {
  id: string;
  score: number;
  scoreLower: number;
  subjectSatisfaction: number;
  otherSatisfaction: number;
}

interface Index {
  jobs: ProfileStore;
  candidates: ProfileStore;
}

function buildIndex(market: RandomMarket): Index {
  const layout = compileLayout(market.questionnaire);
  const index = { jobs: new ProfileStore(layout), candidates: new ProfileStore(layout) };
  for (const job of market.jobs) index.jobs.upsert(job);
  for (const candidate of market.candidates) index.candidates.upsert(candidate);
  return index;
}

const storeOf = (index: Index, side: Side) => (side === 'employer' ? index.jobs : index.candidates);
const otherSide = (side: Side): Side => (side === 'employer' ? 'candidate' : 'employer');

/** `subject`'s ranking of the other side, by the index. */
function indexRanking(
  index: Index,
  side: Side,
  subjectId: string,
  request: RankRequest,
): { rows: Row[]; hasMore: boolean } {
  const subjects = storeOf(index, side);
  const others = storeOf(index, otherSide(side));
  const slot = subjects.slotOf(subjectId);
  if (slot < 0) throw new Error(`${subjectId} is not in the ${side} store`);
  const { rows, hasMore } = rankAgainst(subjects, slot, others, request);
  return { rows: rows.map(({ slot: o, ...row }) => ({ id: others.idAt(o), ...row })), hasMore };
}

/** The same ranking by the reference scorer, with the satisfactions seen from `side`. */
function referenceRanking(
  q: QuestionnaireDefinition,
  side: Side,
  subject: RankEntry,
  others: readonly RankEntry[],
  method: ScoreMethod,
): Row[] {
  return rankMatches(q, { side, ...subject }, others, method).map((m) => ({
    id: m.id,
    score: m.score,
    scoreLower: m.scoreLower,
    subjectSatisfaction: side === 'employer' ? m.employerSatisfaction : m.candidateSatisfaction,
    otherSatisfaction: side === 'employer' ? m.candidateSatisfaction : m.employerSatisfaction,
  }));
}

/** Throws, naming the first difference, unless the rankings match (ids exactly, numbers to 1e-6). */
function expectSameRanking(actual: readonly Row[], expected: readonly Row[], what: string): void {
  const ids = (rows: readonly Row[]) => rows.map((r) => r.id).join(', ');
  if (actual.length !== expected.length || actual.some((row, i) => row.id !== expected[i]!.id)) {
    throw new Error(`${what}: index ids [${ids(actual)}]\n  reference ids [${ids(expected)}]`);
  }
  actual.forEach((row, i) => {
    const ref = expected[i]!;
    for (const key of ['score', 'scoreLower', 'subjectSatisfaction', 'otherSatisfaction'] as const) {
      if (!(Math.abs(row[key] - ref[key]) <= TOLERANCE)) {
        throw new Error(`${what}: ${row.id} ${key} index ${row[key]} reference ${ref[key]}`);
      }
    }
  });
}

/** Every subject of `side` in `market`: index vs reference over the current other side. */
function expectIndexMatchesReference(
  market: RandomMarket,
  index: Index,
  side: Side,
  methods: readonly ScoreMethod[],
): void {
  const subjects: readonly RankEntry[] = side === 'employer' ? market.jobs : market.candidates;
  const others: readonly RankEntry[] = side === 'employer' ? market.candidates : market.jobs;
  for (const method of methods) {
    for (const subject of subjects) {
      const limit = allOf(others);
      const { rows, hasMore } = indexRanking(index, side, subject.id, { limit, method });
      const expected = referenceRanking(market.questionnaire, side, subject, others, method);
      expectSameRanking(rows, expected, `${side} ${subject.id} (${method})`);
      if (hasMore) throw new Error(`${side} ${subject.id}: hasMore with limit ${limit}`);
    }
  }
}

describe('random market generators', () => {
  it('generate questionnaires whose random answer sets all pass validateAnswerSet', () => {
    const arb = arbQuestionnaire().chain((q) =>
      fc.tuple(fc.constant(q), fc.array(arbAnswerSet(q), { minLength: 1, maxLength: 10 })),
    );
    fc.assert(
      fc.property(arb, ([q, sets]) => {
        for (const set of sets) {
          const result = validateAnswerSet(q, structuredClone(set));
          expect(result.ok ? [] : result.errors).toEqual([]);
          expect(result.ok && result.answers).toEqual(set);
        }
      }),
      runs(300),
    );
  });
});

describe('match index against the reference scorer', () => {
  it('ranks candidates for every job exactly as rankMatches does, for every method', () => {
    fc.assert(
      fc.property(arbMarket(), (market) => {
        expectIndexMatchesReference(market, buildIndex(market), 'employer', METHODS);
      }),
      runs(500),
    );
  });

  it('ranks jobs for every candidate exactly as rankMatches does, for every method', () => {
    fc.assert(
      fc.property(arbMarket(), (market) => {
        expectIndexMatchesReference(market, buildIndex(market), 'candidate', METHODS);
      }),
      runs(500),
    );
  });

  it('returns only pairs acceptable both ways, and both sides see each pair with the same score', () => {
    fc.assert(
      fc.property(arbMarket(), arbMethod, (market, method) => {
        const index = buildIndex(market);
        const candidatesById = new Map(market.candidates.map((c) => [c.id, c]));
        const jobLists = new Map(
          market.jobs.map((job) => [
            job.id,
            indexRanking(index, 'employer', job.id, { limit: allOf(market.candidates), method }).rows,
          ]),
        );
        const candidateLists = new Map(
          market.candidates.map((c) => [
            c.id,
            indexRanking(index, 'candidate', c.id, { limit: allOf(market.jobs), method }).rows,
          ]),
        );
        let pairs = 0;
        for (const job of market.jobs) {
          for (const row of jobLists.get(job.id)!) {
            const pair = scorePair(market.questionnaire, job, candidatesById.get(row.id)!, method);
            expect(pair.dealbreakers).toEqual([]);
            expect(pair.acceptable).toBe(true);
            const seen = candidateLists.get(row.id)!.find((r) => r.id === job.id);
            expect(seen?.score).toBe(row.score);
            expect(seen?.scoreLower).toBe(row.scoreLower);
            expect(seen?.subjectSatisfaction).toBe(row.otherSatisfaction);
            expect(seen?.otherSatisfaction).toBe(row.subjectSatisfaction);
            pairs++;
          }
        }
        const fromCandidates = [...candidateLists.values()].reduce((n, rows) => n + rows.length, 0);
        expect(fromCandidates).toBe(pairs);
      }),
      runs(500),
    );
  });
});

describe('match index pages and top-k', () => {
  const arbSubject = fc.constantFrom<Side>('employer', 'candidate');

  it('walks pages of 1..5 rows via `after` to exactly the full list, hasMore false only on the last', () => {
    fc.assert(
      fc.property(
        arbMarket(),
        arbMethod,
        arbSubject,
        fc.integer({ min: 1, max: 5 }),
        (market, method, side, limit) => {
          const index = buildIndex(market);
          const subjects = side === 'employer' ? market.jobs : market.candidates;
          const others = side === 'employer' ? market.candidates : market.jobs;
          for (const subject of subjects) {
            const full = referenceRanking(market.questionnaire, side, subject, others, method);
            const walked: Row[] = [];
            let after: RankRequest['after'];
            for (let page = 0; ; page++) {
              if (page > full.length + 1) throw new Error(`${subject.id}: more pages than rows`);
              const { rows, hasMore } = indexRanking(index, side, subject.id, { limit, method, after });
              expect(rows.length).toBeLessThanOrEqual(limit);
              if (hasMore) expect(rows.length).toBe(limit);
              if (page > 0) expect(rows.length).toBeGreaterThan(0); // hasMore promised a next row
              walked.push(...rows);
              const last = rows.at(-1);
              if (!hasMore) break;
              after = last && { score: last.score, id: last.id };
            }
            expect(new Set(walked.map((r) => r.id)).size).toBe(walked.length);
            expectSameRanking(walked, full, `${side} ${subject.id} pages of ${limit} (${method})`);
          }
        },
      ),
      runs(500),
    );
  });

  it('with limit k returns the first k rows of the full reference list and says whether more exist', () => {
    fc.assert(
      fc.property(
        arbMarket(),
        arbMethod,
        arbSubject,
        fc.integer({ min: 1, max: 12 }),
        (market, method, side, k) => {
          const index = buildIndex(market);
          const subjects = side === 'employer' ? market.jobs : market.candidates;
          const others = side === 'employer' ? market.candidates : market.jobs;
          for (const subject of subjects) {
            const full = referenceRanking(market.questionnaire, side, subject, others, method);
            const { rows, hasMore } = indexRanking(index, side, subject.id, { limit: k, method });
            expectSameRanking(rows, full.slice(0, k), `${side} ${subject.id} top ${k} (${method})`);
            expect(hasMore).toBe(full.length > k);
          }
        },
      ),
      runs(500),
    );
  });
});

type Operation =
  | { kind: 'upsert'; side: Side; pick: number; minScore: number; answers: AnswerSet }
  | { kind: 'remove'; side: Side; pick: number };

const arbOperation = (q: QuestionnaireDefinition): fc.Arbitrary<Operation> =>
  fc.oneof(
    fc.record({
      kind: fc.constant('upsert' as const),
      side: fc.constantFrom<Side>('employer', 'candidate'),
      pick: fc.nat(),
      minScore: arbMinScore(),
      answers: arbAnswerSet(q),
    }),
    fc.record({
      kind: fc.constant('remove' as const),
      side: fc.constantFrom<Side>('employer', 'candidate'),
      pick: fc.nat(),
    }),
  );

/** A market, fresh ids, and a script of upserts (changes, adds, re-adds) and removals. */
const arbChangingMarket = arbMarket().chain((market) =>
  fc.record({
    market: fc.constant(market),
    freshIds: fc.uniqueArray(arbId(), { minLength: 6, maxLength: 6 }),
    operations: fc.array(arbOperation(market.questionnaire), { maxLength: 40, size: 'max' }),
  }),
);

describe('match index after updates', () => {
  it('still equals the reference after changed answers and minScores, removals and re-adds', () => {
    fc.assert(
      fc.property(arbChangingMarket, arbMethod, ({ market, freshIds, operations }, method) => {
        // fresh ids collide with the market's only by a 2^-122 chance; skip that case
        const known = new Set([...market.jobs, ...market.candidates].map((p) => p.id));
        fc.pre(freshIds.every((id) => !known.has(id)));
        const index = buildIndex(market);
        const employerOf = new Map(market.jobs.map((j) => [j.id, j.employerId]));
        const current = {
          employer: new Map<string, RankEntry>(market.jobs.map((j) => [j.id, j])),
          candidate: new Map<string, RankEntry>(market.candidates.map((c) => [c.id, c])),
        };
        const pool = {
          employer: [...market.jobs.map((j) => j.id), ...freshIds.slice(0, 3)],
          candidate: [...market.candidates.map((c) => c.id), ...freshIds.slice(3)],
        };
        const freed = { employer: new Set<number>(), candidate: new Set<number>() };
        for (const op of operations) {
          const store = storeOf(index, op.side);
          const id = pool[op.side][op.pick % pool[op.side].length]!;
          const present = current[op.side].has(id);
          if (op.kind === 'remove') {
            const slot = store.slotOf(id);
            expect(store.remove(id)).toBe(present);
            if (present) freed[op.side].add(slot);
            current[op.side].delete(id);
          } else {
            const profile = { id, minScore: op.minScore, answers: op.answers };
            const employerId = employerOf.get(id) ?? market.jobs[0]!.employerId;
            const before = store.slotOf(id);
            const slot = store.upsert(op.side === 'employer' ? { ...profile, employerId } : profile);
            if (present) expect(slot).toBe(before);
            else if (freed[op.side].size > 0) expect(freed[op.side].has(slot)).toBe(true);
            freed[op.side].delete(slot);
            current[op.side].set(id, profile);
          }
          expect(store.size).toBe(current[op.side].size);
        }
        for (const side of ['employer', 'candidate'] as const) {
          for (const id of pool[side]) {
            const slot = storeOf(index, side).slotOf(id);
            if (current[side].has(id)) expect(storeOf(index, side).idAt(slot)).toBe(id);
            else expect(slot).toBe(-1);
          }
        }
        const now = {
          questionnaire: market.questionnaire,
          jobs: [...current.employer.values()].map((j) => ({ ...j, employerId: '' })),
          candidates: [...current.candidate.values()],
        };
        expectIndexMatchesReference(now, index, 'employer', [method]);
        expectIndexMatchesReference(now, index, 'candidate', [method]);
      }),
      runs(500),
    );
  });
});

describe('match index past the stores’ initial capacity', () => {
  const arbBigMarket = arbQuestionnaire().chain((questionnaire) =>
    fc.record({
      questionnaire: fc.constant(questionnaire),
      bodies: fc.array(fc.record({ minScore: arbMinScore(), answers: arbAnswerSet(questionnaire) }), {
        minLength: 1,
        maxLength: 24,
      }),
      jobBodies: fc.array(
        fc.record({ minScore: fc.constantFrom(0, 0.25, 0.5), answers: arbAnswerSet(questionnaire) }),
        { minLength: 1, maxLength: 3 },
      ),
      ids: fc.uniqueArray(arbId(), { minLength: 1400, maxLength: 1400 }),
      removeEvery: fc.integer({ min: 2, max: 4 }),
    }),
  );

  it('still equals the reference after growing to 1,100+ rows, removing many and re-adding', () => {
    fc.assert(
      fc.property(
        arbBigMarket,
        arbMethod,
        ({ questionnaire, bodies, jobBodies, ids, removeEvery }, method) => {
          const jobs = jobBodies.map((body, i) => ({ id: ids[i]!, ...body, employerId: ids[0]! }));
          const candidateIds = ids.slice(jobBodies.length);
          const body = (i: number) => bodies[i % bodies.length]!;
          const market: RandomMarket = { questionnaire, jobs, candidates: [] };
          const index = buildIndex(market);
          const current = new Map<string, RankEntry>();
          const upsert = (i: number, shift: number) => {
            const candidate = { id: candidateIds[i]!, ...body(i + shift) };
            index.candidates.upsert(candidate);
            current.set(candidate.id, candidate);
          };
          for (let i = 0; i < 1100; i++) upsert(i, 0);
          for (let i = 0; i < 1100; i += removeEvery) {
            expect(index.candidates.remove(candidateIds[i]!)).toBe(true);
            current.delete(candidateIds[i]!);
          }
          for (let i = 1100; i < candidateIds.length; i++) upsert(i, 0); // new ids take freed rows
          for (let i = 0; i < 1100; i += 2 * removeEvery) upsert(i, 1); // re-adds with other answers
          for (let i = 1; i < 1100; i += 7) upsert(i, 3); // changes in place
          expect(index.candidates.size).toBe(current.size);
          for (const [id] of current) expect(index.candidates.idAt(index.candidates.slotOf(id))).toBe(id);
          const now = { questionnaire, jobs, candidates: [...current.values()] };
          expectIndexMatchesReference(now, index, 'employer', [method]);
          expectIndexMatchesReference(now, index, 'candidate', [method]);
        },
      ),
      runs(10),
    );
  });

  it('still equals the reference after trimming a grown store to its rows (and a sixteenth) and growing it again', () => {
    fc.assert(
      fc.property(arbBigMarket, arbMethod, ({ questionnaire, bodies, jobBodies, ids }, method) => {
        const jobs = jobBodies.map((body, i) => ({ id: ids[i]!, ...body, employerId: ids[0]! }));
        const candidates = ids
          .slice(jobBodies.length, jobBodies.length + 1100)
          .map((id, i) => ({ id, ...bodies[i % bodies.length]! }));
        const index = buildIndex({ questionnaire, jobs, candidates });
        index.candidates.trim();
        const trimmed = index.candidates.capacity;
        expect(trimmed).toBe(Math.ceil(index.candidates.end * (1 + 1 / 16)));
        expectIndexMatchesReference({ questionnaire, jobs, candidates }, index, 'employer', [method]);
        const more = ids
          .slice(jobBodies.length + 1100)
          .map((id, i) => ({ id, ...bodies[(i + 1) % bodies.length]! }));
        for (const candidate of more) index.candidates.upsert(candidate);
        expect(index.candidates.capacity).toBeGreaterThan(trimmed);
        const all = { questionnaire, jobs, candidates: [...candidates, ...more] };
        expectIndexMatchesReference(all, index, 'employer', [method]);
        expectIndexMatchesReference(all, index, 'candidate', [method]);
      }),
      runs(10),
    );
  });
});
