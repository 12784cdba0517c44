import { describe, expect, it } from 'vitest';
import { expectAccessible, mintSession, screenshot, useBrowser } from './harness.ts';
import { chooseOption } from './keyboard.ts';
import { buildMarket } from './market.ts';

/** Requests a session token may send per window here: enough to open the app, few enough to spend. */
const RATE_LIMIT_MAX = 40;

describe('the reference app when the API refuses for a while, in Chromium', () => {
  const browser = useBrowser({ RATE_LIMIT_MAX: String(RATE_LIMIT_MAX) });

  it('tells a French candidate who sent too many requests how long to wait, in French, not the API’s English detail', async () => {
    const market = await buildMarket(browser.service.app);
    const session = await mintSession(browser.service, market.adminKey, { candidateId: market.candidate.id });
    const page = await browser.page();
    await page.goto(`${browser.service.baseUrl}/app/#session=${session.token}`);
    await chooseOption(page, page.locator('#language'), 'Français');
    await page.getByRole('group', { name: 'Quel contrat cherchez-vous ?' }).waitFor();

    // The rest of the window's allowance, spent as another tab of the same session would.
    let status = 0;
    for (let sent = 0; sent <= RATE_LIMIT_MAX && status !== 429; sent++) {
      const answer = await page.request.get(`${browser.service.baseUrl}/v1/sessions/current`, {
        headers: { authorization: `Bearer ${session.token}` },
      });
      status = answer.status();
    }
    expect(status).toBe(429);

    await page.getByRole('navigation').getByRole('button', { name: 'Correspondances', exact: true }).click();
    const waitInFrench = /^Trop de demandes en peu de temps\. Réessayez dans \d+ secondes\.$/;
    const alert = page.getByRole('alert').filter({ hasText: 'Trop de demandes' });
    await expect.poll(async () => (await alert.textContent())?.trim()).toMatch(waitInFrench);

    await page.reload();
    await page.getByRole('heading', { level: 2, name: 'Une erreur s’est produite' }).waitFor();
    const failed = page.getByRole('alert');
    await expect
      .poll(async () => (await failed.textContent()) ?? '')
      .toMatch(/Réessayez dans \d+ secondes\./);
    expect(await failed.textContent()).not.toMatch(/Rate limit|Retry-After/);
    await page.getByRole('button', { name: 'Réessayer' }).waitFor();
    await expectAccessible(page, 'too many requests, in French');
    await screenshot(page, 'rate-limited-fr');
  });
});
