import { z } from 'zod';

const labelled = z.object({ id: z.string(), label: z.string() });
const sidePrompts = z.object({
  prompt: z.string().describe('The question this side answers about itself'),
  acceptPrompt: z.string().optional().describe('The question about what this side expects of the other side'),
});

export const criterionView = z
  .object({
    id: z.string(),
    kind: z.enum(['single', 'multi', 'scale', 'number', 'profile', 'date']),
    title: z.string(),
    options: z.array(labelled).optional().describe('single, multi: the option ids answers use'),
    steps: z
      .array(z.object({ label: z.string() }))
      .optional()
      .describe('scale: values are the step index 0..K-1'),
    range: z.object({ min: z.number(), max: z.number() }).optional().describe('number: allowed values'),
    unit: z.string().optional(),
    dimensions: z.array(labelled).optional().describe('profile: each dimension is rated 1..5'),
    tolerance: z
      .number()
      .int()
      .optional()
      .describe('scale: steps outside the accepted interval still partly count'),
    toleranceRatio: z
      .number()
      .optional()
      .describe('number: relative distance past a bound at which sat reaches 0'),
    toleranceDays: z
      .number()
      .int()
      .optional()
      .describe(
        'date: days outside the accepted window (values are dates YYYY-MM-DD) at which sat reaches 0',
      ),
    candidate: sidePrompts,
    employer: sidePrompts,
  })
  .meta({ id: 'Criterion' });

const questionnaireSummaryFields = {
  id: z.string(),
  version: z.number().int(),
  locale: z.string().describe('The locale of every text in this document'),
  locales: z.array(z.string()),
  defaultLocale: z.string(),
  title: z.string(),
  description: z.string().optional(),
};

export const questionnaireSummary = z
  .object({ ...questionnaireSummaryFields, criteriaCount: z.number().int() })
  .meta({ id: 'QuestionnaireSummary' });

export const questionnaireView = z
  .object({ ...questionnaireSummaryFields, criteria: z.array(criterionView) })
  .meta({ id: 'Questionnaire' });

export const localeQuery = z.strictObject({
  locale: z
    .string()
    .max(16)
    .optional()
    .describe('Locale of the texts, e.g. en, nl, fr; defaults to the questionnaire default'),
});

export const questionnaireQuery = localeQuery.extend({
  version: z.coerce.number().int().min(1).optional().describe('A specific version; the latest by default'),
});
