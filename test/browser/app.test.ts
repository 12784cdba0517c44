import { readFile } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { sessions } from '../../src/db/schema.ts';
import { caller, createEmployer, createJob, expectProblem, mintKey } from '../support/factories.ts';
import { jobAnswers, putAnswers } from '../support/matching-factories.ts';
import { expectAccessible, horizontalOverflow, mintSession, screenshot, useBrowser } from './harness.ts';
import { chooseOption, focused, pickRadio, press, tabTo, tick, typeInto } from './keyboard.ts';
import { buildMarket, keyboardAnswers, listedMatches, type Market, sortedAnswers } from './market.ts';

const percent = (value: number) => `${Math.round(value * 100)}%`;

describe('the reference candidate app at /app/ in Chromium', () => {
  const browser = useBrowser();

  /** Opens the app as a partner's link does; resolves once the token has left the address bar. */
  async function openApp(market: Market, options: Parameters<typeof browser.page>[0] = {}) {
    const { baseUrl } = browser.service;
    const session = await mintSession(browser.service, market.adminKey, { candidateId: market.candidate.id });
    const page = await browser.page(options);
    const requests: { url: string; authorization: string | undefined }[] = [];
    page.on('request', (request) =>
      requests.push({ url: request.url(), authorization: request.headers().authorization }),
    );
    await page.goto(`${baseUrl}/app/#session=${session.token}`);
    await expect.poll(() => page.url()).toBe(`${baseUrl}/app/`);
    return { page, session, requests };
  }

  const nav = (page: Page, name: string) =>
    page.getByRole('navigation').getByRole('button', { name, exact: true }).click();

  async function withAnswers(market: Market) {
    await putAnswers(market.admin, `/v1/candidates/${market.candidate.id}/answers`, keyboardAnswers);
  }

  it('takes the token out of the address bar at once and sends it to the API only', async () => {
    const market = await buildMarket(browser.service.app);
    const { page, session, requests } = await openApp(market);
    await page.getByRole('group', { name: 'Which contract are you looking for?' }).waitFor();
    expect(await page.evaluate('location.href')).toBe(`${browser.service.baseUrl}/app/`);
    const withToken = requests.filter((request) => request.authorization === `Bearer ${session.token}`);
    expect(withToken.length).toBeGreaterThan(0);
    for (const request of withToken)
      expect(request.url.startsWith(`${browser.service.baseUrl}/v1/`)).toBe(true);
    for (const request of requests) {
      expect(request.url.startsWith(`${browser.service.baseUrl}/`)).toBe(true);
      expect(request.url).not.toContain(session.token);
    }
  });

  it('completes the questionnaire with the keyboard alone, and the API stores those answers', async () => {
    const market = await buildMarket(browser.service.app);
    const { page } = await openApp(market);
    const group = (name: string) => page.getByRole('group', { name, exact: true });
    const step = async (n: number, title: string) => {
      await page.getByText(`Question ${n} of 6`).waitFor();
      await page.getByRole('heading', { name: title, exact: true }).waitFor();
      await expectAccessible(page, `questionnaire, question ${n}`);
    };
    const saveAndContinue = () => press(page, page.getByRole('button', { name: 'Save and continue' }));

    await step(1, 'Contract');
    await screenshot(page, 'questionnaire');
    await pickRadio(page, group('Which contract are you looking for?'), 'Permanent');
    // Half an answer is refused with a message that is announced and takes the focus.
    await saveAndContinue();
    const problem = page.getByRole('alert').filter({ hasText: 'Say what you expect' });
    await problem.waitFor();
    await expect.poll(() => focused(problem)).toBe(true);
    await expectAccessible(page, 'questionnaire, a refused answer');
    await tick(page, group('Which contracts would you accept?').getByRole('checkbox', { name: 'Permanent' }));
    await tick(
      page,
      group('Which contracts would you accept?').getByRole('checkbox', { name: 'Fixed term' }),
    );
    await pickRadio(page, group('How much does this matter to you?'), 'Very much');
    await saveAndContinue();

    await step(2, 'Languages');
    await tick(page, group('Which languages do you speak?').getByRole('checkbox', { name: 'Dutch' }));
    await tick(page, group('Which working languages suit you?').getByRole('checkbox', { name: 'Dutch' }));
    await tick(page, group('Which working languages suit you?').getByRole('checkbox', { name: 'French' }));
    await pickRadio(page, group('Which of these must the job offer?'), 'At least one of them');
    await pickRadio(page, group('How much does this matter to you?'), 'Somewhat');
    await saveAndContinue();

    await step(3, 'Remote work');
    await pickRadio(page, group('How would you like to work?'), 'Remote');
    await chooseOption(page, page.getByRole('combobox', { name: 'From' }), 'Hybrid');
    await chooseOption(page, page.getByRole('combobox', { name: 'To' }), 'Remote');
    await pickRadio(page, group('How much does this matter to you?'), 'Very much');
    await saveAndContinue();

    await step(4, 'Salary');
    await typeInto(page, page.getByRole('spinbutton', { name: /What salary do you ask\?/ }), '4200');
    await typeInto(page, page.getByRole('spinbutton', { name: 'At least' }), '3800');
    await pickRadio(page, group('How much does this matter to you?'), 'It is a dealbreaker');
    await saveAndContinue();

    await step(5, 'Work values');
    await chooseOption(page, page.getByRole('combobox', { name: /^Security/ }), '5');
    await chooseOption(page, page.getByRole('combobox', { name: /^Growth/ }), '1');
    await chooseOption(page, page.getByRole('combobox', { name: /^Autonomy/ }), '3');
    await pickRadio(page, group('How much does this matter to you?'), 'Somewhat');
    await saveAndContinue();

    // The start date is left open: a question may stay unanswered.
    await step(6, 'Start date');
    await press(page, page.getByRole('button', { name: 'Save and finish' }));
    await page.getByText('All questions answered.').waitFor();
    await expectAccessible(page, 'questionnaire done');

    const stored = await market.admin.get(`/v1/candidates/${market.candidate.id}/answers`);
    expect(stored.statusCode, stored.body).toBe(200);
    expect(stored.json().answers.questionnaireId).toBe('mini');
    expect(sortedAnswers(stored.json().answers.answers)).toEqual(sortedAnswers(keyboardAnswers));
  });

  it('lists the matches in the API’s order, explains one gaps first, and reaches a mutual introduction', async () => {
    const market = await buildMarket(browser.service.app);
    await withAnswers(market);
    const listed = await listedMatches(market);
    expect(listed.map((match) => match.jobId).sort()).toEqual([market.job.id, market.otherJob.id].sort());
    const { page } = await openApp(market);

    await nav(page, 'Matches');
    const items = page.getByRole('heading', { level: 3, name: /^Match \d+: / });
    await expect
      .poll(() => items.allTextContents())
      .toEqual(listed.map((match, i) => `Match ${i + 1}: ${match.job.title} at ${match.job.employerName}`));
    const cards = page.getByRole('listitem').filter({ has: items });
    for (const [i, match] of listed.entries()) {
      expect(await cards.nth(i).textContent()).toContain(percent(match.score));
    }
    await expectAccessible(page, 'matches');
    await screenshot(page, 'matches');

    const rank = listed.findIndex((match) => match.jobId === market.job.id) + 1;
    await page.getByRole('button', { name: `See why: match ${rank}` }).click();
    await page.getByRole('heading', { name: 'Why this match' }).waitFor();
    const explained = (
      await market.admin.get(`/v1/jobs/${market.job.id}/matches/${market.candidate.id}`)
    ).json().explanation;
    await page.getByText(`Mutual fit ${percent(explained.score)}.`).waitFor();
    const titles = new Map<string, string>(
      (await market.admin.get('/v1/questionnaires/mini?locale=en'))
        .json()
        .questionnaire.criteria.map((c: { id: string; title: string }) => [c.id, c.title]),
    );
    const criteria = page.getByRole('heading', { level: 4 });
    const shown = await criteria.allTextContents();
    expect(explained.gaps.length).toBeGreaterThan(0);
    expect(shown[0]).toBe(titles.get(explained.gaps[0].criterionId));
    await expectAccessible(page, 'match explanation');
    await screenshot(page, 'explanation');

    const employerContact = { name: 'Hiring desk', email: 'hiring@example.test' };
    const contactSaved = await market.employerApi.put(
      `/v1/employers/${market.employer.id}/contact`,
      employerContact,
    );
    expect(contactSaved.statusCode, contactSaved.body).toBe(200);
    await page.getByRole('button', { name: 'I am interested' }).click();
    await page.getByText('You said you are interested. Waiting for the employer.').waitFor();
    expect(await page.getByText(employerContact.email).count()).toBe(0);
    const path = `/v1/jobs/${market.job.id}/introductions/${market.candidate.id}`;
    expect((await market.employerApi.get(path)).json().introduction).not.toHaveProperty('contact');
    const mutual = await market.employerApi.post(path, { action: 'interested' });
    expect(mutual.statusCode, mutual.body).toBe(200);
    expect((await market.employerApi.get(path)).json().introduction).toMatchObject({
      status: 'mutual',
      contact: { email: market.candidate.contact.email },
    });

    await page.getByRole('button', { name: 'Back to the matches' }).click();
    await page.getByRole('button', { name: `See why: match ${rank}` }).click();
    await page.getByText(/^\s*It is mutual!/).waitFor();
    await page.getByRole('link', { name: employerContact.email }).waitFor();
    await expectAccessible(page, 'mutual introduction');
    await screenshot(page, 'introduction');

    // Interest in the other job, then withdrawn.
    await page.getByRole('button', { name: 'Back to the matches' }).click();
    await page.getByRole('button', { name: `See why: match ${3 - rank}` }).click();
    await page.getByRole('button', { name: 'I am interested' }).click();
    await page.getByRole('button', { name: 'Withdraw my interest' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Yes, withdraw' }).click();
    await page.getByText('This introduction was withdrawn.').waitFor();
    const other = await market.admin.get(
      `/v1/jobs/${market.otherJob.id}/introductions/${market.candidate.id}`,
    );
    expect(other.json().introduction.status).toBe('withdrawn');
  });

  it('pauses, hides from an employer, exports, and erases after a confirmation', async () => {
    const market = await buildMarket(browser.service.app);
    await withAnswers(market);
    const { page } = await openApp(market);
    const candidateUrl = `/v1/candidates/${market.candidate.id}`;
    await nav(page, 'Matches');
    await page.getByRole('button', { name: 'See why: match 2' }).waitFor();
    await nav(page, 'Privacy');
    await page.getByRole('heading', { name: 'Privacy' }).waitFor();
    await expectAccessible(page, 'privacy');
    await screenshot(page, 'privacy');

    await page.getByRole('checkbox', { name: /^Pause my profile/ }).check();
    await page.getByText('Your profile is paused.').waitFor();
    expect((await market.admin.get(candidateUrl)).json().candidate.paused).toBe(true);
    expectProblem(await market.admin.get(`${candidateUrl}/matches`), 409, 'candidate_paused');
    await nav(page, 'Matches');
    await page.getByText('Your profile is paused, so there are no matches to show.').waitFor();
    await nav(page, 'Privacy');
    await page.getByRole('checkbox', { name: /^Pause my profile/ }).uncheck();
    await page.getByText('Your profile is visible to employers.').waitFor();

    await page.getByRole('checkbox', { name: market.employer.name }).check();
    await page.getByRole('button', { name: 'Save hidden employers' }).click();
    await page.getByText('Hidden employers saved.').waitFor();
    expect((await market.admin.get(candidateUrl)).json().candidate.hiddenFromEmployerIds).toEqual([
      market.employer.id,
    ]);
    expect((await listedMatches(market)).map((match) => match.jobId)).toEqual([market.otherJob.id]);

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download my data' }).click();
    const exported = JSON.parse(await readFile((await (await download).path())!, 'utf8'));
    expect(JSON.stringify(exported)).toContain(market.candidate.contact.email);
    expect(JSON.stringify(exported)).toContain(market.candidate.id);

    await page.getByRole('button', { name: 'Erase my data' }).click();
    const dialog = page.getByRole('dialog', { name: 'Erase all your data?' });
    await dialog.waitFor();
    await expectAccessible(page, 'erase confirmation');
    await screenshot(page, 'erase-confirmation');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect((await market.admin.get(candidateUrl)).statusCode).toBe(200);

    await page.getByRole('button', { name: 'Erase my data' }).click();
    await dialog.getByRole('button', { name: 'Yes, erase everything' }).click();
    await page.getByRole('heading', { name: 'Your data has been erased' }).waitFor();
    await expectAccessible(page, 'erased');
    await screenshot(page, 'erased');
    expect((await market.admin.get(candidateUrl)).statusCode).toBe(404);
  });

  it('keeps the keyboard focus in place: on an introduction’s new state, on a privacy control after its call, and on the page once erased', async () => {
    const market = await buildMarket(browser.service.app);
    await withAnswers(market);
    const { page } = await openApp(market);
    await tabTo(page, page.getByRole('navigation').getByRole('button', { name: 'Matches', exact: true }));
    await page.keyboard.press('Enter');
    await tabTo(page, page.getByRole('button', { name: 'See why: match 1' }));
    await page.keyboard.press('Enter');
    await tabTo(page, page.getByRole('button', { name: 'I am interested' }));
    await page.keyboard.press('Enter');
    const status = page.getByRole('status').filter({ hasText: 'You said you are interested.' });
    await status.waitFor();
    await expect.poll(() => focused(status)).toBe(true);
    await page.keyboard.press('Tab');
    expect(await focused(page.getByRole('button', { name: 'Withdraw my interest' }))).toBe(true);

    await tabTo(page, page.getByRole('navigation').getByRole('button', { name: 'Privacy', exact: true }));
    await page.keyboard.press('Enter');
    const pause = page.getByRole('checkbox', { name: /^Pause my profile/ });
    await tick(page, pause);
    await page.getByText('Your profile is paused.').waitFor();
    await expect.poll(() => focused(pause)).toBe(true);
    const downloadButton = page.getByRole('button', { name: 'Download my data' });
    const download = page.waitForEvent('download');
    await press(page, downloadButton);
    await download;
    await expect.poll(() => focused(downloadButton)).toBe(true);
    await tabTo(page, page.getByRole('button', { name: 'Erase my data' }));
    await page.keyboard.press('Enter');
    await press(page, page.getByRole('dialog').getByRole('button', { name: 'Yes, erase everything' }));
    await page.getByRole('heading', { name: 'Your data has been erased' }).waitFor();
    await expect.poll(() => focused(page.getByRole('main'))).toBe(true);
  });

  it('shows where an introduction stands when the employer declined it while the page was open', async () => {
    const market = await buildMarket(browser.service.app);
    await withAnswers(market);
    const rank = (await listedMatches(market)).findIndex((match) => match.jobId === market.job.id) + 1;
    const { page } = await openApp(market);
    await nav(page, 'Matches');
    await page.getByRole('button', { name: `See why: match ${rank}` }).click();
    await page.getByText('You have not said anything about this job yet.').waitFor();

    const path = `/v1/jobs/${market.job.id}/introductions/${market.candidate.id}`;
    const declined = await market.employerApi.post(path, { action: 'declined' });
    expect(declined.statusCode, declined.body).toBe(200);
    await page.getByRole('button', { name: 'I am interested' }).click();
    await page.getByText('This introduction was declined.').waitFor();
    const alert = page.getByRole('alert').filter({ hasText: 'This introduction changed in the meantime.' });
    expect(await alert.textContent()).not.toContain('other side');
    expect(await page.getByRole('button', { name: 'I am interested' }).count()).toBe(0);
    await expectAccessible(page, 'an introduction the employer declined meanwhile');
  });

  it('keeps employers ticked for hiding across a pause, and downloads the data once on a double click', async () => {
    const market = await buildMarket(browser.service.app);
    await withAnswers(market);
    const { page, requests } = await openApp(market);
    await nav(page, 'Matches');
    await page.getByRole('button', { name: 'See why: match 2' }).waitFor();
    await nav(page, 'Privacy');

    const employer = page.getByRole('checkbox', { name: market.employer.name });
    await employer.check();
    await page.getByRole('checkbox', { name: /^Pause my profile/ }).check();
    await page.getByText('Your profile is paused.').waitFor();
    expect(await employer.isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Save hidden employers' }).click();
    await page.getByText('Hidden employers saved.').waitFor();
    const stored = (await market.admin.get(`/v1/candidates/${market.candidate.id}`)).json().candidate;
    expect(stored).toMatchObject({ paused: true, hiddenFromEmployerIds: [market.employer.id] });

    const exports = () => requests.filter((request) => request.url.endsWith('/export')).length;
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download my data' }).dblclick();
    await download;
    expect(exports()).toBe(1);
  });

  it('shows “this link has expired” for an expired or a revoked session, and says when the link is incomplete', async () => {
    const market = await buildMarket(browser.service.app);
    const expired = await mintSession(browser.service, market.adminKey, { candidateId: market.candidate.id });
    await browser.service.database.db
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(sessions.id, expired.id));
    const revoked = await mintSession(browser.service, market.adminKey, { candidateId: market.candidate.id });
    expect((await market.admin.delete(`/v1/sessions/${revoked.id}`)).statusCode).toBe(204);

    for (const [name, session] of [
      ['expired', expired],
      ['revoked', revoked],
    ] as const) {
      const page = await browser.page();
      await page.goto(`${browser.service.baseUrl}/app/#session=${session.token}`);
      await page.getByRole('heading', { name: 'This link has expired' }).waitFor();
      expect(page.url()).toBe(`${browser.service.baseUrl}/app/`);
      await expectAccessible(page, `${name} link`);
      if (name === 'expired') await screenshot(page, 'expired');
    }
    const page = await browser.page();
    await page.goto(`${browser.service.baseUrl}/app/`);
    await page.getByRole('heading', { name: 'This link is not complete' }).waitFor();
    await expectAccessible(page, 'incomplete link');
  });

  it('ends the page when the session expires while it is open, on the service’s clock, without waiting for a request', async () => {
    const market = await buildMarket(browser.service.app);
    await withAnswers(market);
    const session = await mintSession(browser.service, market.adminKey, {
      candidateId: market.candidate.id,
      ttlSeconds: 120,
    });
    const page = await browser.page();
    // The page's clock only, and an hour fast, as a badly set computer's: the page counts the time
    // left on the service's clock.
    await page.clock.install({ time: Date.now() + 3_600_000 });
    await page.goto(`${browser.service.baseUrl}/app/#session=${session.token}`);
    await nav(page, 'Matches');
    const items = page.getByRole('heading', { level: 3, name: /^Match \d+: / });
    await items.first().waitFor();

    await page.clock.fastForward('01:00');
    expect(await items.count()).toBeGreaterThan(0);
    await page.clock.fastForward('01:01');
    await page.getByRole('heading', { name: 'This link has expired' }).waitFor();
    expect(await items.count()).toBe(0);
    expect(await page.getByRole('navigation').count()).toBe(0);
    expect(await page.evaluate('sessionStorage.getItem("mutualfit.session")')).toBeNull();
    await expectAccessible(page, 'a link that expired while open');
  });

  it('switches between English, Dutch and French', async () => {
    const market = await buildMarket(browser.service.app);
    const { page } = await openApp(market);
    const language = page.locator('#language');
    await page.getByRole('group', { name: 'Which contract are you looking for?' }).waitFor();
    for (const [option, lang, title, question] of [
      ['Nederlands', 'nl', 'Jouw vacaturematches', 'Welk contract zoek je?'],
      ['Français', 'fr', 'Vos offres correspondantes', 'Quel contrat cherchez-vous ?'],
      ['English', 'en', 'Your job matches', 'Which contract are you looking for?'],
    ] as const) {
      await chooseOption(page, language, option);
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      await page.getByRole('group', { name: question }).waitFor();
      expect(await page.evaluate('document.documentElement.lang')).toBe(lang);
      await expectAccessible(page, `questionnaire in ${option}`);
      if (lang === 'nl') await screenshot(page, 'questionnaire-nl');
    }
  });

  it('reflows at 320 px when an employer’s name, job title and contact are each one long word', async () => {
    const market = await buildMarket(browser.service.app);
    const { app } = browser.service;
    const oneWord = 'Lagerlogistikdienstleistungsgesellschaft'.repeat(5);
    const employer = await createEmployer(app, market.adminKey, { name: oneWord });
    const job = await createJob(app, market.adminKey, employer.id, { title: oneWord });
    await putAnswers(market.admin, `/v1/jobs/${job.id}/answers`, jobAnswers);
    const contact = { name: oneWord, email: `${'recruiting'.repeat(6)}@${'example'.repeat(8)}.test` };
    const saved = await market.admin.put(`/v1/employers/${employer.id}/contact`, contact);
    expect(saved.statusCode, saved.body).toBe(200);
    await withAnswers(market);
    const path = `/v1/jobs/${job.id}/introductions/${market.candidate.id}`;
    const employerApi = caller(
      app,
      (await mintKey(app, market.adminKey, { role: 'employer', employerId: employer.id })).key,
    );
    expect((await employerApi.post(path, { action: 'interested' })).statusCode).toBe(200);
    const { page } = await openApp(market, { viewport: { width: 320, height: 720 } });

    await nav(page, 'Matches');
    await page.getByRole('heading', { level: 3 }).filter({ hasText: oneWord }).waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    const headings = await page.getByRole('heading', { level: 3, name: /^Match \d+: / }).allTextContents();
    const rank = headings.findIndex((heading) => heading.includes(oneWord)) + 1;
    expect(rank, 'the long-named job is listed').toBeGreaterThan(0);
    await page.getByRole('button', { name: `See why: match ${rank}` }).click();
    await page.getByRole('button', { name: 'I am interested' }).click();
    await page.getByRole('link', { name: contact.email }).waitFor();
    await page.getByRole('heading', { level: 4 }).nth(1).waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await expectAccessible(page, 'a mutual introduction with long names at 320 px');
    await screenshot(page, 'long-names-320px');

    await nav(page, 'Privacy');
    await page.getByRole('checkbox', { name: oneWord }).waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  });

  it('reflows at 320 px: no screen scrolls sideways', async () => {
    const market = await buildMarket(browser.service.app);
    await withAnswers(market);
    const { page } = await openApp(market, { viewport: { width: 320, height: 720 } });
    await page.getByText('Question 6 of 6').waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await expectAccessible(page, 'questionnaire at 320 px');
    await screenshot(page, 'questionnaire-320px');
    await nav(page, 'Matches');
    await page.getByRole('button', { name: 'See why: match 1' }).click();
    await page.getByRole('heading', { name: 'Why this match' }).waitFor();
    await page.getByRole('heading', { level: 4 }).first().waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await expectAccessible(page, 'explanation at 320 px');
    await nav(page, 'Privacy');
    await page.getByRole('button', { name: 'Erase my data' }).waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  });
});
