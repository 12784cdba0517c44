import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWeb, isStale } from '../../scripts/build-web.ts';
import { webContentSecurityPolicy } from '../../src/http/web-assets.ts';
import { useTestApp } from '../support/app.ts';
import { expectProblem } from '../support/factories.ts';

describe('the partner frontend served by the service', () => {
  beforeAll(async () => {
    if (isStale()) await buildWeb();
  });
  const t = useTestApp({ kind: 'pglite' });
  const get = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers });

  it.each([
    ['/components/mutualfit.js', 'text/javascript; charset=utf-8'],
    ['/components/mutualfit.js.map', 'application/json; charset=utf-8'],
    ['/app/', 'text/html; charset=utf-8'],
    ['/app', 'text/html; charset=utf-8'],
    ['/app/app.js', 'text/javascript; charset=utf-8'],
    ['/app/app.js.map', 'application/json; charset=utf-8'],
    ['/app/app.css', 'text/css; charset=utf-8'],
  ])('serves %s as %s without a key, under the strict CSP', async (url, type) => {
    const response = await get(url);
    expect(response.statusCode, response.body.slice(0, 200)).toBe(200);
    expect(response.headers['content-type']).toBe(type);
    expect(response.headers['content-security-policy']).toBe(webContentSecurityPolicy);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
  });

  it('serves the page with no inline script or style, loading only its own files', async () => {
    const page = (await get('/app/')).body;
    expect(page).toBe(await readFile('web/app/index.html', 'utf8'));
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    for (const [, url] of page.matchAll(/(?:src|href)="([^"]+)"/g)) expect(url).toMatch(/^(\/app\/|data:)/);
  });

  it('bundles without eval and with a source map', async () => {
    for (const url of ['/components/mutualfit.js', '/app/app.js']) {
      const body = (await get(url)).body;
      expect(body).not.toMatch(/\beval\(|new Function\(/);
      expect(body).toContain(`sourceMappingURL=${url.split('/').at(-1)}.map`);
    }
  });

  it('answers 304 to a matching If-None-Match and the full file to a stale one', async () => {
    const first = await get('/components/mutualfit.js');
    const etag = String(first.headers.etag);
    const again = await get('/components/mutualfit.js', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect((await get('/components/mutualfit.js', { 'if-none-match': '"other"' })).statusCode).toBe(200);
  });

  it('lets a partner on another origin load the components bundle, but not frame the app', async () => {
    const bundle = await get('/components/mutualfit.js', { origin: 'https://jobs.partner.example' });
    expect(bundle.headers['access-control-allow-origin']).toBe('*');
    expect(bundle.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(bundle.headers['access-control-allow-credentials']).toBeUndefined();
    const page = await get('/app/', { origin: 'https://jobs.partner.example' });
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
    expect(page.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('keeps the API’s own policy on API routes', async () => {
    const health = await get('/healthz');
    expect(health.headers['content-security-policy']).not.toBe(webContentSecurityPolicy);
  });

  it.each([
    '/app/index.html',
    '/app/missing.js',
    '/components/',
    '/components/app.js',
    '/components/mutualfit.ts',
    '/app/../package.json',
    '/app/..%2f..%2fpackage.json',
    '/components/..%2F..%2Fsrc%2Fapp.ts',
    '/app/%2e%2e/%2e%2e/package.json',
    '/web/dist/app.js',
  ])('answers 404 problem+json for %s and never a file outside the list', async (url) => {
    const response = await get(url);
    expectProblem(response, 404, 'route_not_found');
    expect(response.body).not.toContain('"dependencies"');
    expect(response.body).not.toContain('buildApp');
  });
});
