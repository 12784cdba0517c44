import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateAnswerSet } from '../../src/answers/validate.ts';
import { loadQuestionnaires } from '../../src/questionnaires/loader.ts';

/**
 * The README's request bodies that carry answers (single-quoted JSON in its curl and printf lines)
 * are what a new user copies first: each must parse, and each answer must be one the service takes
 * (a what-if's null removes an answer, so it only has to name a criterion).
 */

const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
const bodies = [...readme.matchAll(/'(\{[^']*"answers"[^']*)'/g)].map((match) => match[1]!);
const questionnaires = await loadQuestionnaires(
  fileURLToPath(new URL('../../questionnaires', import.meta.url)),
);
const workFit = questionnaires.get('work-fit', 1)!;

describe('README examples', () => {
  it('has request bodies with answers to check', () => {
    expect(bodies.length).toBeGreaterThanOrEqual(4);
  });

  it.each(bodies.map((body, i) => [i + 1, body] as const))(
    'body %i parses and its answers are valid work-fit answers',
    (_, body) => {
      const { answers } = JSON.parse(body) as { answers: Record<string, unknown> };
      const given = Object.fromEntries(Object.entries(answers).filter(([, answer]) => answer !== null));
      const removed = Object.keys(answers).filter((id) => answers[id] === null);
      const validation = validateAnswerSet(workFit, given);
      expect(validation.ok ? [] : validation.errors).toEqual([]);
      const known = new Set(workFit.criteria.map((criterion) => criterion.id));
      expect(removed.filter((id) => !known.has(id))).toEqual([]);
    },
  );
});
