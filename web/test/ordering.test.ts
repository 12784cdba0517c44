import { describe, expect, it } from 'vitest';
import { gapsFirst } from '../src/components/explanation.ts';
import { candidateActions } from '../src/components/introduction.ts';

const side = (satisfaction: number | null) => ({
  value: null,
  accept: null,
  importance: 'very' as const,
  satisfaction,
});
const row = (criterionId: string, candidate: number | null, employer: number | null) => ({
  criterionId,
  candidate: side(candidate),
  employer: side(employer),
});

describe('what the screens order and offer', () => {
  it('lists criteria with a gap first, largest weight lost first, then the rest in questionnaire order', () => {
    const criteria = [row('a', 1, 1), row('b', 0.5, 1), row('c', 1, 1), row('d', 0, 0.2)];
    const { gaps, met } = gapsFirst({
      criteria,
      gaps: [
        { criterionId: 'd', side: 'candidate', weightLost: 50 },
        { criterionId: 'b', side: 'candidate', weightLost: 25 },
        { criterionId: 'd', side: 'employer', weightLost: 8 },
      ],
    });
    expect(gaps.map((r) => r.criterionId)).toEqual(['d', 'b']);
    expect(met.map((r) => r.criterionId)).toEqual(['a', 'c']);
  });

  it('offers the candidate only the introduction steps the API allows, and once interested only withdrawing', () => {
    const states = (candidate: string, employer: string) =>
      ({ candidate: { state: candidate }, employer: { state: employer } }) as Parameters<
        typeof candidateActions
      >[0];
    expect(candidateActions(undefined)).toEqual(['interested', 'declined']);
    expect(candidateActions(states('interested', 'none'))).toEqual(['withdrawn']);
    expect(candidateActions(states('interested', 'interested'))).toEqual(['withdrawn']);
    expect(candidateActions(states('withdrawn', 'interested'))).toEqual(['interested', 'declined']);
    expect(candidateActions(states('declined', 'none'))).toEqual([]);
    expect(candidateActions(states('interested', 'declined'))).toEqual([]);
  });
});
