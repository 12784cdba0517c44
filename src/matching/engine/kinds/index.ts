import type { RowArrays } from '../layout.ts';
import { date } from './date.ts';
import type { KindEngine, KindName } from './kind.ts';
import { multi } from './multi.ts';
import { number } from './number.ts';
import { profile } from './profile.ts';
import { scale } from './scale.ts';
import { single } from './single.ts';

/**
 * The criterion kinds of the fast path. A new kind is a file beside these implementing KindEngine
 * and a case here; the compiler then lists what else it needs (the questionnaire definition, the
 * reference scorer, localisation: every switch on a kind ends in `satisfies never`).
 */
export function kindOf(kind: KindName): KindEngine {
  switch (kind) {
    case 'single':
      return widen(single);
    case 'multi':
      return widen(multi);
    case 'scale':
      return widen(scale);
    case 'number':
      return widen(number);
    case 'profile':
      return widen(profile);
    case 'date':
      return widen(date);
    default:
      return kind satisfies never;
  }
}

/**
 * `pairSat` of criterion `c`'s kind (see KindEngine.pairSat). The row-at-a-time path calls this
 * once per criterion of every pair it scores: each case is a call site of its own, which the JIT
 * inlines, where `kindOf(kind).pairSat(…)` would be one call site seeing every kind.
 */
export function pairSatOf(
  kind: KindName,
  E: RowArrays,
  e: number,
  V: RowArrays,
  v: number,
  c: number,
  levelByte: number,
): number {
  switch (kind) {
    case 'single':
      return single.pairSat(E, e, V, v, c, levelByte);
    case 'multi':
      return multi.pairSat(E, e, V, v, c, levelByte);
    case 'scale':
      return scale.pairSat(E, e, V, v, c, levelByte);
    case 'number':
      return number.pairSat(E, e, V, v, c, levelByte);
    case 'profile':
      return profile.pairSat(E, e, V, v, c, levelByte);
    case 'date':
      return date.pairSat(E, e, V, v, c, levelByte);
    default:
      return kind satisfies never;
  }
}

/**
 * A kind's engine as the engine sees every kind: its methods then take any criterion, and the
 * callers pass the criterion whose kind it is (layout.kinds[c] of layout.criteria[c]).
 */
function widen<K extends KindName>(engine: KindEngine<K>): KindEngine {
  return engine as unknown as KindEngine;
}

export type { AnswerChecks, ForwardStep, KindEngine, KindName, ReverseCriterion } from './kind.ts';
