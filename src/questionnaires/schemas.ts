import { z } from 'zod';
import { queryInteger } from '../http/schema-parts.ts';
import { MAX_CRITERIA, MAX_LOCALES, MAX_TEXT } from './definition.ts';

/** Bounds the questionnaire files are held to when they are loaded. */
const id = z.string().max(64);
const text = z.string().max(MAX_TEXT);
const locale = z.string().max(5);
/** Options, steps and dimensions of one criterion. */
const MAX_CHOICES = 32;

const labelled = z.object({ id, label: text });
const sidePrompts = z.object({
  prompt: text.describe('The question this side answers about itself'),
  acceptPrompt: text.optional().describe('The question about what this side expects of the other side'),
});

export const criterionView = z
  .object({
    id,
    kind: z.enum(['single', 'multi', 'scale', 'number', 'profile', 'date']),
    title: text,
    options: z
      .array(labelled)
      .max(MAX_CHOICES)
      .optional()
      .describe('single, multi: the option ids answers use'),
    steps: z
      .array(z.object({ label: text }))
      .max(MAX_CHOICES)
      .optional()
      .describe('scale: values are the step index 0..K-1'),
    range: z.object({ min: z.number(), max: z.number() }).optional().describe('number: allowed values'),
    unit: text.optional(),
    dimensions: z
      .array(labelled)
      .max(MAX_CHOICES)
      .optional()
      .describe('profile: each dimension is rated 1..5'),
    tolerance: z
      .number()
      .int()
      .min(0)
      .max(MAX_CHOICES - 1)
      .optional()
      .describe('scale: steps outside the accepted interval still partly count'),
    toleranceRatio: z
      .number()
      .gt(0)
      .max(10)
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
  id,
  version: z.number().int().min(1),
  locale: locale.describe('The locale of every text in this document'),
  locales: z.array(locale).max(MAX_LOCALES),
  defaultLocale: locale,
  title: text,
  description: text.optional(),
};

export const questionnaireSummary = z
  .object({ ...questionnaireSummaryFields, criteriaCount: z.number().int().min(1).max(MAX_CRITERIA) })
  .meta({ id: 'QuestionnaireSummary' });

export const questionnaireView = z
  .object({ ...questionnaireSummaryFields, criteria: z.array(criterionView).max(MAX_CRITERIA) })
  .meta({ id: 'Questionnaire' });

export const localeQuery = z.strictObject({
  locale: z
    .string()
    .max(16)
    .optional()
    .describe('Locale of the texts, e.g. en, nl, fr; defaults to the questionnaire default'),
});

export const questionnaireQuery = localeQuery.extend({
  version: queryInteger((integer) => integer.min(1).optional()).describe(
    'A specific version; the latest by default',
  ),
});
