import fc from 'fast-check';
import { expect } from 'vitest';
import type { AnswerSet } from '../../src/answers/types.ts';
import { scorePair } from '../../src/matching/score.ts';
import type { ScoreMethod } from '../../src/matching/types.ts';
import type { QuestionnaireDefinition } from '../../src/questionnaires/definition.ts';
import type { Caller } from './factories.ts';

/**
 * A model of a small `mini` market for the alert property tests: the profiles as the test wrote
 * them (answers, minScore, a job's status, a candidate's pause and hidden employers, erasure), and
 * which pairs the reference scorer says are above an alerting subject's threshold.
 */

export type Side = 'job' | 'candidate';

export interface ModelProfile {
  answers: AnswerSet | undefined;
  minScore: number;
  /** a job open, a candidate not paused */
  open: boolean;
  alive: boolean;
  /** jobs: which of the EMPLOYERS posted it */
  employer?: number;
  /** candidates: which of the EMPLOYERS it hides from */
  hiddenFrom?: number[];
}

/** Dealbreakers rarely, or acceptable pairs would be rare too. */
const importance = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('irrelevant', 'little', 'somewhat', 'very') },
  { weight: 1, arbitrary: fc.constant('dealbreaker') },
);
/** Few values and thresholds on a coarse grid: crossings (and exact ties with a threshold) are common. */
export const threshold = fc.constantFrom(0, 0.3, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1);

export const miniAnswerSet: fc.Arbitrary<AnswerSet> = fc.record({
  contract: fc.record({
    value: fc.constantFrom('permanent', 'fixed-term'),
    accept: fc.subarray(['permanent', 'fixed-term'], { minLength: 1 }),
    importance,
  }),
  languages: fc.record({
    value: fc.subarray(['nl', 'fr', 'en'], { minLength: 1 }),
    accept: fc.record({
      mode: fc.constantFrom('any', 'all'),
      options: fc.subarray(['nl', 'fr', 'en'], { minLength: 1 }),
    }),
    importance,
  }),
  remote: fc
    .record({
      value: fc.integer({ min: 0, max: 2 }),
      a: fc.integer({ min: 0, max: 2 }),
      b: fc.integer({ min: 0, max: 2 }),
      importance,
    })
    .map(({ value, a, b, importance }) => ({
      value,
      accept: { min: Math.min(a, b), max: Math.max(a, b) },
      importance,
    })),
  salary: fc.record({
    value: fc.constantFrom(3000, 3500, 4000, 4500),
    accept: fc.constantFrom({ min: 3500 }, { max: 4000 }, { min: 3000, max: 4500 }),
    importance,
  }),
  values: fc.record({
    value: fc.tuple(
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 5 }),
    ),
    importance,
  }),
}) as unknown as fc.Arbitrary<AnswerSet>;

export const JOBS = 3;
export const CANDIDATES = 4;
/** Job i is posted by employer i % EMPLOYERS, so hiding from one employer hides some jobs only. */
export const EMPLOYERS = 2;

export type Command =
  | { kind: 'answers'; side: Side; i: number; answers: AnswerSet }
  | { kind: 'minScore'; side: Side; i: number; minScore: number }
  | { kind: 'status'; i: number; open: boolean }
  | { kind: 'pause'; i: number; paused: boolean }
  | { kind: 'hide'; i: number; employers: number[] }
  | { kind: 'alertOn'; side: Side; i: number; minScore: number | undefined }
  | { kind: 'alertOff'; side: Side; i: number }
  | { kind: 'erase'; i: number }
  /** candidates' answers and minScore through one bulk upload (by externalId `c-<i>`), with an Idempotency-Key */
  | { kind: 'bulk'; lines: { i: number; answers: AnswerSet; minScore: number }[] };

const subject = fc.oneof(
  fc.record({ side: fc.constant<Side>('job'), i: fc.nat(JOBS - 1) }),
  fc.record({ side: fc.constant<Side>('candidate'), i: fc.nat(CANDIDATES - 1) }),
);

export const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .record({ kind: fc.constant('answers' as const), answers: miniAnswerSet })
      .chain((c) => subject.map((s) => ({ ...c, ...s }))),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ kind: fc.constant('minScore' as const), minScore: threshold })
      .chain((c) => subject.map((s) => ({ ...c, ...s }))),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('status' as const), i: fc.nat(JOBS - 1), open: fc.boolean() }),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({ kind: fc.constant('alertOn' as const), minScore: fc.option(threshold, { nil: undefined }) })
      .chain((c) => subject.map((s) => ({ ...c, ...s }))),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ kind: fc.constant('alertOff' as const) })
      .chain((c) => subject.map((s) => ({ ...c, ...s }))),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('erase' as const), i: fc.nat(CANDIDATES - 1) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('bulk' as const),
      lines: fc.uniqueArray(
        fc.record({ i: fc.nat(CANDIDATES - 1), answers: miniAnswerSet, minScore: threshold }),
        {
          minLength: 1,
          maxLength: CANDIDATES,
          selector: (line) => line.i,
        },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('pause' as const),
      i: fc.nat(CANDIDATES - 1),
      paused: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('hide' as const),
      i: fc.nat(CANDIDATES - 1),
      employers: fc.subarray([...Array(EMPLOYERS).keys()]),
    }),
  },
);

export const pairId = (jobId: string, candidateId: string) => `${jobId}:${candidateId}`;

/** The pairs of `subject` that are acceptable with a mutual score at least `min`, by the reference scorer. */
export function referenceAbove(
  mini: QuestionnaireDefinition,
  method: ScoreMethod,
  side: Side,
  id: string,
  min: number,
  jobs: Map<string, ModelProfile>,
  candidates: Map<string, ModelProfile>,
): Set<string> {
  const above = new Set<string>();
  const own = (side === 'job' ? jobs : candidates).get(id)!;
  for (const [otherId, other] of side === 'job' ? candidates : jobs) {
    const [job, candidate] = side === 'job' ? [own, other] : [other, own];
    if (!job.alive || !candidate.alive || !job.open || !candidate.open) continue;
    if (!job.answers || !candidate.answers || candidate.hiddenFrom?.includes(job.employer!)) continue;
    const score = scorePair(
      mini,
      { answers: job.answers, minScore: job.minScore },
      { answers: candidate.answers, minScore: candidate.minScore },
      method,
    );
    if (score.acceptable && score.score >= min)
      above.add(side === 'job' ? pairId(id, otherId) : pairId(otherId, id));
  }
  return above;
}

export const plural = (side: Side) => (side === 'job' ? 'jobs' : 'candidates');

/** Every event of the subject's feed after `cursor`, and the cursor to go on from (pages of `limit`). */
export async function readFeed(api: Caller, side: Side, id: string, cursor: string | null = null, limit = 7) {
  const events: { type: string; jobId: string; candidateId: string; score: number | null; alertOf: Side }[] =
    [];
  for (;;) {
    const query = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await api.get(`/v1/${plural(side)}/${id}/alert/events?limit=${limit}${query}`);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    events.push(...body.events);
    cursor = body.nextCursor as string;
    if (!body.hasMore) return { events, cursor };
  }
}
