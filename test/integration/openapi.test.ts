import { readFile } from 'node:fs/promises';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateOpenApiYaml } from '../../src/openapi.ts';
import { loadQuestionnaires } from '../../src/questionnaires/loader.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

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

  it('serves the docs page without a key', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
  });
});
