/**
 * Slack for float arithmetic done in another order than the reference scorer's. EPSILON (the margin
 * a dealbreaker or a threshold allows) is the reference's own, in ../score.ts.
 */

/** Sums added in another order than the reference's differ from its by float noise: bounds get this much slack. */
export const MARGIN = 1e-9;
/** Scores are reported rounded to 6 decimals: a rounded score exceeds the exact one by at most this. */
export const ROUNDING = 1e-6;
