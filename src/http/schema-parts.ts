import { z } from 'zod';

/** An array that refuses a repeated item, documented as `uniqueItems`. */
export function distinct<T extends z.ZodType<unknown[]>>(array: T, message = 'must not repeat an item'): T {
  return array
    .refine((items) => new Set(items).size === items.length, { message })
    .meta({ uniqueItems: true }) as T;
}

/** A PATCH body that must change at least one field, documented as `minProperties: 1`. */
export function atLeastOneField<T extends z.ZodType<object>>(object: T): T {
  return object
    .refine((body) => Object.keys(body).length > 0, { message: 'give at least one field to change' })
    .meta({ minProperties: 1 }) as T;
}

/** A criterionId → answer map: at most as many entries as a questionnaire has criteria. */
export function answerMap(maxCriteria: number) {
  return z
    .record(z.string().max(64), z.unknown())
    .refine((answers) => Object.keys(answers).length <= maxCriteria, {
      message: `at most ${maxCriteria} criteria`,
    })
    .meta({ maxProperties: maxCriteria });
}

/**
 * A whole number in a query string: decimal digits only, where `z.coerce.number()` would take
 * `0x10`, `1e1` or ` 5 ` as Number() does. Documented as the integer schema it wraps.
 */
export function queryInteger<T extends z.ZodType>(schema: (integer: z.ZodNumber) => T) {
  return z.preprocess(
    (value) => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value),
    // The error applies to the bounds the caller adds too: they get their own messages.
    schema(z.number({ error: integerMessage }).int()),
  );
}

function integerMessage(issue: z.core.$ZodRawIssue): string {
  if (issue.code === 'too_big') return `must be at most ${issue.maximum}`;
  if (issue.code === 'too_small') return `must be at least ${issue.minimum}`;
  return 'must be a whole number in decimal digits';
}
