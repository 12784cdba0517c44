import { describe, expect, it } from 'vitest';
import { jobLabel } from '../src/components/matches.ts';
import { locales, translate } from '../src/i18n/index.ts';

const job = {
  title: 'Backend developer',
  employerId: '0190a3b2-0000-7000-8000-00000000aaaa',
  employerName: 'Acme',
};

describe('a job as the candidate sees it', () => {
  it('names the title and the employer in every locale, never the id', () => {
    const labels = locales.map((locale) => jobLabel((key, values) => translate(locale, key, values), job));
    expect(labels).toEqual([
      'Backend developer at Acme',
      'Backend developer bij Acme',
      'Backend developer chez Acme',
    ]);
    for (const label of labels) expect(label).not.toContain('aaaa');
  });
});
