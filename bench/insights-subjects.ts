import type { AnswerSet } from '../src/answers/types.ts';
import type { Market } from './generator.ts';

/** The bench's id of row `i` of a kind (2: job, 3: candidate). */
export const benchUuid = (kind: number, i: number) =>
  `0000000${kind}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

/**
 * A job's answers as stored, or the bench's what-if of them: its first dealbreaker lowered to
 * `very` (else its first answer set to `irrelevant`), minScore 0.4.
 */
export function jobSubjectOf(
  market: Market,
  job: number,
  whatIf: boolean,
): { id: string; minScore: number; answers: AnswerSet } {
  const line = market.job(job);
  const answers: AnswerSet = { ...line.answers };
  if (whatIf) {
    const ids = Object.keys(answers);
    const dealbreaker = ids.find((id) => answers[id]!.importance === 'dealbreaker');
    const id = dealbreaker ?? ids[0]!;
    answers[id] = { ...answers[id]!, importance: dealbreaker ? 'very' : 'irrelevant' } as AnswerSet[string];
  }
  return { id: benchUuid(2, job), minScore: whatIf ? 0.4 : line.minScore, answers };
}
