import { describe, expect, it } from 'vitest';
import {
  barHeights,
  binLabels,
  canReweigh,
  effectOf,
  signed,
  whatIfBody,
} from '../src/components/insights-model.ts';

const insight = {
  criterionId: 'salary',
  rejectedBy: 0,
  rejecting: 0,
  soleBarrier: 0,
  acceptableIfIrrelevant: 4,
};

describe('the insights panel’s numbers', () => {
  it('labels the ten bins as the API cuts them, 0–10% up to 90–100%', () => {
    const labels = binLabels();
    expect(labels).toHaveLength(10);
    expect(labels[0]).toBe('0–10%');
    expect(labels[4]).toBe('40–50%');
    expect(labels[9]).toBe('90–100%');
  });

  it('scales the columns to the largest count, and draws none when every count is 0', () => {
    expect(barHeights([0, 1, 2, 4, 0, 0, 0, 0, 0, 0], 80)).toEqual([0, 20, 40, 80, 0, 0, 0, 0, 0, 0]);
    expect(barHeights(Array(10).fill(0), 80)).toEqual(Array(10).fill(0));
  });

  it('writes a change with its sign, a real minus for fewer', () => {
    expect(signed(2)).toBe('+2');
    expect(signed(-3)).toBe('\u22123');
    expect(signed(0)).toBe('±0');
  });

  it('says what making a criterion irrelevant does, fewer included', () => {
    expect(effectOf(insight, 4)).toMatchObject({ ifIrrelevant: 4, delta: 0, none: true });
    expect(effectOf({ ...insight, acceptableIfIrrelevant: 2 }, 4)).toMatchObject({ delta: -2, none: false });
    expect(effectOf({ ...insight, soleBarrier: 3, acceptableIfIrrelevant: 7 }, 4)).toMatchObject({
      soleBarrier: 3,
      delta: 3,
      none: false,
    });
    expect(effectOf({ ...insight, rejectedBy: 1 }, 4).none).toBe(false);
  });

  it('offers another importance only where the answer has an expectation (a profile: its value)', () => {
    expect(canReweigh({ kind: 'single' }, { value: 'a', accept: ['a'], importance: 'very' })).toBe(true);
    expect(canReweigh({ kind: 'single' }, { value: 'a', importance: 'irrelevant' })).toBe(false);
    expect(canReweigh({ kind: 'profile' }, { value: [1, 2, 3], importance: 'little' })).toBe(true);
    expect(canReweigh({ kind: 'number' }, undefined)).toBe(false);
  });

  it('builds a what-if body that changes only the importance of the chosen answer, and minScore when given', () => {
    const stored = {
      salary: { value: 4200, accept: { min: 3800 }, importance: 'dealbreaker' },
      contract: { value: 'permanent', accept: ['permanent'], importance: 'very' },
    };
    expect(whatIfBody(stored, { criterionId: 'salary', importance: 'somewhat' })).toEqual({
      answers: { salary: { value: 4200, accept: { min: 3800 }, importance: 'somewhat' } },
    });
    expect(whatIfBody(stored, { minScore: 0.4 })).toEqual({ answers: {}, minScore: 0.4 });
    expect(whatIfBody(stored, { criterionId: 'remote', importance: 'little' })).toEqual({ answers: {} });
    expect(stored.salary.importance).toBe('dealbreaker');
  });
});
