import type { AnswerSet } from '../../src/answers/types.ts';
import { bySoleBarrierThenId, type InsightCounts } from '../../src/insights/report.ts';
import { scorePair } from '../../src/matching/score.ts';
import type { MatchProfile, PairScore, ScoreMethod } from '../../src/matching/types.ts';
import type { QuestionnaireDefinition } from '../../src/questionnaires/definition.ts';

/**
 * Insights by brute force on the reference scorer (src/matching/score.ts), straight from the
 * definitions in docs/matching.md#insights-and-what-if: every other profile is scored with the
 * subject as it is, then once per criterion with that criterion made irrelevant on both sides, and
 * once per criterion with it made irrelevant by the subject alone. Slow on purpose; it shares
 * nothing with the engine's pass.
 */
export function bruteForceInsights(
  q: QuestionnaireDefinition,
  side: 'job' | 'candidate',
  subject: MatchProfile,
  others: readonly MatchProfile[],
  method: ScoreMethod,
): InsightCounts {
  const score = (s: MatchProfile, o: MatchProfile): PairScore =>
    side === 'job' ? scorePair(q, s, o, method) : scorePair(q, o, s, method);
  const subjectSide = side === 'job' ? 'employer' : 'candidate';
  const histogram = Array.from({ length: 10 }, () => 0);
  let acceptable = 0;
  const criteria = q.criteria.map((criterion) => ({
    criterionId: criterion.id,
    rejectedBy: 0,
    rejecting: 0,
    soleBarrier: 0,
    acceptableIfIrrelevant: 0,
  }));
  for (const other of others) {
    const now = score(subject, other);
    if (now.acceptable) {
      acceptable++;
      histogram[binOf(now.score)]!++;
    }
    q.criteria.forEach((criterion, c) => {
      const counts = criteria[c]!;
      for (const broken of now.dealbreakers) {
        if (broken.criterionId !== criterion.id) continue;
        if (broken.side === subjectSide) counts.rejecting++;
        else counts.rejectedBy++;
      }
      const alone = withIrrelevant(subject, criterion.id);
      if (score(alone, other).acceptable) counts.acceptableIfIrrelevant++;
      if (!now.acceptable && score(alone, withIrrelevant(other, criterion.id)).acceptable)
        counts.soleBarrier++;
    });
  }
  return { others: others.length, acceptable, histogram, criteria: criteria.sort(bySoleBarrierThenId) };
}

/** The reported score's bin by comparisons only: the greatest k with score ≥ k/10. */
function binOf(score: number): number {
  let bin = 0;
  for (let k = 1; k < 10; k++) if (score >= k / 10) bin = k;
  return bin;
}

/** The profile with its answer on `criterionId` (if any) at importance `irrelevant`: weight 0, no dealbreaker. */
export function withIrrelevant(profile: MatchProfile, criterionId: string): MatchProfile {
  if (!Object.hasOwn(profile.answers, criterionId)) return profile;
  const answers: AnswerSet = { ...profile.answers };
  answers[criterionId] = { ...answers[criterionId]!, importance: 'irrelevant' } as AnswerSet[string];
  return { ...profile, answers };
}
