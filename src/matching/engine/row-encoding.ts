import type { AnswerSet, MultiAnswer, NumberAnswer, ScaleAnswer, SingleAnswer } from '../../answers/types.ts';
import { MULTI, NUMBER, PROFILE, type RowArrays, SCALE, SINGLE } from './layout.ts';
import { LEVEL_WEIGHTS, levelOf, MISSING_CODE, MODE_ALL } from './levels.ts';

/** Writes one profile's answers into its row; every field of the row is overwritten. */
export function encodeAnswers(store: RowArrays, slot: number, answers: AnswerSet): void {
  const layout = store.layout;
  const C = layout.count;
  const { bytes, words, doubles } = layout.record;
  for (let c = 0; c < C; c++) {
    const criterion = layout.criteria[c]!;
    const answer = Object.hasOwn(answers, criterion.id) ? answers[criterion.id] : undefined;
    const level = answer ? levelOf[answer.importance] : 0;
    const v = layout.valueSlot[c]!;
    const a = layout.acceptAt[c]!;
    let levelByte = LEVEL_WEIGHTS[level]! > 0 ? level : 0;
    switch (layout.kinds[c]) {
      case SINGLE: {
        const options = layout.optionIndex[c]!;
        const single = answer as SingleAnswer | undefined;
        store.codes[v * store.capacity + slot] =
          single?.value === undefined ? MISSING_CODE : options.get(single.value)!;
        store.acceptMasks[slot * words + a] = maskOf(single?.accept ?? [], options);
        break;
      }
      case MULTI: {
        const options = layout.optionIndex[c]!;
        const multi = answer as MultiAnswer | undefined;
        store.masks[v * store.capacity + slot] = maskOf(multi?.value ?? [], options);
        store.acceptMasks[slot * words + a] = maskOf(multi?.accept?.options ?? [], options);
        if (multi?.accept?.mode === 'all') levelByte |= MODE_ALL;
        break;
      }
      case SCALE: {
        const scale = answer as ScaleAnswer | undefined;
        store.codes[v * store.capacity + slot] = scale?.value ?? MISSING_CODE;
        store.acceptSteps[slot * bytes + a] = scale?.accept?.min ?? 0;
        store.acceptSteps[slot * bytes + a + 1] = scale?.accept?.max ?? 0;
        break;
      }
      case NUMBER: {
        const number = answer as NumberAnswer | undefined;
        store.nums[v * store.capacity + slot] = number?.value ?? Number.NaN;
        store.acceptNums[slot * doubles + a] = number?.accept?.min ?? Number.NEGATIVE_INFINITY;
        store.acceptNums[slot * doubles + a + 1] = number?.accept?.max ?? Number.POSITIVE_INFINITY;
        break;
      }
      case PROFILE: {
        const ratings = (answer?.value as number[] | undefined) ?? [];
        const dims = layout.dims[c]!;
        for (let d = 0; d < dims; d++) store.ratings[(v + d) * store.capacity + slot] = ratings[d] ?? 0;
        break;
      }
    }
    // An expectation without the data it needs scores nothing, as in the reference scorer.
    if (answer && levelByte !== 0 && !hasExpectation(layout.kinds[c]!, answer)) levelByte = 0;
    store.levels[slot * bytes + c] = levelByte;
  }
}

function hasExpectation(kind: number, answer: { value?: unknown; accept?: unknown }): boolean {
  return kind === PROFILE ? answer.value !== undefined : answer.accept !== undefined;
}

function maskOf(ids: readonly string[], options: ReadonlyMap<string, number>): number {
  let mask = 0;
  for (const id of ids) mask |= 1 << options.get(id)!;
  return mask >>> 0;
}
