import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type Caller, createCandidate } from '../support/factories.ts';
import { jobAnswers, marketCandidates, putAnswers } from '../support/matching-factories.ts';
import {
  type BrowserSession,
  expectAccessible,
  horizontalOverflow,
  mintSession,
  screenshot,
  useBrowser,
} from './harness.ts';
import { chooseOption, focused, press } from './keyboard.ts';
import { buildMarket, keyboardAnswers, type Market } from './market.ts';

interface Insights {
  others: number;
  acceptable: number;
  histogram: number[];
  criteria: {
    criterionId: string;
    soleBarrier: number;
    rejecting: number;
    rejectedBy: number;
    acceptableIfIrrelevant: number;
  }[];
}

const signed = (delta: number) => (delta > 0 ? `+${delta}` : delta < 0 ? `\u2212${-delta}` : '±0');

describe('insights in the reference app, for a candidate and for an employer’s job, in Chromium', () => {
  // A job's counts need at least two candidates here (INSIGHTS_MIN_CANDIDATES; 10 by default).
  const browser = useBrowser({ INSIGHTS_MIN_CANDIDATES: '2' });

  async function open(session: BrowserSession, options: Parameters<typeof browser.page>[0] = {}) {
    const page = await browser.page(options);
    await page.goto(`${browser.service.baseUrl}/app/#session=${session.token}`);
    await expect.poll(() => page.url()).toBe(`${browser.service.baseUrl}/app/`);
    return page;
  }

  async function candidatePage(
    market: Market,
    options: Parameters<typeof browser.page>[0] = {},
    answered = true,
  ) {
    if (answered)
      await putAnswers(market.admin, `/v1/candidates/${market.candidate.id}/answers`, keyboardAnswers);
    const page = await open(
      await mintSession(browser.service, market.adminKey, { candidateId: market.candidate.id }),
      options,
    );
    await page.getByRole('navigation').getByRole('button', { name: 'What opens more jobs' }).click();
    await page.getByRole('heading', { level: 2, name: 'What opens more jobs' }).waitFor();
    return page;
  }

  async function insightsOf(api: Caller, path: string): Promise<Insights> {
    const response = await api.get(path);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().insights;
  }

  async function titles(market: Market): Promise<Map<string, string>> {
    const response = await market.admin.get('/v1/questionnaires/mini?locale=en');
    return new Map(
      response.json().questionnaire.criteria.map((c: { id: string; title: string }) => [c.id, c.title]),
    );
  }

  /** The panel shows the API's counts, histogram and criteria, in the API's order, with their lines. */
  async function expectPanel(
    page: Page,
    insights: Insights,
    names: Map<string, string>,
    side: 'Jobs' | 'Candidates',
  ) {
    const panel = page.locator('mutualfit-insights');
    const figures = panel.locator('ul.figures > li');
    await expect
      .poll(() => figures.allTextContents())
      .toEqual([
        expect.stringMatching(new RegExp(`:\\s*${insights.others}$`)),
        expect.stringMatching(new RegExp(`^Mutual matches now:\\s*${insights.acceptable}$`)),
      ]);
    const histogram = panel.getByRole('figure', { name: 'Mutual fit of the matches now' });
    await histogram.getByText('Show the numbers').click();
    const cells = histogram.getByRole('row').filter({ has: page.getByRole('cell') });
    await expect.poll(() => cells.allTextContents()).toHaveLength(10);
    expect((await histogram.getByRole('cell').allTextContents()).map(Number)).toEqual(insights.histogram);
    expect((await cells.first().getByRole('rowheader').textContent())?.trim()).toBe('0–10%');
    expect(await histogram.locator('svg text.count').allTextContents()).toEqual(
      insights.histogram.map(String),
    );
    await histogram.getByText('Show the numbers').click();

    const headings = panel.getByRole('heading', { level: 4 });
    expect(await headings.allTextContents()).toEqual(insights.criteria.map((c) => names.get(c.criterionId)));
    for (const criterion of insights.criteria) {
      const card = panel
        .getByRole('listitem')
        .filter({ has: page.getByRole('heading', { name: names.get(criterion.criterionId), exact: true }) });
      const text = (await card.textContent()) ?? '';
      const sole = `${side} ${side === 'Jobs' ? 'that' : 'who'} would become matches if this counted on neither side: ${criterion.soleBarrier}`;
      expect(text.includes(sole), `${criterion.criterionId}: ${text}`).toBe(criterion.soleBarrier > 0);
      if (criterion.rejecting > 0) expect(text).toMatch(new RegExp(`rules out: ${criterion.rejecting}`));
      if (criterion.rejectedBy > 0)
        expect(text).toMatch(new RegExp(`rules (you|the job) out: ${criterion.rejectedBy}`));
      const delta = criterion.acceptableIfIrrelevant - insights.acceptable;
      if (criterion.soleBarrier + criterion.rejecting + criterion.rejectedBy > 0 || delta !== 0)
        expect(text).toContain(`: ${criterion.acceptableIfIrrelevant} (${signed(delta)})`);
      else expect(text).toContain('Rules no one out');
      expect(text.includes('Fewer, not more')).toBe(delta < 0);
    }
  }

  async function select(page: Page, field: Locator, option: string) {
    await chooseOption(page, field, option);
    await expect
      .poll(() =>
        field.evaluate(
          (e) => (e as unknown as { selectedOptions: { text: string }[] }).selectedOptions[0]?.text,
        ),
      )
      .toBe(option);
  }

  it('shows the candidate the API’s counts, histogram and criteria, and previews a change without storing it', async () => {
    const market = await buildMarket(browser.service.app);
    const page = await candidatePage(market);
    const path = `/v1/candidates/${market.candidate.id}/insights`;
    const insights = await insightsOf(market.admin, path);
    // The cheap job breaks the candidate's salary dealbreaker: the salary alone keeps it out.
    expect(insights).toMatchObject({ others: 3, acceptable: 2 });
    expect(insights.criteria[0]).toMatchObject({ criterionId: 'salary', soleBarrier: 1, rejecting: 1 });
    await expectPanel(page, insights, await titles(market), 'Jobs');
    await expectAccessible(page, 'candidate insights');
    await screenshot(page, 'insights');

    const answersBefore = (await market.admin.get(`/v1/candidates/${market.candidate.id}/answers`)).json();
    const panel = page.locator('mutualfit-insights');
    await select(page, panel.getByRole('combobox', { name: 'Question to change' }), 'Salary');
    await select(
      page,
      panel.getByRole('combobox', { name: 'How much does this matter to you?' }),
      'A little',
    );
    const minimum = panel.getByRole('spinbutton', {
      name: 'How much of your expectations a job must meet (%)',
    });
    expect(await minimum.inputValue()).toBe('50');
    await minimum.fill('40');
    const previewButton = panel.getByRole('button', { name: 'Preview', exact: true });
    await press(page, previewButton);

    const body = {
      answers: { salary: { ...keyboardAnswers.salary, importance: 'little' } },
      minScore: 0.4,
    };
    const whatIf = await market.admin.post(path, body);
    expect(whatIf.statusCode, whatIf.body).toBe(200);
    const after: Insights = whatIf.json().insights;
    expect(after.acceptable).toBeGreaterThan(insights.acceptable);
    const preview = panel.getByRole('status');
    await preview.getByRole('heading', { name: 'Preview, not saved' }).waitFor();
    await preview
      .getByText(
        `Mutual matches: ${insights.acceptable} now, ${after.acceptable} with this change (${signed(after.acceptable - insights.acceptable)}).`,
      )
      .waitFor();
    expect(await preview.locator('svg text.count').allTextContents()).toEqual(after.histogram.map(String));
    await preview.getByText('Nothing was saved').waitFor();
    // The button was disabled while the preview was fetched; the focus is back on it, not lost.
    await expect.poll(() => focused(previewButton)).toBe(true);
    await expectAccessible(page, 'candidate insights with a preview');
    await preview.scrollIntoViewIfNeeded();
    await screenshot(page, 'insights-preview');

    // A preview stores nothing: the answers, the minScore and the insights are what they were.
    expect((await market.admin.get(`/v1/candidates/${market.candidate.id}/answers`)).json()).toEqual(
      answersBefore,
    );
    expect((await market.admin.get(`/v1/candidates/${market.candidate.id}`)).json().candidate.minScore).toBe(
      0.5,
    );
    expect(await insightsOf(market.admin, path)).toEqual(insights);
    await press(page, panel.getByRole('button', { name: 'Clear the preview' }));
    await preview.getByRole('heading').waitFor({ state: 'detached' });
    await expect.poll(() => focused(previewButton)).toBe(true);
  });

  it('shows a recruiter with an employer session its jobs, and a job’s insights', async () => {
    const market = await buildMarket(browser.service.app);
    await putAnswers(market.admin, `/v1/candidates/${market.candidate.id}/answers`, keyboardAnswers);
    // More candidates, some kept out by a dealbreaker on either side, so that the job's pool has a shape.
    for (const name of ['better', 'weak', 'tooExpensive', 'wantsMore'] as const) {
      const candidate = await createCandidate(browser.service.app, market.adminKey);
      await putAnswers(
        market.admin,
        `/v1/candidates/${candidate.id}/answers`,
        marketCandidates[name].answers,
      );
    }
    const page = await open(
      await mintSession(browser.service, market.adminKey, { employerId: market.employer.id }),
    );
    await page.getByRole('heading', { level: 1, name: 'Your jobs and who they reach' }).waitFor();
    const listed = (await market.employerApi.get('/v1/jobs')).json().jobs as { title: string }[];
    expect(listed.map((job) => job.title).sort()).toEqual([market.job.title, market.cheapJob.title].sort());
    const jobs = page.locator('mutualfit-jobs').getByRole('heading', { level: 3 });
    await expect.poll(() => jobs.allTextContents()).toEqual(listed.map((job) => job.title));
    await expectAccessible(page, 'employer jobs');

    await page.getByRole('button', { name: `Who it reaches: ${market.job.title}` }).click();
    await page
      .getByRole('heading', { level: 2, name: `Who this job reaches: ${market.job.title}` })
      .waitFor();
    const insights = await insightsOf(market.employerApi, `/v1/jobs/${market.job.id}/insights`);
    expect(insights.others).toBe(5);
    expect(insights.criteria[0]).toMatchObject({ criterionId: 'salary', soleBarrier: 2 });
    await expectPanel(page, insights, await titles(market), 'Candidates');
    await expectAccessible(page, 'job insights');
    await screenshot(page, 'job-insights');

    // The job's minimum raised out of the candidate's reach: a preview with no match, nothing stored.
    const panel = page.locator('mutualfit-insights');
    await panel
      .getByRole('spinbutton', { name: 'How much of the job’s expectations a candidate must meet (%)' })
      .fill('100');
    await panel.getByRole('button', { name: 'Preview' }).click();
    await panel
      .getByRole('status')
      .getByText(
        `Mutual matches: ${insights.acceptable} now, 0 with this change (${signed(-insights.acceptable)}).`,
      )
      .waitFor();
    expect((await market.employerApi.get(`/v1/jobs/${market.job.id}`)).json().job.minScore).toBe(
      market.job.minScore,
    );
    expect(
      (await market.employerApi.get(`/v1/jobs/${market.job.id}/answers`)).json().answers.answers,
    ).toEqual(jobAnswers);

    await page.getByRole('button', { name: 'Back to the jobs' }).click();
    await jobs.first().waitFor();
  });

  it('names the sole barriers when a match is explained after it stopped being one', async () => {
    const market = await buildMarket(browser.service.app);
    await putAnswers(market.admin, `/v1/candidates/${market.candidate.id}/answers`, keyboardAnswers);
    const page = await open(
      await mintSession(browser.service, market.adminKey, { candidateId: market.candidate.id }),
    );
    await page.getByRole('navigation').getByRole('button', { name: 'Matches', exact: true }).click();
    const listed = page.getByRole('heading', { level: 3, name: /^Match \d+: / });
    await expect.poll(() => listed.count()).toBe(2);
    const rank = (await listed.allTextContents()).findIndex((text) => text.includes(market.job.title)) + 1;
    // The job now requires a fixed-term contract: the contract alone keeps the pair apart.
    await putAnswers(market.admin, `/v1/jobs/${market.job.id}/answers`, {
      ...jobAnswers,
      contract: { value: 'permanent', accept: ['fixed-term'], importance: 'dealbreaker' },
    });
    const explained = (
      await market.admin.get(`/v1/jobs/${market.job.id}/matches/${market.candidate.id}`)
    ).json().explanation;
    expect(explained).toMatchObject({ acceptable: false, soleBarriers: ['contract'] });

    await page.getByRole('button', { name: `See why: match ${rank}` }).click();
    await page.getByText('This pair is not a match at the moment.').waitFor();
    await page.getByText('What alone keeps you apart').waitFor();
    const barriers = page.locator('mutualfit-explanation ul.sole-barriers > li');
    expect(await barriers.allTextContents()).toEqual([(await titles(market)).get('contract')]);
    await expectAccessible(page, 'explanation of a pair that is no match');
  });

  it('reflows at 320 px: the candidate’s and the job’s insights (and a market too small to count) do not scroll sideways', async () => {
    const market = await buildMarket(browser.service.app);
    const viewport = { width: 320, height: 720 };
    // Before any answer there is nothing to count: the panel says what to do first.
    const page = await candidatePage(market, { viewport }, false);
    await page.getByText('Answer the questionnaire first').waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await expectAccessible(page, 'candidate insights before any answer');
    await putAnswers(market.admin, `/v1/candidates/${market.candidate.id}/answers`, keyboardAnswers);
    await page.getByRole('navigation').getByRole('button', { name: 'Matches', exact: true }).click();
    await page.getByRole('navigation').getByRole('button', { name: 'What opens more jobs' }).click();
    await page.getByRole('heading', { level: 4 }).first().waitFor();
    await page.locator('mutualfit-insights details summary').first().click();
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('heading', { name: 'Preview, not saved' }).waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await expectAccessible(page, 'candidate insights at 320 px');

    // One candidate is too few for the job's counts: the panel says why instead of counting her.
    const employerSession = await mintSession(browser.service, market.adminKey, {
      employerId: market.employer.id,
    });
    const tooFew = await open(employerSession, { viewport });
    await tooFew.getByRole('button', { name: `Who it reaches: ${market.job.title}` }).click();
    await tooFew.getByText('Too few candidates can be counted for this job yet').waitFor();
    expect(await tooFew.locator('mutualfit-insights').getByRole('heading', { level: 4 }).count()).toBe(0);
    expect(await horizontalOverflow(tooFew)).toBeLessThanOrEqual(0);
    await expectAccessible(tooFew, 'job insights of too small a market at 320 px');
    await screenshot(tooFew, 'job-insights-too-few-320px');

    const second = await createCandidate(browser.service.app, market.adminKey);
    await putAnswers(market.admin, `/v1/candidates/${second.id}/answers`, marketCandidates.better.answers);
    const employerPage = await open(employerSession, { viewport });
    await employerPage.getByRole('button', { name: `Who it reaches: ${market.job.title}` }).click();
    await employerPage.getByRole('heading', { level: 4 }).first().waitFor();
    expect(await horizontalOverflow(employerPage)).toBeLessThanOrEqual(0);
    await expectAccessible(employerPage, 'job insights at 320 px');
  });
});
