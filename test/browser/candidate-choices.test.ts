import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { putAnswers } from '../support/matching-factories.ts';
import { expectAccessible, mintSession, screenshot, useBrowser } from './harness.ts';
import { buildMarket, keyboardAnswers, type Market } from './market.ts';

/** The candidate's choices that must survive a reload. */
describe('a candidate’s hidden employers and interest in Chromium', () => {
  const browser = useBrowser();

  async function openApp(market: Market, viewport?: { width: number; height: number }) {
    await putAnswers(market.admin, `/v1/candidates/${market.candidate.id}/answers`, keyboardAnswers);
    const session = await mintSession(browser.service, market.adminKey, { candidateId: market.candidate.id });
    const page = await browser.page(viewport ? { viewport } : {});
    await page.goto(`${browser.service.baseUrl}/app/#session=${session.token}`);
    await expect.poll(() => page.url()).toBe(`${browser.service.baseUrl}/app/`);
    return page;
  }

  const nav = (page: Page, name: string) =>
    page.getByRole('navigation').getByRole('button', { name, exact: true }).click();

  it('names the employers hidden from after a reload, and drops one deleted meanwhile', async () => {
    const market = await buildMarket(browser.service.app);
    const page = await openApp(market);
    await nav(page, 'Matches');
    await page.getByRole('button', { name: 'See why: match 2' }).waitFor();
    await nav(page, 'Privacy');
    await page.getByRole('checkbox', { name: market.employer.name }).check();
    await page.getByRole('checkbox', { name: market.otherEmployer.name }).check();
    await page.getByRole('button', { name: 'Save hidden employers' }).click();
    await page.getByText('Hidden employers saved.').waitFor();
    const deleted = await market.admin.delete(`/v1/employers/${market.otherEmployer.id}`);
    expect(deleted.statusCode, deleted.body).toBe(204);

    // A new page load knows no match of either employer: only the API can name them.
    await page.reload();
    await nav(page, 'Privacy');
    const group = page.getByRole('group', { name: 'Hide me from these employers' });
    await group.getByRole('checkbox').first().waitFor();
    expect(await group.getByRole('checkbox').count()).toBe(1);
    expect((await group.innerText()).trim()).toBe(`Hide me from these employers\n${market.employer.name}`);
    expect(await group.getByRole('checkbox', { name: market.employer.name }).isChecked()).toBe(true);
    await expectAccessible(page, 'privacy after a reload');
    await screenshot(page, 'privacy-hidden-after-reload');

    await page.getByRole('button', { name: 'Save hidden employers' }).click();
    await page.getByText('Hidden employers saved.').waitFor();
    const stored = (await market.admin.get(`/v1/candidates/${market.candidate.id}`)).json().candidate;
    expect(stored.hiddenFromEmployerIds).toEqual([market.employer.id]);
  });
});
