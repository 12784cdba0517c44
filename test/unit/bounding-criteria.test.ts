import { describe, expect, it } from 'vitest';
import type { AnswerSet } from '../../src/answers/types.ts';
import { ProfileStore } from '../../src/matching/engine/columnar-store.ts';
import { compileLayout } from '../../src/matching/engine/layout.ts';
import { boundingCriteria, compileSubjectValues } from '../../src/matching/engine/reverse-score.ts';
import { questionnaireDefinition } from '../../src/questionnaires/definition.ts';

/**
 * The criteria that bound S(row→subject) first in a listing's batches (reverse-score.ts
 * boundingCriteria) are ranked by the weight they lose the probe's rows; a row that breaks its own
 * dealbreaker on one loses its whole weight there (it drops out at once), so such a criterion is
 * among the first, not left out.
 */

const en = (text: string) => ({ en: text });
const uuid = (kind: number, i: number) => `0000000${kind}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const prompts = { prompt: en('About you?'), acceptPrompt: en('About them?') };
const options = ['a', 'b'].map((id) => ({ id, label: en(id) }));
/** More criteria than are bounded with (six): which ones come first matters. */
const ids = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'];

function market(rows: number) {
  const questionnaire = questionnaireDefinition.parse({
    id: 'bounding-criteria',
    version: 1,
    locales: ['en'],
    defaultLocale: 'en',
    title: en('Bounding criteria'),
    criteria: ids.map((id) => ({
      id,
      kind: 'single',
      options,
      title: en(id),
      candidate: prompts,
      employer: prompts,
    })),
  });
  const layout = compileLayout(questionnaire);
  const subjects = new ProfileStore(layout);
  const s = subjects.upsert({
    id: uuid(2, 0),
    minScore: 0,
    answers: Object.fromEntries(ids.map((id) => [id, { importance: 'irrelevant', value: 'a' }])) as AnswerSet,
  });
  // Every row expects b on every criterion, very much, but one row in four a dealbreaker on c7.
  const others = new ProfileStore(layout);
  for (let i = 0; i < rows; i++) {
    const expectation = (id: string) => ({
      importance: id === 'c7' && i % 4 === 0 ? 'dealbreaker' : 'very',
      value: 'b',
      accept: ['b'],
    });
    others.upsert({
      id: uuid(1, i),
      minScore: 0,
      answers: Object.fromEntries(ids.map((id) => [id, expectation(id)])) as unknown as AnswerSet,
    });
  }
  return { subjects, s, others };
}

describe('bounding criteria of S(row→subject)', () => {
  it('puts first a criterion whose dealbreaker some probe rows break', () => {
    const { subjects, s, others } = market(64);
    const size = 64;
    const probe = {
      rows: Int32Array.from({ length: size }, (_, i) => i),
      least: new Float64Array(size),
      weighted: new Float64Array(size),
      start: new Float64Array(size),
      remaining: new Float64Array(size),
      brokenAt: new Int32Array(size),
    };
    const chosen = boundingCriteria(compileSubjectValues(subjects, s, others), others, probe, size);
    expect(chosen).toHaveLength(6);
    expect(chosen[0]).toBe(7);
  });
});
