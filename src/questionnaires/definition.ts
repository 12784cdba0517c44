import { z } from 'zod';

/**
 * The questionnaire file format (YAML or JSON in `questionnaires/`).
 * `scripts/questionnaire-schema.ts` publishes it as JSON Schema for editors.
 */

/** The most criteria a questionnaire has, so an answer set has at most this many entries. */
export const MAX_CRITERIA = 256;
/** The most locales a questionnaire declares. */
export const MAX_LOCALES = 32;
/** The longest text in a questionnaire, in any locale. */
export const MAX_TEXT = 500;

const slug = z
  .string()
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'must be lowercase kebab-case, e.g. "remote-work"')
  .max(64);

const localeCode = z
  .string()
  .regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a locale code such as "en" or "nl-BE"');

/** Text in every locale the questionnaire declares (checked against `locales` below). */
const localizedText = z
  .record(localeCode, z.string().trim().min(1).max(MAX_TEXT))
  .describe('Text per locale, e.g. { en: "...", nl: "...", fr: "..." }');

const option = z.strictObject({ id: slug, label: localizedText });

const sidePrompts = z.strictObject({
  prompt: localizedText.describe('The question this side answers about itself'),
  acceptPrompt: localizedText.optional().describe('The question about what this side expects of the other'),
});

const criterionBase = {
  id: slug,
  title: localizedText,
  candidate: sidePrompts,
  employer: sidePrompts,
};

const optionList = z
  .array(option)
  .min(2)
  .max(32) // the match index keeps option sets as 32-bit masks
  .superRefine((options, ctx) => {
    const repeated = options.map((o) => o.id).filter((id, i, ids) => ids.indexOf(id) !== i);
    if (repeated.length > 0)
      ctx.addIssue({
        code: 'custom',
        message: `option ids must be unique; repeated: ${repeated.join(', ')}`,
      });
  });

const singleCriterion = z.strictObject({ ...criterionBase, kind: z.literal('single'), options: optionList });
const multiCriterion = z.strictObject({ ...criterionBase, kind: z.literal('multi'), options: optionList });

const scaleCriterion = z.strictObject({
  ...criterionBase,
  kind: z.literal('scale'),
  steps: z
    .array(z.strictObject({ label: localizedText }))
    .min(2)
    .max(32),
  tolerance: z.number().int().min(0).max(31).default(1),
});

const numberCriterion = z.strictObject({
  ...criterionBase,
  kind: z.literal('number'),
  range: z
    .strictObject({ min: z.number(), max: z.number() })
    .refine((range) => range.min < range.max, { message: 'range.min must be below range.max' }),
  unit: localizedText.optional(),
  toleranceRatio: z.number().gt(0).max(10).default(0.2),
});

const profileCriterion = z.strictObject({
  ...criterionBase,
  kind: z.literal('profile'),
  dimensions: z
    .array(option)
    .min(2)
    .max(32)
    .refine((dims) => new Set(dims.map((d) => d.id)).size === dims.length, {
      message: 'dimension ids must be unique',
    }),
});

const dateCriterion = z.strictObject({
  ...criterionBase,
  kind: z.literal('date'),
  toleranceDays: z
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(30)
    .describe('Days outside the accepted window at which satisfaction reaches 0'),
});

export const criterionDefinition = z.discriminatedUnion('kind', [
  singleCriterion,
  multiCriterion,
  scaleCriterion,
  numberCriterion,
  profileCriterion,
  dateCriterion,
]);

export const questionnaireDefinition = z
  .strictObject({
    $schema: z.string().optional(),
    id: slug,
    version: z.number().int().min(1),
    locales: z.array(localeCode).min(1).max(MAX_LOCALES),
    defaultLocale: localeCode,
    title: localizedText,
    description: localizedText.optional(),
    criteria: z.array(criterionDefinition).min(1).max(MAX_CRITERIA),
  })
  .superRefine((q, ctx) => {
    if (!q.locales.includes(q.defaultLocale)) {
      ctx.addIssue({ code: 'custom', path: ['defaultLocale'], message: 'must be one of locales' });
    }
    for (const [field, text] of [
      ['title', q.title],
      ['description', q.description],
    ] as const) {
      for (const locale of text ? q.locales : []) {
        if (!text?.[locale])
          ctx.addIssue({ code: 'custom', path: [field], message: `missing the "${locale}" text` });
      }
    }
    const seen = new Set<string>();
    q.criteria.forEach((criterion, index) => {
      if (seen.has(criterion.id)) {
        ctx.addIssue({ code: 'custom', path: ['criteria', index, 'id'], message: 'duplicate criterion id' });
      }
      seen.add(criterion.id);
      if (criterion.kind !== 'profile') {
        for (const side of ['candidate', 'employer'] as const) {
          if (!criterion[side].acceptPrompt) {
            ctx.addIssue({
              code: 'custom',
              path: ['criteria', index, side, 'acceptPrompt'],
              message: `a ${criterion.kind} criterion needs an acceptPrompt for each side`,
            });
          }
        }
      }
      for (const [path, text] of localizedTexts(criterion)) {
        for (const locale of q.locales) {
          if (!text[locale]) {
            ctx.addIssue({
              code: 'custom',
              path: ['criteria', index, ...path],
              message: `missing the "${locale}" text`,
            });
          }
        }
      }
    });
  });

export type QuestionnaireDefinition = z.output<typeof questionnaireDefinition>;
export type CriterionDefinition = z.output<typeof criterionDefinition>;
export type CriterionKind = CriterionDefinition['kind'];
type LocalizedText = z.output<typeof localizedText>;

function* localizedTexts(criterion: CriterionDefinition): Generator<[(string | number)[], LocalizedText]> {
  yield [['title'], criterion.title];
  for (const side of ['candidate', 'employer'] as const) {
    yield [[side, 'prompt'], criterion[side].prompt];
    const accept = criterion[side].acceptPrompt;
    if (accept) yield [[side, 'acceptPrompt'], accept];
  }
  if ('options' in criterion) {
    for (const [i, o] of criterion.options.entries()) yield [['options', i, 'label'], o.label];
  }
  if (criterion.kind === 'profile') {
    for (const [i, d] of criterion.dimensions.entries()) yield [['dimensions', i, 'label'], d.label];
  }
  if (criterion.kind === 'scale') {
    for (const [i, s] of criterion.steps.entries()) yield [['steps', i, 'label'], s.label];
  }
  if (criterion.kind === 'number' && criterion.unit) yield [['unit'], criterion.unit];
}
