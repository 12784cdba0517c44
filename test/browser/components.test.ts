import { describe, expect, it } from 'vitest';
import { putAnswers } from '../support/matching-factories.ts';
import { expectAccessible, mintSession, screenshot, useBrowser } from './harness.ts';
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
<mutualfit-insights></mutualfit-insights>
</main><script type="module" src="/host.js"></script></body></html>`;
const hostStyles =
  'mutualfit-matches, mutualfit-introduction, mutualfit-insights { --mutualfit-accent: rgb(0, 90, 40); }';
const hostScript = `const params = new URLSearchParams(location.hash.slice(1));
const api = params.get('api');
window.hostEvents = [];
for (const type of ['mutualfit-matches-loaded', 'mutualfit-match-selected', 'mutualfit-interest',
  'mutualfit-insights-loaded', 'mutualfit-insights-preview', 'mutualfit-error', 'mutualfit-session-expired']) {
  document.addEventListener(type, (event) => window.hostEvents.push({ type, detail: event.detail }));
}
await import(api + '/components/mutualfit.js');
const matches = document.querySelector('mutualfit-matches');
const introduction = document.querySelector('mutualfit-introduction');
const insights = document.querySelector('mutualfit-insights');
for (const element of [matches, introduction, insights]) {
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

  async function embed(expectedConsoleErrors: RegExp[] = [], answered = true) {
    const market = await buildMarket(browser.service.app);
    const allowed = await market.admin.patch(`/v1/workspaces/${market.workspace.id}`, {
      allowedOrigins: [site.origin],
    });
    expect(allowed.statusCode, allowed.body).toBe(200);
    if (answered)
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

  it('shows the insights with the documented events and the host’s theme; a preview stores nothing', async () => {
    const { market, page, fragment, events } = await embed();
    await page.goto(`${site.origin}/#${fragment}`);
    const path = `/v1/candidates/${market.candidate.id}/insights`;
    const { insights } = (await market.admin.get(path)).json();
    await expect
      .poll(async () => (await events()).find((event) => event.type === 'mutualfit-insights-loaded'))
      .toMatchObject({
        detail: {
          side: 'candidate',
          subjectId: market.candidate.id,
          others: insights.others,
          acceptable: insights.acceptable,
        },
      });
    const panel = page.locator('mutualfit-insights');
    await panel.getByRole('spinbutton', { name: /a job must meet/ }).fill('90');
    const preview = panel.getByRole('button', { name: 'Preview' });
    const background = await preview.evaluate(
      (element) =>
        (
          globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
        ).getComputedStyle(element).backgroundColor,
    );
    expect(background).toBe('rgb(0, 90, 40)');
    await preview.click();
    const whatIf = (await market.admin.post(path, { answers: {}, minScore: 0.9 })).json().insights;
    await expect
      .poll(async () => (await events()).find((event) => event.type === 'mutualfit-insights-preview'))
      .toMatchObject({ detail: { minScore: 0.9, others: whatIf.others, acceptable: whatIf.acceptable } });
    await expectAccessible(page, 'partner page with insights and a preview');
    expect((await market.admin.get(path)).json().insights).toEqual(insights);
    expect((await market.admin.get(`/v1/candidates/${market.candidate.id}`)).json().candidate.minScore).toBe(
      0.5,
    );
    expect((await events()).filter((event) => event.type === 'mutualfit-error')).toEqual([]);
  });

  it('says a candidate without answers has not answered yet (409 no_answers), not that it has no matches, and reports no error', async () => {
    const { market, page, fragment, events } = await embed([], false);
    await page.goto(`${site.origin}/#${fragment}`);
    const matches = page.locator('mutualfit-matches');
    await matches
      .getByText('You have not answered the questionnaire yet, so there are no matches to show.')
      .waitFor();
    await page.locator('mutualfit-insights').getByText('Answer the questionnaire first').waitFor();
    expect(await matches.getByText('No matches yet').count()).toBe(0);
    expect(await matches.getByRole('alert').textContent()).toBe('');
    await expectAccessible(page, 'partner page before any answer');
    await screenshot(page, 'matches-no-answers');
    const types = (await events()).map((event) => event.type);
    expect(types).not.toContain('mutualfit-error');
    expect(types).not.toContain('mutualfit-matches-loaded');
    const listing = await market.admin.get(`/v1/candidates/${market.candidate.id}/matches`);
    expect(listing.statusCode, listing.body).toBe(409);
    expect(listing.json().code).toBe('no_answers');
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
