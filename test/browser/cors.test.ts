import { describe, expect, it } from 'vitest';
import { caller, createCandidate, createWorkspace } from '../support/factories.ts';
import { mintSession, useBrowser } from './harness.ts';
import { usePartnerSite } from './partner-site.ts';

/**
 * A partner page that reads its candidate with a session token, as a job board's own script
 * would: the API, token and candidate come in the fragment; the outcome is shown in <output>.
 */
const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Partner job board</title></head>
<body><main><h1>Partner job board</h1><output id="result">pending</output></main>
<script src="/partner.js"></script></body></html>`;
const script = `const params = new URLSearchParams(location.hash.slice(1));
const result = document.getElementById('result');
fetch(params.get('api') + '/v1/candidates/' + params.get('candidate'), {
  headers: { authorization: 'Bearer ' + params.get('token') },
})
  .then((response) => response.json())
  .then((body) => { result.textContent = 'read ' + body.candidate.id; })
  .catch((error) => { result.textContent = 'blocked: ' + error.name; });`;
const files = { '/': page, '/partner.js': script };

/** What Chromium logs when it keeps a cross-origin answer from a page: expected in those tests. */
const blockedByCors = [/blocked by CORS policy/, /Failed to load resource: net::ERR_FAILED/];

describe('CORS from a partner site in Chromium', () => {
  const browser = useBrowser();
  const allowedSite = usePartnerSite(files);
  const otherSite = usePartnerSite(files);

  async function workspaceAllowing(origin: string) {
    const created = await createWorkspace(browser.service.app);
    const response = await created.admin.patch(`/v1/workspaces/${created.workspace.id}`, {
      allowedOrigins: [origin],
    });
    expect(response.statusCode, response.body).toBe(200);
    const candidate = await createCandidate(browser.service.app, created.adminKey);
    const session = await mintSession(browser.service, created.adminKey, { candidateId: candidate.id });
    return { ...created, candidate, session };
  }

  async function visit(
    site: string,
    token: string,
    candidateId: string,
    expectedConsoleErrors: RegExp[] = [],
  ) {
    const tab = await browser.page({ expectedConsoleErrors });
    const fragment = new URLSearchParams({ api: browser.service.baseUrl, token, candidate: candidateId });
    await tab.goto(`${site}/#${fragment}`);
    const result = tab.locator('#result');
    await expect.poll(() => result.textContent()).not.toBe('pending');
    return result.textContent();
  }

  it('lets a page on an allowed origin read its candidate with a session token', async () => {
    const { candidate, session } = await workspaceAllowing(allowedSite.origin);
    expect(await visit(allowedSite.origin, session.token, candidate.id)).toBe(`read ${candidate.id}`);
  });

  it('keeps the answer from a page on an origin no workspace allows', async () => {
    const { candidate, session } = await workspaceAllowing(allowedSite.origin);
    expect(await visit(otherSite.origin, session.token, candidate.id, blockedByCors)).toBe(
      'blocked: TypeError',
    );
  });

  it('keeps the answer from an origin that another workspace allows, not the token’s', async () => {
    await workspaceAllowing(otherSite.origin);
    const { candidate, session } = await workspaceAllowing(allowedSite.origin);
    expect(await visit(otherSite.origin, session.token, candidate.id, blockedByCors)).toBe(
      'blocked: TypeError',
    );
    // The request itself was made and answered: only the browser kept its answer from the page.
    const direct = await caller(browser.service.app, session.token).get(`/v1/candidates/${candidate.id}`);
    expect(direct.statusCode).toBe(200);
  });
});
