import { describe, expect, it } from 'vitest';
import { type Criterion, checkDraft, resumeAt, toAnswers } from '../src/components/answer-model.ts';

const sides = {
  candidate: { prompt: 'You?', acceptPrompt: 'Them?' },
  employer: { prompt: 'You?', acceptPrompt: 'Them?' },
};
const single: Criterion = {
  id: 'contract',
  kind: 'single',
  title: 'Contract',
  options: [
    { id: 'a', label: 'A' },
    { id: 'b', label: 'B' },
  ],
  ...sides,
};
const scale: Criterion = {
  id: 'remote',
  kind: 'scale',
  title: 'Remote',
  steps: [{ label: '0' }, { label: '1' }],
  ...sides,
};
const profile: Criterion = {
  id: 'values',
  kind: 'profile',
  title: 'Values',
  dimensions: [
    { id: 'x', label: 'X' },
    { id: 'y', label: 'Y' },
  ],
  ...sides,
};
const number: Criterion = {
  id: 'salary',
  kind: 'number',
  title: 'Salary',
  range: { min: 0, max: 10000 },
  ...sides,
};

describe('questionnaire drafts', () => {
  it('lets a criterion be skipped, and asks for an expectation once it matters', () => {
    expect(checkDraft(single, undefined)).toBe('empty');
    expect(checkDraft(single, { value: 'a', importance: 'very' })).toBe('q.needAccept');
    expect(checkDraft(single, { value: 'a', accept: [], importance: 'very' })).toBe('q.needAccept');
    expect(checkDraft(single, { value: 'a', importance: 'irrelevant' })).toBe('ok');
    expect(checkDraft(single, { accept: ['a'], importance: 'dealbreaker' })).toBe('ok');
    expect(checkDraft(profile, { value: [3, null], importance: 'somewhat' })).toBe('q.needValue');
    expect(checkDraft(profile, { value: [3, 4], importance: 'somewhat' })).toBe('ok');
  });

  it('sends only complete answers, without empty bounds', () => {
    const answers = toAnswers([single, scale, profile, number], {
      contract: { value: 'a', accept: ['a', 'b'], importance: 'very' },
      remote: { value: 1, importance: 'very' },
      values: { value: [3, 4], importance: 'little' },
      salary: { value: 3000, accept: { min: 2500, max: undefined }, importance: 'somewhat' },
    });
    expect(answers).toEqual({
      contract: { value: 'a', accept: ['a', 'b'], importance: 'very' },
      values: { value: [3, 4], importance: 'little' },
      salary: { value: 3000, accept: { min: 2500 }, importance: 'somewhat' },
    });
  });

  it('resumes at the first criterion without a complete answer', () => {
    const drafts = { contract: { value: 'a', accept: ['a'], importance: 'very' as const } };
    expect(resumeAt([single, scale, profile], drafts)).toBe(1);
    expect(resumeAt([single], drafts)).toBe(0);
  });
});
