import { describe, expect, it } from 'vitest';
import { expectAccessible, launchChromium, useBrowser } from './harness.ts';
import { usePartnerSite } from './partner-site.ts';

/** The harness's own checks: each kind of trouble it watches for is caught, and axe findings fail. */
const troubled = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="script-src 'self'">
<title>Troubled page</title></head>
<body><main><h1>Troubled page</h1><img alt="" src="http://example.com/pixel.png"></main>
<script>document.title = 'inline script ran';</script>
<script src="/troubled.js"></script></body></html>`;
const troubledScript = `console.error('something broke');
setTimeout(() => { throw new Error('nobody caught this'); });`;
const inaccessible = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Form</title></head>
<body><main><h1>Form</h1><input type="text"></main></body></html>`;

describe('the browser harness', () => {
  const browser = useBrowser();
  const site = usePartnerSite({ '/': troubled, '/troubled.js': troubledScript, '/form': inaccessible });

  it('catches a CSP violation, a console error, an uncaught exception and a request off loopback', async () => {
    const page = await browser.page();
    await page.goto(`${site.origin}/`);
    const seen: string[] = [];
    const kinds = ['CSP violation', 'console error', 'uncaught exception', 'request off loopback'];
    await expect
      .poll(() => {
        seen.push(...browser.takeTroubles());
        return kinds.filter((kind) => !seen.some((trouble) => trouble.startsWith(`${kind}:`)));
      })
      .toEqual([]);
    expect(seen).toContainEqual(
      expect.stringMatching(/^request off loopback: http:\/\/example\.com\/pixel\.png/),
    );
    expect(seen).toContainEqual(expect.stringMatching(/^console error: something broke/));
    expect(seen).toContainEqual(expect.stringMatching(/^uncaught exception: Error: nobody caught this/));
    expect(await page.title()).toBe('Troubled page');
  });

  it('fails on axe findings and names the rule', async () => {
    const page = await browser.page();
    await page.goto(`${site.origin}/form`);
    await expect(expectAccessible(page, 'form')).rejects.toThrow(/label/);
  });

  it('fails with what to do, rather than skipping, when Chromium is missing', async () => {
    await expect(launchChromium('/nowhere/chromium')).rejects.toThrow(
      /not found at \/nowhere\/chromium.*apt-get install chromium.*CHROMIUM_PATH/,
    );
  });
});
