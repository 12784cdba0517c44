import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { narrowToAffected } from '../../src/alerts/affected-rows.ts';
import { pairsAbove } from '../../src/alerts/evaluate.ts';
import type { FoundPairs } from '../../src/alerts/found-pairs.ts';
import { AlertingSide } from '../../src/alerts/registry.ts';
import { Turns } from '../../src/alerts/turns.ts';
import type { AnswerSet } from '../../src/answers/types.ts';
import { type IndexSide, MatchIndex, type ProfileState } from '../../src/matching/index.ts';
import { scorePair } from '../../src/matching/score.ts';
import { type ScoreMethod, scoreMethods } from '../../src/matching/types.ts';
import type { QuestionnaireDefinition } from '../../src/questionnaires/definition.ts';
import { buildCatalog } from '../../src/questionnaires/loader.ts';
import { arbAnswerSet, arbMinScore, arbQuestionnaire } from '../support/random-market.ts';

const WS = '00000000-0000-4000-8000-0000000000ab';
const id = (kind: number, i: number) => `00000000-0000-4000-8${kind}00-${i.toString(16).padStart(12, '0')}`;
const EMPLOYERS = [id(9, 0), id(9, 1)];
const RUNS = Number(process.env.ALERT_PROPERTY_RUNS ?? 200);

interface Case {
  questionnaire: QuestionnaireDefinition;
  method: ScoreMethod;
  others: { answers: AnswerSet; minScore: number; hidesFromFirst: boolean }[];
  before: { answers: AnswerSet; minScore: number; employer: number };
  /** the write: these criteria take the answers of `replacement` (whole, or one part), and maybe another minScore or employer */
  replaced: boolean[];
  replacement: AnswerSet;
  part: 'whole' | 'value' | 'accept' | 'importance';
  minScore: number | undefined;
  employer: number;
  own: number;
  theirs: number;
}

const arbCase: fc.Arbitrary<Case> = arbQuestionnaire().chain((questionnaire) =>
  fc.record({
    questionnaire: fc.constant(questionnaire),
    method: fc.constantFrom(...scoreMethods),
    others: fc.array(
      fc.record({
        answers: arbAnswerSet(questionnaire),
        minScore: arbMinScore(),
        hidesFromFirst: fc.boolean(),
      }),
      { minLength: 1, maxLength: 40 },
    ),
    before: fc.record({
      answers: arbAnswerSet(questionnaire),
      minScore: arbMinScore(),
      employer: fc.constantFrom(0, 1),
    }),
    // Mostly a few criteria: a write changing most of them is scanned in full.
    replaced: fc.array(fc.constantFrom(false, false, false, true), {
      minLength: questionnaire.criteria.length,
      maxLength: questionnaire.criteria.length,
    }),
    replacement: arbAnswerSet(questionnaire),
    part: fc.constantFrom('whole', 'value', 'accept', 'importance'),
    minScore: fc.option(arbMinScore(), { nil: undefined, freq: 4 }),
    employer: fc.constantFrom(0, 0, 0, 1),
    own: fc.constantFrom(0, 0.3, 0.5, 0.7),
    theirs: fc.constantFrom(0, 0.5, 0.8),
  }),
);

/**
 * The write's answers: the criteria marked `replaced` answered as in `replacement` (or unanswered);
 * with a `part`, only that part of an answer both have (an expectation alone, say).
 */
function written({ questionnaire, before, replaced, replacement, part }: Case): AnswerSet {
  const answers: AnswerSet = { ...before.answers };
  questionnaire.criteria.forEach((criterion, c) => {
    if (!replaced[c]) return;
    const [had, answer] = [before.answers[criterion.id], replacement[criterion.id]];
    // An importance needs an expectation: parts other than the value only between two that have one.
    const bothExpect = had && answer && 'accept' in had && 'accept' in answer;
    if (had && answer && (part === 'value' || (part !== 'whole' && bothExpect))) {
      answers[criterion.id] = {
        ...had,
        [part]: (answer as unknown as Record<string, unknown>)[part],
      } as typeof had;
    } else if (answer) answers[criterion.id] = answer;
    else delete answers[criterion.id];
  });
  return answers;
}

/**
 * A write's crossings as events, keyed: the pairs only after it with their score, the pairs only
 * before it without (their score now is looked up afterwards, by scoresNow).
 */
async function crossingKeys(after: FoundPairs, before: FoundPairs): Promise<string[]> {
  const { created, removed } = await after.crossings(before, new Turns());
  const key = (pairs: FoundPairs, i: number, score: boolean) => {
    const p = pairs.pairAt(i);
    return `${p.alertOf}:${p.jobId}:${p.candidateId}${score ? `:${p.score}` : ''}`;
  };
  return [
    ...[...created].map((i) => `created ${key(after, i, true)}`),
    ...[...removed].map((i) => `removed ${key(before, i, false)}`),
  ].sort();
}

/**
 * A write of a profile with an alert of its own scans, before and after, only the rows whose pairs
 * with it the write may change (src/alerts/affected-rows.ts): its crossings must be the reference
 * scorer's, for any change of any criteria of every kind, of its minScore or of its employer.
 */
describe('the rows a write may change (narrowToAffected)', () => {
  it.each(['job', 'candidate'] as const)(
    'leaves the crossings of a %s write as the reference scorer gives them',
    async (side) => {
      await fc.assert(
        fc.asyncProperty(arbCase, async (c) => {
          const { questionnaire: q, method } = c;
          const index = new MatchIndex(buildCatalog([q]));
          const otherSide: IndexSide = side === 'job' ? 'candidate' : 'job';
          const answers = (set: AnswerSet) => ({
            questionnaireId: q.id,
            questionnaireVersion: q.version,
            answers: set,
          });
          const others = c.others.map((o, i) => ({
            id: id(2, i),
            minScore: o.minScore,
            open: true,
            answers: answers(o.answers),
            employerId: otherSide === 'job' ? EMPLOYERS[i % 2] : undefined,
            hiddenFromEmployerIds:
              otherSide === 'candidate' && o.hidesFromFirst ? [EMPLOYERS[0]!] : undefined,
          }));
          for (const other of others) index.apply(WS, otherSide, other);
          const profile = (set: AnswerSet, minScore: number, employer: number): ProfileState => ({
            id: id(1, 0),
            minScore,
            open: true,
            answers: answers(set),
            employerId: side === 'job' ? EMPLOYERS[employer] : undefined,
            hiddenFromEmployerIds: side === 'candidate' && employer === 1 ? [EMPLOYERS[0]!] : undefined,
          });
          const before = profile(c.before.answers, c.before.minScore, c.before.employer);
          const after = profile(written(c), c.minScore ?? c.before.minScore, c.employer);
          index.apply(WS, side, before);
          const own = new Map([[after.id, c.own]]);
          const theirs = new Map(others.filter((_, i) => i % 3 === 0).map((o) => [o.id, c.theirs]));
          const thresholds = { own, others: new AlertingSide(theirs) };

          const indexed = index.stageIndexed(WS, side, [after.id]);
          const staging = index.stage(WS, [after]);
          narrowToAffected(
            index,
            WS,
            side,
            { states: [after], staging },
            { states: indexed.states, staging: indexed.groups },
            own,
            0,
          );
          const found = {
            after: await pairsAbove(index, WS, side, [after], method, thresholds, undefined, staging),
            before: await pairsAbove(
              index,
              WS,
              side,
              indexed.states,
              method,
              thresholds,
              undefined,
              indexed.groups,
            ),
          };

          const expected: string[] = [];
          for (const [i, other] of others.entries()) {
            const hidden = (state: ProfileState) => {
              const [job, candidate] = side === 'job' ? [state, other] : [other, state];
              return candidate.hiddenFromEmployerIds?.includes(job.employerId!) === true;
            };
            const score = (state: ProfileState) => {
              if (hidden(state)) return undefined;
              const mine = { answers: state.answers!.answers!, minScore: state.minScore };
              const theirsProfile = { answers: other.answers.answers, minScore: other.minScore };
              const [job, candidate] = side === 'job' ? [mine, theirsProfile] : [theirsProfile, mine];
              const pair = scorePair(q, job, candidate, method);
              return pair.acceptable ? pair.score : undefined;
            };
            const [then, now] = [score(before), score(after)];
            const [jobId, candidateId] = side === 'job' ? [after.id, other.id] : [other.id, after.id];
            const thresholdsOf: [IndexSide, number | undefined][] = [
              [side, c.own],
              [otherSide, i % 3 === 0 ? c.theirs : undefined],
            ];
            for (const [alertOf, threshold] of thresholdsOf) {
              if (threshold === undefined) continue;
              const above = (s: number | undefined) => s !== undefined && s >= threshold;
              if (above(now) && !above(then))
                expected.push(`created ${alertOf}:${jobId}:${candidateId}:${now}`);
              if (above(then) && !above(now)) expected.push(`removed ${alertOf}:${jobId}:${candidateId}`);
            }
          }
          expect(await crossingKeys(found.after, found.before)).toEqual(expected.sort());
        }),
        { numRuns: RUNS },
      );
    },
    120_000,
  );

  it('scans no row for a write that changes nothing its pairs depend on (a job’s title)', async () => {
    const [q] = fc.sample(arbQuestionnaire(), { seed: 3, numRuns: 1 });
    const sets = fc.sample(arbAnswerSet(q!), { seed: 4, numRuns: 200 });
    const index = new MatchIndex(buildCatalog([q!]));
    const answers = (set: AnswerSet) => ({
      questionnaireId: q!.id,
      questionnaireVersion: q!.version,
      answers: set,
    });
    for (let i = 1; i < sets.length; i++)
      index.apply(WS, 'candidate', { id: id(2, i), minScore: 0, open: true, answers: answers(sets[i]!) });
    const job: ProfileState = { id: id(1, 0), minScore: 0, open: true, answers: answers(sets[0]!) };
    index.apply(WS, 'job', job);
    const own = new Map([[job.id, 0]]);
    const thresholds = { own, others: new AlertingSide(new Map()) };
    const everyRow = await pairsAbove(index, WS, 'job', [job], 'harmonic', thresholds);
    expect(everyRow.length).toBeGreaterThan(0);

    const indexed = index.stageIndexed(WS, 'job', [job.id]);
    const staging = index.stage(WS, [job]);
    narrowToAffected(
      index,
      WS,
      'job',
      { states: [job], staging },
      { states: indexed.states, staging: indexed.groups },
      own,
      0,
    );
    const after = await pairsAbove(index, WS, 'job', [job], 'harmonic', thresholds, undefined, staging);
    const before = await pairsAbove(
      index,
      WS,
      'job',
      indexed.states,
      'harmonic',
      thresholds,
      undefined,
      indexed.groups,
    );
    expect([after.length, before.length]).toEqual([0, 0]);
  });
});
