import { describe, expect, it } from 'vitest';
import { putAnswers } from '../support/matching-factories.ts';
import { expectAccessible, mintSession, useBrowser } from './harness.ts';
import { buildMarket, keyboardAnswers, listedMatches } from './market.ts';
import { usePartnerSite } from './partner-site.ts';

/**
 * A partner's page on its own origin embedding the components from the service's bundle, as the
 * README tells a job board to: it sets `api-base` and the `session` property, themes them with a
 * custom property, and records every documented event in `window.hostEvents`.
 */
const hostPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Partner job board</title>
<link rel="stylesheet" href="/host.css"></head>
<body><main><h1>Jobs for you</h1>
<mutualfit-matches></mutualfit-matches>
<mutualfit-introduction></mutualfit-introduction>
</main><script type="module" src="/host.js"></script></body></html>`;
const hostStyles = 'mutualfit-matches, mutualfit-introduction { --mutualfit-accent: rgb(0, 90, 40); }';
const hostScript = `const params = new URLSearchParams(location.hash.slice(1));
const api = params.get('api');
window.hostEvents = [];
for (const type of ['mutualfit-matches-loaded', 'mutualfit-match-selected', 'mutualfit-interest',
  'mutualfit-error', 'mutualfit-session-expired']) {
  document.addEventListener(type, (event) => window.hostEvents.push({ type, detail: event.detail }));
}
await import(api + '/components/mutualfit.js');
const matches = document.querySelector('mutualfit-matches');
const introduction = document.querySelector('mutualfit-introduction');
for (const element of [matches, introduction]) {
  element.setAttribute('api-base', api);
  element.session = params.get('token');
}
matches.addEventListener('mutualfit-match-selected', (event) => {
  introduction.setAttribute('job-id', event.detail.jobId);
});`;

interface HostEvent {
  type: string;
  detail: Record<string, unknown>;
}

describe('the web components on a partner’s page in Chromium', () => {
  const browser = useBrowser();
  const site = usePartnerSite({ '/': hostPage, '/host.js': hostScript, '/host.css': hostStyles });

  async function embed(expectedConsoleErrors: RegExp[] = []) {
    const market = await buildMarket(browser.service.app);
    const allowed = await market.admin.patch(`/v1/workspaces/${market.workspace.id}`, {
      allowedOrigins: [site.origin],
    });
    expect(allowed.statusCode, allowed.body).toBe(200);
    await putAnswers(market.admin, `/v1/candidates/${market.candidate.id}/answers`, keyboardAnswers);
    const session = await mintSession(browser.service, market.adminKey, { candidateId: market.candidate.id });
    const page = await browser.page({ expectedConsoleErrors });
    const fragment = new URLSearchParams({ api: browser.service.baseUrl, token: session.token });
    const events = async () => page.evaluate<HostEvent[]>('window.hostEvents ?? []');
    return { market, session, page, fragment, events };
  }

  it('loads from the service’s origin, sends the documented events, and takes the host’s theme', async () => {
    const { market, page, fragment, events } = await embed();
    await page.goto(`${site.origin}/#${fragment}`);
    const listed = await listedMatches(market);
    await expect
      .poll(async () => (await events()).find((event) => event.type === 'mutualfit-matches-loaded'))
      .toMatchObject({ detail: { matches: listed.map((match) => expect.objectContaining(match)) } });
    await expectAccessible(page, 'partner page with components');

    const button = page.getByRole('button', { name: 'See why: match 1' });
    await button.click();
    await expect
      .poll(async () => (await events()).find((event) => event.type === 'mutualfit-match-selected'))
      .toMatchObject({ detail: { jobId: listed[0]!.jobId, rank: 1 } });

    const interested = page.getByRole('button', { name: 'I am interested' });
    const background = await interested.evaluate(
      (element) =>
        (
          globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
        ).getComputedStyle(element).backgroundColor,
    );
    expect(background).toBe('rgb(0, 90, 40)');
    await interested.click();
    await expect
      .poll(async () => (await events()).find((event) => event.type === 'mutualfit-interest'))
      .toMatchObject({ detail: { jobId: listed[0]!.jobId, action: 'interested', status: 'pending' } });
    expect((await events()).filter((event) => event.type === 'mutualfit-error')).toEqual([]);
  });

  it('tells the host page when the session has ended', async () => {
    const { market, session, page, fragment, events } = await embed([
      /Failed to load resource: the server responded with a status of 401/,
    ]);
    expect((await market.admin.delete(`/v1/sessions/${session.id}`)).statusCode).toBe(204);
    await page.goto(`${site.origin}/#${fragment}`);
    await expect
      .poll(async () => (await events()).map((event) => event.type))
      .toContain('mutualfit-session-expired');
  });
});
