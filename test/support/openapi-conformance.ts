// ajv and ajv-formats are not direct dependencies: they come with fastify and
// @seriousme/openapi-schema-validator (a dev dependency), which is enough for a test.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Schema } from './schema-arbitrary.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

/** Headers the service sends on every answer of a documented response that lists them. */
const ALWAYS_SENT = new Set([
  'x-request-id',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'retry-after',
]);

export interface Operation {
  method: string;
  path: string;
  operation: Schema;
}

/** Every operation of the document. */
export function operationsOf(document: Schema): Operation[] {
  return Object.entries(document.paths as Record<string, Record<string, Schema>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );
}

/**
 * Checks an answer against what the document says of its operation: the status is documented,
 * the media type is the documented one, the headers it lists are there and the body matches.
 * Returns what is wrong, or undefined.
 */
export function createConformance(document: Schema) {
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv);
  for (const [name, schema] of Object.entries(document.components.schemas as Record<string, Schema>)) {
    ajv.addSchema(rewriteRefs(schema), `${SCHEMAS}${name}`);
  }
  const resolve = <T extends Schema>(node: T): T =>
    typeof node.$ref === 'string' ? resolve(pointer(document, node.$ref) as T) : node;
  const compiled = new Map<Schema, ReturnType<typeof ajv.compile>>();
  const validatorOf = (schema: Schema) => {
    let validate = compiled.get(schema);
    if (!validate) {
      validate = ajv.compile(rewriteRefs(schema));
      compiled.set(schema, validate);
    }
    return validate;
  };

  return (operation: Schema, status: number, headers: Headers, body: string): string | undefined => {
    const documented = operation.responses?.[String(status)];
    if (!documented) return `status ${status} is not documented`;
    const response = resolve(documented);
    for (const name of Object.keys(response.headers ?? {})) {
      if (ALWAYS_SENT.has(name.toLowerCase()) && !headers.has(name)) return `header ${name} is missing`;
    }
    const content = response.content as Record<string, { schema: Schema }> | undefined;
    if (!content) return body === '' ? undefined : `a body where none is documented: ${body.slice(0, 200)}`;
    const mediaType = (headers.get('content-type') ?? '').split(';')[0]!.trim();
    const entry = content[mediaType];
    if (!entry) return `media type ${mediaType || '(none)'} is not one of ${Object.keys(content).join(', ')}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return `the body is not JSON: ${body.slice(0, 200)}`;
    }
    const validate = validatorOf(entry.schema);
    if (validate(parsed)) return undefined;
    return `the body does not match its schema: ${ajv.errorsText(validate.errors)}`;
  };
}

const SCHEMAS = 'https://mutualfit.test/schemas/';

/** `#/components/schemas/X` refs, made to point at the component added under its own id. */
function rewriteRefs(schema: Schema): Schema {
  return JSON.parse(JSON.stringify(schema), (key, value) =>
    key === '$ref' && typeof value === 'string' ? value.replace('#/components/schemas/', SCHEMAS) : value,
  );
}

function pointer(document: Schema, ref: string): Schema {
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((node: Schema, part) => node[part], document);
}
