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
 * A kind's engine as the engine sees every kind: its methods then take any criterion, and the
 * callers pass the criterion whose kind it is (layout.kinds[c] of layout.criteria[c]).
 */
function widen<K extends KindName>(engine: KindEngine<K>): KindEngine {
  return engine as unknown as KindEngine;
}

export type { AnswerChecks, ForwardStep, KindEngine, KindName, ReverseCriterion } from './kind.ts';
