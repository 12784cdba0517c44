import { describe, expect, it } from 'vitest';
import { MatchIndex } from '../../src/matching/index.ts';
import { answersSpan } from '../../src/profiles/answers-span.ts';
import { ndjsonBytes } from '../../src/profiles/bulk-answer-params.ts';
import { AnswerPacker, candidateLine, checkLines, keptWhenLeftOut } from '../../src/profiles/bulk-lines.ts';
import { testQuestionnaires } from '../support/app.ts';
import { miniAnswers } from '../support/factories.ts';
import { sameJson } from '../support/same-json.ts';

describe('bulk lines', () => {
  it('pack answers into the very rows and layout keys the match index makes of them', async () => {
    const questionnaires = await testQuestionnaires();
    const lines = Array.from({ length: 5 }, (_, i) => {
      const { answers } = miniAnswers();
      answers.remote.value = i % 3;
      return {
        line: i + 1,
        text: JSON.stringify({
          externalId: `c-${i}`,
          contact: { name: 'N', email: 'n@x.io' },
          questionnaireId: 'mini',
          answers,
        }),
      };
    });
    const checked = checkLines(
      lines,
      candidateLine,
      new AnswerPacker(questionnaires),
      questionnaires,
      keptWhenLeftOut.candidate,
    );
    const packed = checked.map((c) => ('answers' in c && c.answers.ok ? c.answers.value! : undefined));
    const index = new MatchIndex(questionnaires);
    const expected = index.pack(
      lines.map(({ text }) => {
        const { answers } = JSON.parse(text);
        return { questionnaireId: 'mini', questionnaireVersion: 1, answers };
      }),
    );
    expect(packed.map((p) => [Buffer.from(p!.indexRow).toString('hex'), p!.indexLayout])).toEqual(
      expected.map((e) => [e.indexRow.toString('hex'), e.indexLayout]),
    );
  });

  it("store a line's own answers bytes, as sent, as validation accepts them only as given", async () => {
    const questionnaires = await testQuestionnaires();
    const { answers } = miniAnswers();
    const sent = JSON.stringify(answers, null, 1).replaceAll('\n', '');
    const text = `{"externalId":"c-1","answers":${sent} ,"questionnaireId":"mini","contact":{"name":"N","email":"n@x.io"}}`;
    const [checked] = checkLines(
      [{ line: 1, text, bytes: Buffer.from(text) }],
      candidateLine,
      new AnswerPacker(questionnaires),
      questionnaires,
      keptWhenLeftOut.candidate,
    );
    const value = checked && 'answers' in checked && checked.answers.ok ? checked.answers.value : undefined;
    expect(Buffer.from(value!.json).toString()).toBe(sent);
    // Without the line's bytes, the validated answers are written out again.
    const [again] = checkLines(
      [{ line: 1, text }],
      candidateLine,
      new AnswerPacker(questionnaires),
      questionnaires,
      keptWhenLeftOut.candidate,
    );
    const rewritten = again && 'answers' in again && again.answers.ok ? again.answers.value : undefined;
    expect(JSON.parse(Buffer.from(rewritten!.json).toString())).toEqual(JSON.parse(sent));
    expect(Buffer.from(rewritten!.json).toString()).not.toBe(sent);
  });

  it('find the top-level answers in a line, the last when given twice, never one nested or quoted', () => {
    const span = (text: string) => {
      const at = answersSpan(Buffer.from(text));
      return at && Buffer.from(text).subarray(at[0], at[1]).toString();
    };
    expect(span('{"a":1,"answers":{"x":[1,{"y":"}"}]},"b":2}')).toBe('{"x":[1,{"y":"}"}]}');
    expect(span('{ "answers" : {"q":"\\\\"} }')).toBe('{"q":"\\\\"}');
    expect(span('{"answers":{"a":1},"answers":{"b":2}}')).toBe('{"b":2}');
    expect(span('{"x":{"answers":{"a":1}},"y":"answers"}')).toBeUndefined();
    expect(span('{"é":"answers","answers":{"ü":"\\"answers\\""}}')).toBe('{"ü":"\\"answers\\""}');
  });

  it('join answer sets into NDJSON, one line each, empty ones too', () => {
    const lines = ['{"a":1}', '', '{"é":"ü"}', '{}'].map((text) => Buffer.from(text));
    expect(ndjsonBytes(lines).toString()).toBe('{"a":1}\n\n{"é":"ü"}\n{}');
    expect(ndjsonBytes([Buffer.from(''), Buffer.from('{}')]).toString()).toBe('\n{}');
    expect(ndjsonBytes([]).byteLength).toBe(0);
  });

  it('compare JSON values by their own keys in any order', () => {
    expect(sameJson({ a: [1, { b: 'x' }], c: null }, { c: null, a: [1, { b: 'x' }] })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameJson([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(sameJson(JSON.parse('{"__proto__":{"a":1}}'), {})).toBe(false);
    expect(sameJson({ min: 1, max: 2 }, { max: 2, min: 1 })).toBe(true);
  });
});
