import { readFile } from 'node:fs/promises';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateOpenApiYaml } from '../../src/openapi.ts';
import { loadQuestionnaires } from '../../src/questionnaires/loader.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import type { Schema } from '../support/schema-arbitrary.ts';

describe('OpenAPI document', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ kind: 'pglite' });
  });
  afterAll(() => t.close());

  it('committed openapi.yaml equals the document generated from the route schemas (run `npm run openapi`)', async () => {
    const committed = await readFile('openapi.yaml', 'utf8');
    const generated = await generateOpenApiYaml(await loadQuestionnaires('questionnaires'));
    expect(committed).toBe(generated);
  });

  it('carries the version of package.json, committed and served', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8'));
    expect(parse(await readFile('openapi.yaml', 'utf8')).info.version).toBe(version);
    const served = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(served.json().info.version).toBe(version);
  });

  it('lists its named schemas in name order, whatever order the modules load in', async () => {
    const names = Object.keys(parse(await readFile('openapi.yaml', 'utf8')).components.schemas);
    expect(names).toEqual([...names].sort());
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(parse(await readFile('openapi.yaml', 'utf8')));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('is what the running service serves at /openapi.json', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const committed = parse(await readFile('openapi.yaml', 'utf8'));
    expect(response.json().paths).toEqual(committed.paths);
    expect(response.json().components).toEqual(committed.components);
  });

  it('documents the shared errors as problem+json on every operation, by whether it needs a key and takes a body', async () => {
    const document = parse(await readFile('openapi.yaml', 'utf8'));
    const response = (ref: { $ref?: string }) =>
      ref.$ref ? document.components.responses[ref.$ref.split('/').at(-1)!] : ref;
    for (const [path, item] of Object.entries<Record<string, Schema>>(document.paths)) {
      for (const [method, operation] of Object.entries<Schema>(item)) {
        const where = `${method} ${path}`;
        const statuses = Object.keys(operation.responses);
        const probe = path === '/healthz' || path === '/readyz';
        if (!probe)
          expect(statuses, where).toEqual(expect.arrayContaining(['401', '404', '429', '500', '503']));
        if (operation.requestBody)
          expect(statuses, where).toEqual(expect.arrayContaining(['400', '413', '415']));
        for (const status of statuses.filter((s) => Number(s) >= 400)) {
          const content = response(operation.responses[status]).content;
          expect(Object.keys(content), `${where} ${status}`).toEqual(['application/problem+json']);
          // A problem, or a problem with more fields (a 409 for a duplicate externalId names the existing record).
          expect(content['application/problem+json'].schema.$ref).toMatch(
            /^#\/components\/schemas\/(Problem|ExternalIdConflict)$/,
          );
        }
        if (!probe) {
          const tooMany = response(operation.responses['429']);
          expect(Object.keys(tooMany.headers)).toEqual(
            expect.arrayContaining([
              'Retry-After',
              'RateLimit-Limit',
              'RateLimit-Remaining',
              'RateLimit-Reset',
            ]),
          );
        }
      }
    }
    expect(Object.keys(document.paths['/v1/candidates:bulk'].post.requestBody.content)).toContain(
      'application/x-ndjson',
    );
  });

  it('serves the docs page without a key', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
  });
});
