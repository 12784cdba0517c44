import { type Catalogue, en, type MessageKey } from './en.ts';
import { fr } from './fr.ts';
import { nl } from './nl.ts';

export type { MessageKey };
export const catalogues: Record<Locale, Catalogue> = { en, nl, fr };
export const locales = ['en', 'nl', 'fr'] as const;
export type Locale = (typeof locales)[number];

/** The supported locale for a tag such as `nl-BE`, else English. */
export function pickLocale(tag: string | null | undefined): Locale {
  const base = (tag ?? '').toLowerCase().split('-')[0];
  return (locales as readonly string[]).includes(base ?? '') ? (base as Locale) : 'en';
}

/** The message for `key` in `locale`, with `{name}` placeholders filled in. */
export function translate(locale: Locale, key: MessageKey, values: Record<string, string | number> = {}) {
  return catalogues[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}
