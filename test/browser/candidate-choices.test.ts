import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { putAnswers } from '../support/matching-factories.ts';
import { expectAccessible, horizontalOverflow, mintSession, screenshot, useBrowser } from './harness.ts';
import { chooseOption, focused, press, tabTo } from './keyboard.ts';
import { buildMarket, keyboardAnswers, listedMatches, type Market } from './market.ts';

/** The candidate's choices that must survive a reload and a slow double click. */
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

  const introduction = async (market: Market) =>
    (await market.admin.get(`/v1/jobs/${market.job.id}/introductions/${market.candidate.id}`)).json()
      .introduction;

  async function openJob(page: Page, market: Market) {
    const rank = (await listedMatches(market)).findIndex((match) => match.jobId === market.job.id) + 1;
    await nav(page, 'Matches');
    await page.getByRole('button', { name: `See why: match ${rank}` }).click();
    await page.getByText('You have not said anything about this job yet.').waitFor();
  }

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

  it('saves the hidden employers that still exist when one is deleted while the page is open, and says so', async () => {
    const market = await buildMarket(browser.service.app);
    const page = await openApp(market);
    await nav(page, 'Matches');
    await page.getByRole('button', { name: 'See why: match 2' }).waitFor();
    await nav(page, 'Privacy');
    const group = page.getByRole('group', { name: 'Hide me from these employers' });
    await group.getByRole('checkbox', { name: market.employer.name }).check();
    await group.getByRole('checkbox', { name: market.otherEmployer.name }).check();
    const deleted = await market.admin.delete(`/v1/employers/${market.otherEmployer.id}`);
    expect(deleted.statusCode, deleted.body).toBe(204);

    await page.getByRole('button', { name: 'Save hidden employers' }).click();
    await page
      .getByRole('status')
      .getByText(
        `Hidden employers saved. No longer listed, so taken off the list: ${market.otherEmployer.name}. ` +
          'Your choice is saved for the other employers.',
      )
      .waitFor();
    expect(await page.getByRole('alert').innerText()).toBe('');
    expect((await group.innerText()).trim()).toBe(`Hide me from these employers\n${market.employer.name}`);
    expect(await group.getByRole('checkbox', { name: market.employer.name }).isChecked()).toBe(true);
    const stored = (await market.admin.get(`/v1/candidates/${market.candidate.id}`)).json().candidate;
    expect(stored.hiddenFromEmployerIds).toEqual([market.employer.id]);
    await expectAccessible(page, 'privacy after an employer was deleted');
    await screenshot(page, 'privacy-employer-gone');

    // The list stays without it: the page's employers were refreshed, not only filtered once.
    await nav(page, 'Matches');
    await nav(page, 'Privacy');
    await group.getByRole('checkbox').first().waitFor();
    expect((await group.innerText()).trim()).toBe(`Hide me from these employers\n${market.employer.name}`);
  });

  it('keeps the interest on a slow double click of “I am interested”; withdrawing takes a confirmation', async () => {
    const market = await buildMarket(browser.service.app);
    const page = await openApp(market);
    await openJob(page, market);
    const interested = page.getByRole('button', { name: 'I am interested' });
    const box = (await interested.boundingBox())!;
    const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
    await page.mouse.click(x, y);
    await page.getByText('You said you are interested. Waiting for the employer.').waitFor();
    // The second click of a slow double click, after the first one was answered.
    await page.mouse.click(x, y);
    const withdrawTitle = 'Withdraw your interest in this job?';
    const dialog = page.getByRole('dialog', { name: withdrawTitle });
    if (await dialog.isVisible()) await page.keyboard.press('Escape');
    expect(await introduction(market)).toMatchObject({
      status: 'pending',
      candidate: { state: 'interested' },
    });

    const withdraw = page.getByRole('button', { name: 'Withdraw my interest' });
    await withdraw.click();
    await dialog.waitFor();
    await expect.poll(() => focused(dialog.getByRole('button', { name: 'Keep my interest' }))).toBe(true);
    await expectAccessible(page, 'withdrawal confirmation');
    await screenshot(page, 'withdraw-confirmation');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => focused(withdraw)).toBe(true);
    expect((await introduction(market)).status).toBe('pending');

    // With the keyboard alone: open, Tab to "Yes", confirm; the focus lands on the new state.
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await press(page, dialog.getByRole('button', { name: 'Yes, withdraw' }));
    const status = page.getByRole('status').filter({ hasText: 'This introduction was withdrawn.' });
    await status.waitFor();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => focused(status)).toBe(true);
    expect((await introduction(market)).status).toBe('withdrawn');
    await tabTo(page, page.getByRole('button', { name: 'I am interested' }));
  });

  it('asks before withdrawing in Dutch and French, and reflows at 320 px', async () => {
    const market = await buildMarket(browser.service.app);
    const page = await openApp(market, { width: 320, height: 720 });
    await openJob(page, market);
    await page.getByRole('button', { name: 'I am interested' }).click();
    await page.getByRole('button', { name: 'Withdraw my interest' }).waitFor();
    for (const [option, withdraw, title, keep] of [
      [
        'Nederlands',
        'Mijn interesse intrekken',
        'Je interesse in deze job intrekken?',
        'Mijn interesse behouden',
      ],
      ['Français', 'Retirer mon intérêt', 'Retirer votre intérêt pour cet emploi ?', 'Garder mon intérêt'],
    ] as const) {
      await chooseOption(page, page.locator('#language'), option);
      await page.getByRole('button', { name: withdraw }).click();
      const dialog = page.getByRole('dialog', { name: title });
      await dialog.waitFor();
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await expectAccessible(page, `withdrawal confirmation in ${option} at 320 px`);
      if (option === 'Nederlands') await screenshot(page, 'withdraw-confirmation-nl-320px');
      await dialog.getByRole('button', { name: keep }).click();
      await dialog.waitFor({ state: 'hidden' });
    }
    expect((await introduction(market)).status).toBe('pending');
  });
});
