import { type Importance, importanceLevels, importanceWeight } from '../../answers/types.ts';

/**
 * How a row's cells say "important" and "missing". A row keeps each criterion's importance as a
 * level byte: the low 3 bits are the level (its index in importanceLevels; 0 is irrelevant or
 * unanswered), the high bits are kind flags.
 */

/** importance level → weight (the weights of answers/types.ts, by level). */
export const LEVEL_WEIGHTS = Float64Array.from(importanceLevels, (level) => importanceWeight[level]);
export const DEALBREAKER_LEVEL = importanceLevels.indexOf('dealbreaker');
export const levelOf = Object.fromEntries(importanceLevels.map((level, i) => [level, i])) as Readonly<
  Record<Importance, number>
>;
/** The level bits of a level byte. */
export const LEVEL_BITS = 7;
/** Set on the level byte of a multi criterion whose expectation mode is `all`. */
export const MODE_ALL = 0x80;
/** A single or scale value (a code) the profile did not give. */
export const MISSING_CODE = 255;
