import type { CriterionDefinition, QuestionnaireDefinition } from './definition.ts';

type Text = Record<string, string>;

/** A criterion in the wire shape of docs/matching.md#questionnaires-and-criteria, with every text in one locale. */
export function localizeCriterion(criterion: CriterionDefinition, locale: string) {
  const t = (text: Text) => text[locale] ?? '';
  const side = (prompts: CriterionDefinition['candidate']) => ({
    prompt: t(prompts.prompt),
    ...(prompts.acceptPrompt ? { acceptPrompt: t(prompts.acceptPrompt) } : {}),
  });
  const base = {
    id: criterion.id,
    kind: criterion.kind,
    title: t(criterion.title),
    candidate: side(criterion.candidate),
    employer: side(criterion.employer),
  };
  switch (criterion.kind) {
    case 'single':
    case 'multi':
      return { ...base, options: criterion.options.map((o) => ({ id: o.id, label: t(o.label) })) };
    case 'scale':
      return {
        ...base,
        steps: criterion.steps.map((s) => ({ label: t(s.label) })),
        tolerance: criterion.tolerance,
      };
    case 'number':
      return {
        ...base,
        range: criterion.range,
        ...(criterion.unit ? { unit: t(criterion.unit) } : {}),
        toleranceRatio: criterion.toleranceRatio,
      };
    case 'profile':
      return { ...base, dimensions: criterion.dimensions.map((d) => ({ id: d.id, label: t(d.label) })) };
    case 'date':
      return { ...base, toleranceDays: criterion.toleranceDays };
    default:
      return criterion satisfies never;
  }
}

export function summarizeQuestionnaire(q: QuestionnaireDefinition, locale: string) {
  return {
    id: q.id,
    version: q.version,
    locale,
    locales: q.locales,
    defaultLocale: q.defaultLocale,
    title: q.title[locale] ?? '',
    ...(q.description ? { description: q.description[locale] ?? '' } : {}),
    criteriaCount: q.criteria.length,
  };
}

export function localizeQuestionnaire(q: QuestionnaireDefinition, locale: string) {
  const { criteriaCount: _count, ...summary } = summarizeQuestionnaire(q, locale);
  return { ...summary, criteria: q.criteria.map((c) => localizeCriterion(c, locale)) };
}
