import { describe, expect, it } from 'vitest';
import { MatchIndex } from '../../src/matching/index.ts';
import { AnswerPacker, candidateLine, checkLines } from '../../src/profiles/bulk-lines.ts';
import { testQuestionnaires } from '../support/app.ts';
import { miniAnswers } from '../support/factories.ts';

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
    const checked = checkLines(lines, candidateLine, new AnswerPacker(questionnaires), questionnaires);
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
});
