import { describe, expect, it } from 'vitest';
import { en } from '../src/i18n/en.ts';
import { catalogues, locales, pickLocale, translate } from '../src/i18n/index.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the interface strings', () => {
  it.each(locales.filter((l) => l !== 'en'))(
    '%s has every English key, no other, each non-empty',
    (locale) => {
      const catalogue = catalogues[locale];
      expect(Object.keys(catalogue).sort()).toEqual(Object.keys(en).sort());
      for (const [key, text] of Object.entries(catalogue))
        expect(text.trim(), `${locale} ${key}`).not.toBe('');
    },
  );

  it.each(locales.filter((l) => l !== 'en'))('%s uses the same placeholders as English', (locale) => {
    for (const [key, text] of Object.entries(en)) {
      expect(placeholders(catalogues[locale][key as keyof typeof en]), `${locale} ${key}`).toEqual(
        placeholders(text),
      );
    }
  });

  it('fills placeholders and picks a supported locale from a language tag', () => {
    expect(translate('nl', 'q.progress', { n: 2, total: 28 })).toBe('Vraag 2 van 28');
    expect(pickLocale('fr-BE')).toBe('fr');
    expect(pickLocale('de-DE')).toBe('en');
    expect(pickLocale(undefined)).toBe('en');
  });
});
