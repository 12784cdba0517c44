import fc from 'fast-check';
import { type ArbitraryContext, arbitraryFor, type Schema } from './schema-arbitrary.ts';

/** Wrong on purpose: values of another type than any schema here expects. */
const wrongType = fc.constantFrom<unknown>(null, true, 12345, -1.5, 'text', [], {}, [1, 'a'], { nested: {} });

/**
 * Values the schema refuses (mostly: a mutation can happen to stay valid, e.g. an unknown key
 * where extra keys are allowed): a required property left out, an unknown one added, a string
 * past its maxLength, a number out of range, an array too long or repeating, the wrong type.
 */
export function brokenFor(schema: Schema, context: ArbitraryContext, depth = 0): fc.Arbitrary<unknown> {
  if (schema.$ref) return brokenFor(context.resolve(schema.$ref), context, depth);
  const breakers: fc.Arbitrary<unknown>[] = [wrongType];
  if (schema.type === 'string') {
    if (typeof schema.maxLength === 'number' && schema.maxLength < 5000) {
      breakers.push(fc.constant('x'.repeat(schema.maxLength + 1)));
    }
    if (schema.minLength) breakers.push(fc.constant(''));
    if (schema.format === 'uuid')
      breakers.push(fc.constantFrom('not-a-uuid', '00000000-0000-0000-0000-00000000000g'));
    if (schema.enum) breakers.push(fc.constant('not-one-of-them'));
    breakers.push(fc.constant('nul\u0000inside'), fc.constant('   '));
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    if (typeof schema.maximum === 'number') breakers.push(fc.constant(schema.maximum + 1));
    if (typeof schema.minimum === 'number') breakers.push(fc.constant(schema.minimum - 1));
    if (schema.type === 'integer') breakers.push(fc.constant(1.5));
    breakers.push(fc.constant('12'), fc.constant(1e308));
  }
  if (schema.type === 'array') {
    const valid = arbitraryFor(schema, context, depth);
    if (typeof schema.maxItems === 'number' && schema.maxItems < 200) {
      const item = schema.items ? arbitraryFor(schema.items, context, depth + 1) : fc.constant(1);
      breakers.push(fc.array(item, { minLength: schema.maxItems + 1, maxLength: schema.maxItems + 1 }));
    }
    if (schema.uniqueItems) {
      breakers.push((valid as fc.Arbitrary<unknown[]>).filter((a) => a.length > 0).map((a) => [...a, a[0]]));
    }
    if (schema.items && depth < 3) {
      breakers.push(fc.array(brokenFor(schema.items, context, depth + 1), { minLength: 1, maxLength: 2 }));
    }
  }
  if (schema.type === 'object' && depth < 4) breakers.push(...objectBreakers(schema, context, depth));
  return fc.oneof(...breakers);
}

function objectBreakers(schema: Schema, context: ArbitraryContext, depth: number): fc.Arbitrary<unknown>[] {
  const valid = arbitraryFor(schema, context, depth) as fc.Arbitrary<Record<string, unknown>>;
  const required: string[] = schema.required ?? [];
  const properties = Object.entries((schema.properties ?? {}) as Record<string, Schema>);
  const breakers: fc.Arbitrary<unknown>[] = [];
  if (required.length > 0) {
    breakers.push(
      fc.tuple(valid, fc.constantFrom(...required)).map(([value, name]) => {
        const { [name]: _left, ...rest } = value;
        return rest;
      }),
    );
  }
  if (schema.additionalProperties === false) {
    breakers.push(valid.map((value) => ({ ...value, unexpectedField: 1 })));
  }
  if (properties.length > 0) {
    breakers.push(
      fc
        .constantFrom(...properties)
        .chain(([name, property]) =>
          fc
            .tuple(valid, brokenFor(property, context, depth + 1))
            .map(([value, broken]) => ({ ...value, [name]: broken })),
        ),
    );
  }
  return breakers;
}
