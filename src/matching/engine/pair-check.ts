import { EPSILON, lowerScore, mutualScore, round6 } from '../score.ts';
import type { ScoreMethod } from '../types.ts';
import type { ProfileStore } from './columnar-store.ts';
import { BROKEN, satisfactionOf, valuedByBoth } from './pair-score.ts';

/** One pair as a listing reports it (rounded), seen from the job. */
export interface PairRow {
  score: number;
  scoreLower: number;
  /** S(job→candidate) */
  employerSatisfaction: number;
  /** S(candidate→job) */
  candidateSatisfaction: number;
}

/**
 * Row `c` of `candidates` as the listing of job row `j` would report it, or undefined when that
 * listing leaves it out: in O(criteria), by the kernel the listings score a row with and the same
 * tests (dealbreakers both ways, each side's minScore with EPSILON), so the verdict is the listing's.
 * Acceptability is symmetric: the candidate's listing of jobs holds the pair exactly when this does.
 */
export function pairRow(
  jobs: ProfileStore,
  j: number,
  candidates: ProfileStore,
  c: number,
  method: ScoreMethod,
): PairRow | undefined {
  if (j < 0 || c < 0) return undefined;
  const employer = satisfactionOf(jobs, j, candidates, c);
  if (employer === BROKEN || employer < jobs.minScoreOf(j) - EPSILON) return undefined;
  const candidate = satisfactionOf(candidates, c, jobs, j);
  if (candidate === BROKEN || candidate < candidates.minScoreOf(c) - EPSILON) return undefined;
  const score = mutualScore(employer, candidate, method);
  return {
    score: round6(score),
    scoreLower: round6(lowerScore(score, valuedByBoth(jobs, j, candidates, c))),
    employerSatisfaction: round6(employer),
    candidateSatisfaction: round6(candidate),
  };
}
