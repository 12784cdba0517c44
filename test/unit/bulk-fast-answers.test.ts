import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createMarket } from '../../bench/generator.ts';
import { validateAnswerSet } from '../../src/answers/validate.ts';
import { answersSpan } from '../../src/profiles/answers-span.ts';
import { fastAnswerSet } from '../../src/profiles/bulk-fast-answers.ts';
import { fastCandidateLine } from '../../src/profiles/bulk-fast-line.ts';
import {
  AnswerPacker,
  candidateLine,
  checkLines,
  jobLine,
  keptWhenLeftOut,
} from '../../src/profiles/bulk-lines.ts';
import type { QuestionnaireDefinition } from '../../src/questionnaires/definition.ts';
import { testQuestionnaires } from '../support/app.ts';
import { miniAnswers } from '../support/factories.ts';
import { arbAnswerSet, arbQuestionnaire } from '../support/random-market.ts';

/*
 * fastAnswerSet reads an answer set straight from a bulk line's bytes. Whenever it answers, it must
 * give what JSON.parse and validateAnswerSet give, to the key order and the sign of a zero; when
 * anything is not plainly fine it must not answer (the slow path then words the errors); and it
 * must answer for plainly written valid sets, or it saves nothing.
 */

/** Space between tokens: mostly none. */
const space = fc.oneof({ weight: 6, arbitrary: fc.constant('') }, fc.constantFrom(' ', '\t', '\r\n '));
const junk = fc.constantFrom<unknown>(
  null,
  true,
  'x',
  '',
  0,
  -1,
  2.5,
  Number.POSITIVE_INFINITY,
  [],
  {},
  ['x'],
  { min: 1 },
);

/** True about one time in 200 (unbiased: fast-check would otherwise favour the edge, 0). */
const rarely = fc.noBias(fc.nat(199)).map((n) => n === 0);
/** Mostly `text`, now and then one of `others`: so that most sets are plainly written, and some are not. */
const mostly = (text: string, ...others: string[]) =>
  fc.tuple(rarely, fc.constantFrom(...others)).map(([rare, other]) => (rare ? other : text));

/**
 * A JSON value's text as a client may write it: each number, string and key now and then written
 * another valid way (`3.0`, `30E-1`, `-0`, an escape), spaces, now and then a key given twice.
 */
function arbText(value: unknown): fc.Arbitrary<string> {
  if (typeof value === 'number') {
    // JSON has no infinity; a number too large for a double parses to one.
    if (!Number.isFinite(value)) return fc.constant('1e400');
    const text = JSON.stringify(value);
    const tenfold = JSON.stringify(value * 10);
    const plain = (t: string) => !/[eE]/.test(t);
    return mostly(
      text,
      plain(text) && Number.isInteger(value) ? `${text}.0` : text,
      plain(text) ? `${text}e0` : text,
      plain(tenfold) ? `${tenfold}E-1` : text,
      value === 0 ? '-0' : text,
    );
  }
  if (typeof value === 'string') {
    const text = JSON.stringify(value);
    const escaped = `"\\u${value.charCodeAt(0).toString(16).padStart(4, '0')}${text.slice(2)}`;
    return mostly(text, value.length > 0 ? escaped : text);
  }
  if (Array.isArray(value))
    return fc
      .tuple(fc.tuple(...value.map((item) => arbText(item ?? null))), space)
      .map(([items, s]) => `[${s}${items.join(`${s},`)}${s}]`);
  if (value !== null && typeof value === 'object')
    return fc
      .tuple(
        fc.tuple(
          ...Object.entries(value)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => fc.tuple(arbText(k), arbText(v))),
        ),
        space,
        rarely,
      )
      .map(([members, s, twice]) => {
        const all = members.map(([k, v]) => `${s}${k}${s}:${s}${v}`);
        // A key given twice: JSON.parse keeps the last.
        if (twice && all.length > 0) all.unshift(all[all.length - 1]!.replace(/:.*/s, ': null'));
        return `{${all.join(',')}${s}}`;
      });
  return fc.constant(JSON.stringify(value));
}

/** A value one step off: a number moved, a list with an item repeated, dropped or unknown, a range turned round. */
function tweaked(value: unknown, how: number): unknown {
  if (typeof value === 'number') return [value + 1, value - 1, value * 10, value + 0.5][how % 4];
  if (typeof value === 'string') return `${value}x`;
  if (Array.isArray(value)) {
    const [first] = value;
    return [
      [...value, first],
      value.slice(1),
      [...value, tweaked(first, how >> 2)],
      value.map((v) => tweaked(v, how >> 2)),
    ][how % 4];
  }
  if (value !== null && typeof value === 'object') {
    const { min, max, options, ...rest } = value as Record<string, unknown>;
    if (options !== undefined) return { ...rest, options: tweaked(options, how >> 1) };
    if (how % 3 === 0 && min !== undefined && max !== undefined) return { min: max, max: min };
    if (how % 3 === 1)
      return { ...rest, ...(min === undefined ? { max: tweaked(max, how) } : { min: tweaked(min, how) }) };
    return {
      ...rest,
      ...(max === undefined ? {} : { max }),
      ...(min === undefined ? {} : { min: tweaked(min, how >> 1) }),
    };
  }
  return value;
}

/**
 * One answer's change, now and then: a field dropped or set to junk, its value or accept one step
 * off, its accept missing its first field (a mode, a bound), or its value given as its accept too
 * (so a kind without an accept gets one that reads).
 */
const change = fc
  .tuple(
    fc.noBias(fc.nat(11)),
    fc.constantFrom('value', 'accept', 'importance', 'extra', 'mode', 'min'),
    fc.option(junk),
    fc.nat(63),
  )
  .map(([n, field, junkValue, how]) => ({ n, field, junkValue, how }));
type Change = { n: number; field: string; junkValue: unknown; how: number };

function changed(answer: Record<string, unknown>, { n, field, junkValue, how }: Change) {
  const copy = { ...answer };
  if (n === 0 && junkValue === null) delete copy[field];
  else if (n === 0) copy[field] = junkValue;
  else if (n <= 2) {
    const at = n === 1 ? 'value' : 'accept';
    if (copy[at] !== undefined) copy[at] = tweaked(copy[at], how);
  } else if (n === 3) {
    const { accept } = copy;
    if (how % 2 === 0 && accept !== null && typeof accept === 'object' && !Array.isArray(accept)) {
      const [first, ...others] = Object.keys(accept);
      if (first !== undefined)
        copy.accept = Object.fromEntries(others.map((key) => [key, (accept as never)[key]]));
    } else if (copy.value !== undefined) copy.accept = copy.value;
  }
  return copy;
}

/** A valid set of `q`, each answer now and then changed (see `change`). */
function arbSetText(q: QuestionnaireDefinition): fc.Arbitrary<string> {
  return arbAnswerSet(q)
    .chain((set) =>
      fc.tuple(
        fc.constant(set),
        fc.array(change, { minLength: q.criteria.length, maxLength: q.criteria.length }),
        fc
          .tuple(fc.noBias(fc.nat(19)), fc.constantFrom('unknown-criterion', 'Contract'))
          .map(([n, id]) => (n === 0 ? id : undefined)),
        rarely,
      ),
    )
    .map(([set, changes, extra, withDates]) => {
      const result: Record<string, unknown> = {};
      // Dates are the slow path's alone: mostly left out, so that most sets can be read.
      const dates = new Set(q.criteria.filter((c) => c.kind === 'date').map((c) => c.id));
      Object.entries(set).forEach(([id, answer], i) => {
        if (dates.has(id) && !withDates) return;
        result[id] = changed({ ...answer }, changes[i]!);
      });
      if (extra) result[extra] = { importance: 'little' };
      return result;
    })
    .chain((value) => arbText(value));
}

const arbCase = arbQuestionnaire().chain((q) => fc.tuple(fc.constant(q), arbSetText(q)));

function bothWays(q: QuestionnaireDefinition, json: string) {
  const bytes = Buffer.from(`{"answers": ${json} }`);
  const fast = fastAnswerSet(q, bytes, 12, bytes.length - 2);
  return { fast, slow: validateAnswerSet(q, JSON.parse(json)) };
}

/** Equal to the key order, and every number to its sign (toStrictEqual alone takes -0 for 0). */
function expectSame(fast: unknown, slow: unknown): void {
  expect(fast).toStrictEqual(slow);
  const walk = (a: unknown, b: unknown): void => {
    if (typeof a === 'number') expect(Object.is(a, b)).toBe(true);
    if (a === null || typeof a !== 'object') return;
    expect(Object.keys(a)).toEqual(Object.keys(b as object));
    for (const key of Object.keys(a)) walk((a as never)[key], (b as never)[key]);
  };
  walk(fast, slow);
}

describe('an answer set read from a bulk line’s bytes', () => {
  it('is validateAnswerSet’s very set whenever it is read, on random sets valid and not', () => {
    let read = 0;
    let refused = 0;
    fc.assert(
      fc.property(arbCase, ([q, json]) => {
        const { fast, slow } = bothWays(q, json);
        if (!slow.ok) refused++;
        if (fast === undefined) return;
        read++;
        expect(slow.ok).toBe(true);
        if (slow.ok) expectSame(fast, slow.answers);
      }),
      { numRuns: 3_000 },
    );
    // Both kinds of case came up: sets read, and sets the slow path refuses.
    expect(read).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(300);
  });

  it('is read for every valid set written plainly that answers no date criterion', () => {
    const plain = arbQuestionnaire().chain((q) =>
      fc.tuple(
        fc.constant(q),
        arbAnswerSet(q).filter((set) =>
          q.criteria.every((c) => c.kind !== 'date' || set[c.id] === undefined),
        ),
      ),
    );
    fc.assert(
      fc.property(plain, ([q, set]) => {
        const { fast, slow } = bothWays(q, JSON.stringify(set));
        expect(slow.ok).toBe(true);
        expect(fast).toBeDefined();
        if (slow.ok) expectSame(fast, slow.answers);
      }),
      { numRuns: 1_000 },
    );
  });

  it('is read for every line of the bench’s market', async () => {
    const questionnaire = (await testQuestionnaires()).latest('work-fit')!;
    const market = createMarket({ seed: 20_240_601, candidates: 300, jobs: 3 });
    const lines = [
      ...Array.from({ length: market.candidates }, (_, i) => market.candidate(i)),
      ...Array.from({ length: market.jobs }, (_, i) => market.job(i)),
    ];
    for (const line of lines) {
      const bytes = Buffer.from(JSON.stringify(line));
      const [start, end] = answersSpan(bytes)!;
      const slow = validateAnswerSet(questionnaire, line.answers);
      const fast = fastAnswerSet(questionnaire, bytes, start, end);
      expect(fast).toBeDefined();
      if (slow.ok) expectSame(fast, slow.answers);
    }
  });
});

describe('a bulk line checked with its answers read from its bytes', () => {
  const benchAnswers = JSON.stringify(createMarket({ seed: 7, candidates: 1, jobs: 1 }).candidate(0).answers);
  /**
   * Lines around the answers: placed first or last, given twice, named inside a string, spaced; of
   * two questionnaires in any order (a line's answers are read with the questionnaire of the line
   * before, and again when it names another), or of none, or of one that does not exist.
   */
  const line = fc
    .tuple(
      fc.constantFrom('a-1', ' a-2 ', 'é-3'),
      fc.constantFrom('Nora', 'N "answers": {}', 'Zoë \\ x'),
      fc.oneof(
        fc.constant(JSON.stringify(miniAnswers().answers)),
        arbText(miniAnswers().answers),
        fc.constant(benchAnswers),
        fc.constantFrom('{}', '[]', 'null', '{"contract": {"importance": "little"}}', '{"x": 1'),
        // valid for work-fit only: read with its questionnaire, then refused for mini's
        fc.constant('{"contract": {"value": "freelance", "importance": "little"}}'),
      ),
      fc.constantFrom('first', 'last', 'twice', 'twice, this one first', 'none'),
      fc.constantFrom('mini', 'work-fit', 'nope', undefined),
      space,
    )
    .map(([id, name, answers, where, questionnaire, s]) => {
      const fields = [
        `"externalId":${JSON.stringify(id)}`,
        `"contact":{"name":${JSON.stringify(name)},"email":"n@x.io"}`,
      ];
      if (questionnaire !== undefined) fields.push(`"questionnaireId":"${questionnaire}"`);
      const member = `"answers"${s}:${s}${answers}`;
      if (where === 'first') fields.unshift(member);
      if (where === 'last') fields.push(member);
      if (where === 'twice') fields.push(`"answers":{"contract":1}`, member);
      if (where === 'twice, this one first') fields.push(member, `"answers":{"contract":1}`);
      return `${s}{${fields.join(`,${s}`)}}${s}`;
    });

  it('comes out as the whole line parsed and validated does, errors word for word', async () => {
    vi.doMock('../../src/profiles/bulk-fast-answers.ts', () => ({
      fastAnswerSet: () => undefined,
      readAnswerObject: () => undefined,
    }));
    vi.resetModules();
    const slowPath = await import('../../src/profiles/bulk-lines.ts');
    vi.doUnmock('../../src/profiles/bulk-fast-answers.ts');
    const questionnaires = await testQuestionnaires();
    const check = (
      lines: typeof checkLines,
      packer: AnswerPacker,
      texts: string[],
      kind: 'candidate' | 'job',
    ) =>
      lines(
        texts.map((text, i) => ({ line: i + 1, text: text.trim(), bytes: Buffer.from(text) })),
        kind === 'candidate' ? candidateLine : jobLine,
        packer,
        questionnaires,
        keptWhenLeftOut[kind],
        kind === 'candidate' ? fastCandidateLine : undefined,
      );
    const fastPacker = new AnswerPacker(questionnaires);
    const slowPacker = new slowPath.AnswerPacker(questionnaires);
    const read = new Map<string, number>();
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), (texts) => {
        const fast = check(checkLines, fastPacker, texts, 'candidate');
        expect(fast).toStrictEqual(
          check(slowPath.checkLines as typeof checkLines, slowPacker, texts, 'candidate'),
        );
        for (const c of fast) {
          const id = 'answers' in c && c.answers.ok ? c.answers.value?.questionnaireId : undefined;
          if (id) read.set(id, (read.get(id) ?? 0) + 1);
        }
      }),
      { numRuns: 800 },
    );
    // Answers of both questionnaires were read, so lines followed lines of the other one.
    expect(read.get('mini')).toBeGreaterThan(40);
    expect(read.get('work-fit')).toBeGreaterThan(40);
  });
});
