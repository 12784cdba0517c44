import type { AnswerSet } from '../../answers/types.ts';
import { kindOf } from './kinds/index.ts';
import type { RowArrays } from './layout.ts';
import { LEVEL_WEIGHTS, levelOf } from './levels.ts';

/** Writes one profile's answers into its row; every cell of the row is overwritten. */
export function encodeAnswers(row: RowArrays, slot: number, answers: AnswerSet): void {
  const { layout } = row;
  const { bytes } = layout.record;
  for (let c = 0; c < layout.count; c++) {
    const criterion = layout.criteria[c]!;
    const kind = kindOf(criterion.kind);
    const answer = Object.hasOwn(answers, criterion.id) ? answers[criterion.id] : undefined;
    const level = answer ? levelOf[answer.importance] : 0;
    let levelByte = LEVEL_WEIGHTS[level]! > 0 ? level : 0;
    levelByte |= kind.encode(row, slot, c, answer);
    // An expectation without the data it needs scores nothing, as in the reference scorer.
    if (answer && levelByte !== 0 && !kind.expects(answer)) levelByte = 0;
    row.levels[slot * bytes + c] = levelByte;
  }
}
