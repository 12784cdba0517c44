import fc from 'fast-check';

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses it), loosely typed: it comes from a YAML file. */
// biome-ignore lint/suspicious/noExplicitAny: a schema read from YAML is walked keyword by keyword
export type Schema = { [keyword: string]: any };

export interface ArbitraryContext {
  /** The schema a local `$ref` (`#/components/schemas/…`) points at. */
  resolve(ref: string): Schema;
  /** Ids that exist, so that some generated uuids name real objects. */
  knownIds: readonly string[];
  /** Values to prefer for a property of this name (e.g. a questionnaire id that exists). */
  hints?: Record<string, readonly unknown[]>;
}

/** Strings longer than this are generated only at their exact bounds (a 50 MB body is no help). */
const LONG = 300;

/**
 * Values a JSON Schema admits (mostly: `pattern`s and formats are honoured where fast-check can,
 * and the generator aims at the service's success paths rather than proving validity).
 */
export function arbitraryFor(schema: Schema, context: ArbitraryContext, depth = 0): fc.Arbitrary<unknown> {
  if (schema.$ref) return arbitraryFor(context.resolve(schema.$ref), context, depth);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  const branches = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(branches))
    return fc.oneof(...branches.map((b: Schema) => arbitraryFor(b, context, depth)));
  if (Array.isArray(schema.type)) {
    return fc.oneof(...schema.type.map((type: string) => arbitraryFor({ ...schema, type }, context, depth)));
  }
  switch (schema.type) {
    case 'string':
      return stringFor(schema, context);
    case 'integer':
    case 'number':
      return numberFor(schema);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return arrayFor(schema, context, depth);
    case 'object':
      return objectFor(schema, context, depth);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringFor(schema: Schema, context: ArbitraryContext): fc.Arbitrary<string> {
  const minLength: number = schema.minLength ?? 0;
  const maxLength: number = schema.maxLength ?? 50;
  const fits = (s: string) => s.length >= minLength && s.length <= maxLength;
  switch (schema.format) {
    case 'uuid':
      return context.knownIds.length > 0
        ? fc.oneof(
            { weight: 3, arbitrary: fc.constantFrom(...context.knownIds) },
            { weight: 1, arbitrary: fc.uuid() },
          )
        : fc.uuid();
    case 'date-time':
      return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
    case 'uri':
      return fc.oneof(fc.webUrl(), fc.constant('https://hooks.example.com/mutualfit')).filter(fits);
    case 'email':
      return fc.emailAddress().filter((s) => fits(s) && new RegExp(schema.pattern ?? '').test(s));
  }
  if (schema.pattern) {
    return fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
  }
  const short = fc.string({ minLength, maxLength: Math.min(maxLength, Math.max(minLength, 20)) });
  if (maxLength > LONG) return short;
  return fc.oneof(
    { weight: 4, arbitrary: short },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: maxLength, maxLength }) },
  );
}

function numberFor(schema: Schema): fc.Arbitrary<number> {
  const integer = schema.type === 'integer';
  const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum : -1e6);
  const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum : 1e6);
  const inRange = (n: number) =>
    (schema.exclusiveMinimum === undefined || n > schema.exclusiveMinimum) &&
    (schema.exclusiveMaximum === undefined || n < schema.exclusiveMaximum);
  if (integer) {
    const lo = Math.max(Math.ceil(min), -(2 ** 31));
    const hi = Math.min(Math.floor(max), 2 ** 31 - 1);
    return fc
      .oneof(fc.integer({ min: lo, max: hi }), fc.constantFrom(lo, hi, Math.min(Math.max(1, lo), hi)))
      .filter(inRange);
  }
  return fc
    .oneof(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), fc.constantFrom(min, max))
    .filter(inRange);
}

function arrayFor(schema: Schema, context: ArbitraryContext, depth: number): fc.Arbitrary<unknown[]> {
  const minLength: number = schema.minItems ?? 0;
  const maxLength = Math.min(schema.maxItems ?? 5, Math.max(minLength, depth > 1 ? 2 : 5));
  const items = schema.items ? arbitraryFor(schema.items, context, depth + 1) : fc.jsonValue({ maxDepth: 1 });
  if (schema.uniqueItems) {
    return fc.uniqueArray(items, { minLength, maxLength, selector: (v) => JSON.stringify(v) });
  }
  return fc.array(items, { minLength, maxLength });
}

function objectFor(schema: Schema, context: ArbitraryContext, depth: number): fc.Arbitrary<unknown> {
  const properties: Record<string, Schema> = schema.properties ?? {};
  const required: string[] = schema.required ?? [];
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) {
    const hinted = context.hints?.[name];
    const generated = arbitraryFor(property, context, depth + 1);
    fields[name] = hinted
      ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...hinted) }, { weight: 1, arbitrary: generated })
      : generated;
  }
  const known = fc.record(fields, { requiredKeys: required.filter((name) => name in fields) });
  const extra = schema.additionalProperties;
  if (typeof extra !== 'object' || extra === null || depth > 3) return known;
  const keys = schema.propertyNames
    ? (arbitraryFor(schema.propertyNames, context, depth + 1) as fc.Arbitrary<string>)
    : fc.string({ maxLength: 20 });
  const dictionary = fc.dictionary(keys, arbitraryFor(extra, context, depth + 1), {
    maxKeys: Math.min(schema.maxProperties ?? 4, 4),
    noNullPrototype: true,
  });
  return fc.tuple(known, dictionary).map(([a, b]) => ({ ...b, ...(a as object) }));
}
