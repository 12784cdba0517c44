import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMarket } from '../../bench/generator.ts';
import { fastCandidateLine } from '../../src/profiles/bulk-fast-line.ts';
import { AnswerPacker, candidateLine, checkLines, keptWhenLeftOut } from '../../src/profiles/bulk-lines.ts';
import { testQuestionnaires } from '../support/app.ts';
import { miniAnswers } from '../support/factories.ts';

/** Text around a length bound, with or without blanks to trim. */
const boundedText = (max: number) =>
  fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.constantFrom('', ' ', '  x  ', '\tA\n'),
    fc
      .tuple(fc.integer({ min: max - 2, max: max + 2 }), fc.constantFrom('', ' ', '  '))
      .map(([n, pad]) => `${pad}${'é'.repeat(Math.max(0, n))}${pad}`),
  );
const notText = fc.constantFrom(null, 1, true, [], {}, ['a']);
const someValue = fc.oneof(boundedText(10), notText, fc.double({ min: -2, max: 2 }));

const email = fc.oneof(
  fc.emailAddress(),
  fc.stringMatching(/^[a-z0-9]{1,8}@[a-z]{1,8}\.io$/),
  fc.constantFrom('n@x.io', 'a.b@x.io', ' n@x.io', 'n@x.io ', 'a..b@x.io', 'a@b.c', 'a@b', '@x.io', 'Ö@x.io'),
  fc.integer({ min: 253, max: 256 }).map((n) => `${'a'.repeat(n - 5)}@x.io`),
);
const phone = fc.oneof(
  fc.constantFrom(
    '+32 470 12 34 56',
    '  +32 470 12 34 56 ',
    '12345',
    '123456',
    '(02) 123.45-67',
    '+',
    'abc123456',
  ),
  fc.integer({ min: 28, max: 33 }).map((n) => ` ${'1'.repeat(n)} `),
  fc.integer({ min: 28, max: 31 }).map((n) => `+${'1'.repeat(n)}`),
  notText,
);
const contact = fc.oneof(
  fc.record(
    { name: fc.oneof(boundedText(200), notText), email: fc.oneof(email, notText), phone },
    { requiredKeys: [] },
  ),
  // One part at a time beside valid others, so each part's bounds are reached.
  fc.record({ name: fc.constant('N'), email: fc.constant('n@x.io'), phone }),
  fc.record({ name: fc.constant('N'), email }),
  fc.record({ name: fc.oneof(boundedText(200), notText), email: fc.constant('n@x.io') }),
  fc.record({ name: fc.constant('N'), email: fc.constant('n@x.io'), extra: someValue }),
  notText,
);
const criterionId = fc.oneof(
  fc.constantFrom('contract', 'languages', 'remote', 'salary', 'values', '__proto__', '1', ''),
  fc.integer({ min: 62, max: 66 }).map((n) => 'k'.repeat(n)),
);
const answers = fc.oneof(
  fc.constant(miniAnswers().answers),
  fc.array(fc.tuple(criterionId, fc.oneof(someValue, fc.constant({ value: 1, importance: 'little' }))), {
    maxLength: 6,
  }),
  fc.integer({ min: 255, max: 257 }).map((n) => Array.from({ length: n }, (_, i) => [`c${i}`, 1])),
  notText,
);
const field = fc.oneof(
  fc.tuple(fc.constant('headline'), fc.oneof(boundedText(200), notText)),
  fc.tuple(fc.constant('contact'), contact),
  fc.tuple(
    fc.constant('minScore'),
    fc.oneof(
      fc.double({ min: -0.5, max: 1.5 }),
      fc.constantFrom(0, 1, -0, 1.0000001, 1.005, -0.001, '0.5', null),
    ),
  ),
  fc.tuple(fc.constant('externalId'), fc.oneof(boundedText(128), notText)),
  fc.tuple(fc.constant('questionnaireId'), fc.oneof(fc.constant('mini'), boundedText(64), notText)),
  fc.tuple(
    fc.constant('questionnaireVersion'),
    fc.constantFrom(1, 2, 0, -1, 1.5, 2 ** 53, 2 ** 53 + 2, '1', null),
  ),
  fc.tuple(fc.constant('answers'), answers),
  fc.tuple(fc.constantFrom('__proto__', 'extra', 'id'), someValue),
);

/** JSON text of fields given as [key, value] pairs (answers too: so `__proto__` is a key, as a client can send it). */
function toJson(value: unknown): string {
  if (
    Array.isArray(value) &&
    value.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string')
  )
    return `{${value.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  return JSON.stringify(value);
}

const validEmail = fc.stringMatching(/^[a-z0-9]{1,8}(\.[a-z0-9]{1,8})?@[a-z]{1,8}\.(io|org)$/);
const validLine = fc
  .record({
    externalId: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim().length > 0),
    contact: fc.record({ name: fc.constantFrom('N', ' Nora '), email: validEmail }),
    minScore: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map((line) => ({ ...line, ...miniAnswers() }));

/**
 * A valid line with a few of its fields given other values (each kept in its place, or added at
 * the end) or left out: mostly one step from what the fast check takes, so it is tested at its edges.
 */
const nearlyValidLine = fc
  .tuple(
    validLine,
    fc.array(field, { maxLength: 3 }),
    fc.subarray(['headline', 'contact', 'minScore', 'externalId', 'questionnaireId', 'answers'], {
      maxLength: 2,
    }),
  )
  .map(([line, changes, dropped]) => {
    const fields: [string, unknown][] = Object.entries(line).map(([k, v]) => [
      k,
      k === 'answers' ? Object.entries(v as object) : v,
    ]);
    for (const [key, value] of changes) {
      const at = fields.findIndex(([k]) => k === key);
      if (at >= 0) fields[at] = [key, value];
      else fields.push([key, value]);
    }
    return toJson(fields.filter(([k]) => !dropped.includes(k)));
  });

/** The line's value through the fast path where it answers, else through the line schema. */
function bothWays(text: string) {
  const json = JSON.parse(text) as unknown;
  return { fast: fastCandidateLine(json), schema: candidateLine.safeParse(json) };
}

describe('the fast candidate line check', () => {
  it('gives the line schema’s very value whenever it answers, on random lines valid and not', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.array(field, { minLength: 1, maxLength: 9 }).map(toJson), nearlyValidLine),
        (text) => {
          const { fast, schema } = bothWays(text);
          if (fast === undefined) return;
          expect(schema.success).toBe(true);
          expect(fast).toStrictEqual(schema.data);
          expect(Object.keys(fast)).toEqual(Object.keys(schema.data!));
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('answers for plainly valid lines, with the same value as the line schema', () => {
    fc.assert(
      fc.property(validLine, (line) => {
        const { fast, schema } = bothWays(JSON.stringify(line));
        expect(fast).toBeDefined();
        expect(fast).toStrictEqual(schema.data);
      }),
    );
  });

  it('answers for every line of the bench’s market', () => {
    const market = createMarket({ seed: 20_240_601, candidates: 500, jobs: 5 });
    for (let i = 0; i < market.candidates; i++) {
      const { fast, schema } = bothWays(JSON.stringify(market.candidate(i)));
      expect(fast).toBeDefined();
      expect(fast).toStrictEqual(schema.data);
    }
  });

  it('leaves every checked line as the line schema alone makes it, errors word for word', async () => {
    const questionnaires = await testQuestionnaires();
    const packer = new AnswerPacker(questionnaires);
    const check = (texts: string[], fast?: typeof fastCandidateLine) =>
      checkLines(
        texts.map((text, i) => ({ line: i + 1, text, bytes: Buffer.from(text) })),
        candidateLine,
        packer,
        questionnaires,
        keptWhenLeftOut.candidate,
        fast,
      );
    const line = fc.oneof(
      fc.array(field, { minLength: 1, maxLength: 9 }).map(toJson),
      nearlyValidLine,
      validLine.map((l) => JSON.stringify(l)),
    );
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 8 }), (texts) => {
        expect(check(texts, fastCandidateLine)).toStrictEqual(check(texts));
      }),
      { numRuns: 500 },
    );
  });
});
