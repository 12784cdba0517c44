import { type Check, describe } from '../../../answers/checks.ts';
import type { CriterionOf } from './kind.ts';

/** What the kinds with options (single, multi) share: option checks and option sets as bit masks. */

export function oneOption(criterion: CriterionOf<'single' | 'multi'>): Check<string> {
  const ids = new Set(criterion.options.map((option) => option.id));
  return (raw, path, report) => {
    if (typeof raw === 'string' && ids.has(raw)) return raw;
    const known = [...ids].join(', ');
    report(path, `${describe(raw)} is not an option of criterion ${criterion.id}; options are: ${known}`);
    return undefined;
  };
}

/** A non-empty list of distinct option ids. */
export function optionList(criterion: CriterionOf<'single' | 'multi'>): Check<string[]> {
  const ids = criterion.options.map((option) => option.id);
  const option = oneOption(criterion);
  return (raw, path, report) => {
    if (!Array.isArray(raw) || raw.length === 0) {
      report(path, `expected a non-empty list of options (${ids.join(', ')}), got ${describe(raw)}`);
      return undefined;
    }
    if (raw.length > ids.length) report(path, `lists ${raw.length} options; there are only ${ids.length}`);
    const seen = new Set<string>();
    raw.slice(0, ids.length).forEach((item, index) => {
      const id = option(item, `${path}.${index}`, report);
      if (id !== undefined && seen.has(id)) report(`${path}.${index}`, `"${id}" is listed more than once`);
      if (id !== undefined) seen.add(id);
    });
    return raw.filter((item): item is string => typeof item === 'string');
  };
}

/** A set of option ids as a 32-bit mask (bit i: option i); questionnaires allow 32 options at most. */
export function maskOf(ids: readonly string[], options: ReadonlyMap<string, number>): number {
  let mask = 0;
  for (const id of ids) mask |= 1 << options.get(id)!;
  return mask >>> 0;
}
