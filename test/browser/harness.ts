import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { buildWeb, isStale } from '../../scripts/build-web.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { caller } from '../support/factories.ts';

/**
 * Real-browser tests: the real service listening on a loopback port, driven by Debian's Chromium
 * through playwright-core. Every page is watched: a console error, an uncaught exception, a CSP
 * violation or a request to a host that is not loopback fails the test.
 */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** The viewport of every screenshot, so they compare from one commit to the next. */
export const VIEWPORT = { width: 1024, height: 768 };
const SCREENSHOTS_DIR = 'docs/screenshots';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const answeredWithStatus = /^Failed to load resource: the server responded with a status of 4\d\d\b/;

export interface Service extends TestApp {
  /** http://127.0.0.1:<port>, no trailing slash. */
  baseUrl: string;
}

/** The service as `npm start` runs it (same app, a real socket), on a fresh test database. */
export async function startService(env: Record<string, string> = {}): Promise<Service> {
  const built = await createTestApp({ env });
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  const address = built.app.server.address();
  if (!address || typeof address === 'string') throw new Error('the service has no TCP address');
  return { ...built, baseUrl: `http://127.0.0.1:${address.port}` };
}

export interface PageOptions {
  /** Console errors this test causes on purpose (a fetch the browser blocks, say). */
  expectedConsoleErrors?: RegExp[];
  viewport?: { width: number; height: number };
}

/** What went wrong on a page that the page itself would not show. */
interface Trouble {
  kind: 'console error' | 'uncaught exception' | 'CSP violation' | 'request off loopback' | 'server error';
  text: string;
}

export interface BrowserHarness {
  service: Service;
  /** A new page in a fresh browser context (no cookies, storage or cache shared with another test). */
  page(options?: PageOptions): Promise<Page>;
  /** Returns what went wrong on this test's pages so far and forgets it (the harness's own tests). */
  takeTroubles(): string[];
}

/**
 * The service and one Chromium for the enclosing describe block; a fresh context per page, closed
 * after each test, which then fails if anything went wrong on its pages. Playwright's launch gives
 * Chromium a fresh temporary user-data dir and deletes it on close.
 */
export function useBrowser(env: Record<string, string> = {}): BrowserHarness {
  let service: Service | undefined;
  let browser: Browser | undefined;
  let open: { context: BrowserContext; troubles: Trouble[] }[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    // The pages under test are built from web/ as npm start builds them, so a test sees the sources.
    if (isStale()) await buildWeb();
    service = await startService(env);
  });
  afterEach(async () => {
    const closing = open;
    open = [];
    await Promise.all(closing.map(({ context }) => context.close()));
    const troubles = describeTroubles(closing);
    if (troubles.length > 0) throw new Error(`the test's pages went wrong:\n${troubles.join('\n')}`);
  });
  afterAll(async () => {
    await browser?.close();
    await service?.close();
  });

  return {
    get service() {
      if (!service) throw new Error('the service starts in beforeAll');
      return service;
    },
    async page(options = {}) {
      if (!browser) throw new Error('the browser starts in beforeAll');
      const context = await browser.newContext({ viewport: options.viewport ?? VIEWPORT, locale: 'en-GB' });
      // Playwright's 30 s default for a locator wait is short for a loaded 2-core machine.
      context.setDefaultTimeout(90_000);
      const troubles: Trouble[] = [];
      open.push({ context, troubles });
      await watch(context, troubles, options.expectedConsoleErrors ?? []);
      return context.newPage();
    },
    takeTroubles() {
      const described = describeTroubles(open);
      for (const { troubles } of open) troubles.length = 0;
      return described;
    },
  };
}

function describeTroubles(pages: { troubles: Trouble[] }[]): string[] {
  return pages.flatMap(({ troubles }) => troubles.map((t) => `${t.kind}: ${t.text}`));
}

export async function launchChromium(executablePath = CHROMIUM_PATH): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium was not found at ${executablePath}. The browser tests drive Debian's chromium package: ` +
        'install it (apt-get install chromium; bash .ci/run does) or point CHROMIUM_PATH at a Chromium binary. ' +
        'Never download a browser build for them.',
    );
  }
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

async function watch(context: BrowserContext, troubles: Trouble[], expected: RegExp[]): Promise<void> {
  // Blocked, not just reported: nothing may leave the machine, even when a test fails.
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (LOOPBACK.has(url.hostname)) return route.continue();
    troubles.push({ kind: 'request off loopback', text: url.href });
    return route.abort('blockedbyclient');
  });
  await context.exposeBinding('__mutualfitCspViolation', (_source, text: string) => {
    troubles.push({ kind: 'CSP violation', text });
  });
  // A string, as it runs in the page (this project's TypeScript has no DOM types).
  await context.addInitScript(`document.addEventListener('securitypolicyviolation', (event) =>
    window.__mutualfitCspViolation(
      event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline code') + ' in ' + event.sourceFile,
    ),
  );`);
  context.on('console', (message) => {
    // Chromium logs every 4xx answer as an error; an app may expect one (a 404 for "none yet",
    // a 401 for an ended session). 5xx answers fail the test below instead.
    if (message.type() !== 'error' || answeredWithStatus.test(message.text())) return;
    const text = `${message.text()} (${message.location().url})`;
    if (!expected.some((pattern) => pattern.test(text))) troubles.push({ kind: 'console error', text });
  });
  context.on('response', (response) => {
    if (response.status() >= 500)
      troubles.push({ kind: 'server error', text: `${response.status()} ${response.url()}` });
  });
  context.on('weberror', (error) => {
    troubles.push({ kind: 'uncaught exception', text: error.error().stack ?? error.error().message });
  });
}

/** axe-core with the WCAG 2.2 AA rules on what the page shows now; 0 violations expected. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'])
    .analyze();
  const readable = results.violations.map((violation) =>
    [
      `${violation.id} (${violation.impact}): ${violation.help}`,
      `  ${violation.helpUrl}`,
      ...violation.nodes.map(
        (node) => `  - ${node.target.join(' ')}\n    ${node.failureSummary?.replaceAll('\n', '\n    ')}`,
      ),
    ].join('\n'),
  );
  if (readable.length > 0) {
    throw new Error(
      `axe found ${readable.length} violation(s) on the ${screen} screen:\n${readable.join('\n')}`,
    );
  }
  expect(results.passes.length, `axe checked something on the ${screen} screen`).toBeGreaterThan(0);
}

/**
 * docs/screenshots/<screen>.png at the fixed viewport, written only with UPDATE_SCREENSHOTS=1 (a
 * normal run leaves the committed images alone).
 */
export async function screenshot(page: Page, screen: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  const path = join(SCREENSHOTS_DIR, `${screen}.png`);
  await mkdir(dirname(path), { recursive: true });
  await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
}

/** The page scrolls sideways when its content is wider than the viewport (WCAG 1.4.10 reflow). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}

export interface BrowserSession {
  id: string;
  token: string;
  expiresAt: string;
}

/** POST /v1/sessions as a partner's backend does, for a candidate or an employer. */
export async function mintSession(
  service: Pick<Service, 'app'>,
  adminKey: string,
  body: { candidateId: string; ttlSeconds?: number } | { employerId: string; ttlSeconds?: number },
): Promise<BrowserSession> {
  const response = await caller(service.app, adminKey).post('/v1/sessions', body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json().session as BrowserSession;
}
