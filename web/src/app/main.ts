// The reference app (web/dist/app.js, served at /app/app.js): the components composed into one
// page, for a candidate's session or an employer's (its jobs and their insights). The session comes
// from the URL fragment and is only ever sent to the API.
import '../components/index.ts';
import { css, html, LitElement, nothing } from 'lit';
import { ApiError, createApi, must } from '../api/client.ts';
import type { JobSelectedDetail } from '../components/jobs.ts';
import type { JobFacts } from '../components/matches.ts';
import type { EmployerChoice } from '../components/privacy.ts';
import { sharedStyles } from '../components/styles.ts';
import { failureMessage } from '../i18n/failure.ts';
import { type Locale, locales, type MessageKey, pickLocale, translate } from '../i18n/index.ts';
import { forgetSession, takeSession } from './session.ts';

type Screen = 'loading' | 'missing' | 'expired' | 'erased' | 'failed' | 'ready';
type CandidateView = 'questionnaire' | 'matches' | 'match' | 'insights' | 'privacy';
type EmployerView = 'jobs' | 'job';
type View = CandidateView | EmployerView;
type Role = 'candidate' | 'employer';

const languageNames: Record<Locale, string> = { en: 'English', nl: 'Nederlands', fr: 'Français' };
const LOCALE_KEY = 'mutualfit.locale';
/** setTimeout's longest delay (about 24.8 days; a session lasts 24 h at most). */
const LONGEST_TIMEOUT_MS = 2 ** 31 - 1;

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

class MutualfitApp extends LitElement {
  static override properties = {
    screen: { state: true },
    view: { state: true },
    role: { state: true },
    locale: { state: true },
    jobId: { state: true },
    job: { state: true },
    employers: { state: true },
    failure: { state: true },
  };

  static override styles = [
    sharedStyles,
    css`
      :host {
        max-width: 48rem;
        margin: 0 auto;
        padding: var(--_space);
      }
      header {
        display: flex;
        flex-wrap: wrap;
        justify-content: space-between;
        align-items: flex-end;
        gap: var(--_space);
        margin-bottom: var(--_space);
      }
      h1 {
        margin: 0;
        font-size: 1.5rem;
      }
      nav ul {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        list-style: none;
        padding: 0;
        margin: 0 0 var(--_space);
      }
      nav button[aria-current='page'] {
        background: var(--_accent);
        color: var(--_accent-text);
      }
      main:focus {
        outline: none;
      }
      main > * + * {
        margin-top: var(--_space);
      }
    `,
  ];

  declare screen: Screen;
  declare view: View;
  declare role: Role;
  declare locale: Locale;
  declare jobId: string | undefined;
  declare job: JobFacts | undefined;
  declare employers: EmployerChoice[];
  /** Why the session could not be read (shown in the current language, so kept as the error). */
  declare failure: unknown;
  private session: string | undefined;
  private candidateId: string | undefined;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.screen = 'loading';
    this.view = 'questionnaire';
    this.role = 'candidate';
    this.locale = pickLocale(storage()?.getItem(LOCALE_KEY) ?? navigator.language);
    this.employers = [];
    this.addEventListener('mutualfit-session-expired', () => this.expire());
    this.addEventListener('mutualfit-erased', () => {
      clearTimeout(this.expiryTimer);
      forgetSession(storage());
      this.session = undefined;
      this.screen = 'erased';
      void this.focusMain();
    });
    this.addEventListener('mutualfit-match-selected', (event) => {
      const { jobId, job } = (event as CustomEvent<{ jobId: string; job: JobFacts }>).detail;
      this.jobId = jobId;
      this.job = job;
      this.go('match');
    });
    this.addEventListener('mutualfit-job-selected', (event) => {
      this.jobId = (event as CustomEvent<JobSelectedDetail>).detail.jobId;
      this.go('job');
    });
    this.addEventListener('mutualfit-employers-gone', (event) => {
      const gone = (event as CustomEvent<{ employerIds: string[] }>).detail.employerIds;
      this.employers = this.employers.filter((employer) => !gone.includes(employer.id));
      void this.loadEmployers();
    });
    this.addEventListener('mutualfit-matches-loaded', (event) => {
      this.addEmployers((event as CustomEvent<{ matches: { job: JobFacts }[] }>).detail.matches);
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.documentElement.lang = this.locale;
    this.session = takeSession({ location: window.location, history: window.history, storage: storage() });
    if (!this.session) this.screen = 'missing';
    else void this.start();
  }

  private t(key: MessageKey, values?: Record<string, string | number>): string {
    return translate(this.locale, key, values);
  }

  private async start(): Promise<void> {
    try {
      const call = createApi(location.origin, this.session!).GET('/v1/sessions/current');
      const { session } = await must(call);
      this.expireAt(session.expiresAt, (await call).response);
      if (session.role === 'candidate') this.candidateId = session.candidateId;
      else {
        this.role = 'employer';
        this.view = 'jobs';
      }
      this.screen = 'ready';
    } catch (error) {
      if (error instanceof ApiError && error.sessionEnded) this.expire();
      else {
        this.failure = error;
        this.screen = 'failed';
      }
    }
  }

  /**
   * Ends the page when the session does, rather than at its next request: until then, a page left
   * open would go on showing the candidate's data (an employer's contact, say) on a shared screen.
   * The time left is counted on the service's clock (its Date header), so a wrong clock here does
   * not end the page early or late.
   */
  private expireAt(expiresAt: string, response: Response): void {
    const now = Date.parse(response.headers.get('date') ?? '') || Date.now();
    const left = Math.min(Math.max(0, Date.parse(expiresAt) - now), LONGEST_TIMEOUT_MS);
    clearTimeout(this.expiryTimer);
    this.expiryTimer = setTimeout(() => this.expire(), left);
  }

  private expire(): void {
    clearTimeout(this.expiryTimer);
    forgetSession(storage());
    this.session = undefined;
    this.screen = 'expired';
    void this.focusMain();
  }

  private async go(view: View): Promise<void> {
    this.view = view;
    if (view === 'privacy' && this.employers.length === 0) void this.loadEmployers();
    await this.focusMain();
  }

  /** After a new view or an end (erased, expired): the control that had the focus is gone. */
  private async focusMain(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('main')?.focus();
  }

  private addEmployers(matches: { job: JobFacts }[]): void {
    const known = new Map(this.employers.map((e) => [e.id, e]));
    for (const { job } of matches) known.set(job.employerId, { id: job.employerId, name: job.employerName });
    this.employers = [...known.values()];
  }

  /** The employers of the candidate's matches, to offer for hiding when the matches were not opened yet. */
  private async loadEmployers(): Promise<void> {
    try {
      const { matches } = await must(
        createApi(location.origin, this.session!).GET('/v1/candidates/{id}/matches', {
          params: { path: { id: this.candidateId! }, query: { limit: 100 } },
        }),
      );
      this.addEmployers(matches);
    } catch {
      // The privacy screen still works without the list; the component reports its own failures.
    }
  }

  private setLocale(value: string): void {
    this.locale = pickLocale(value);
    document.documentElement.lang = this.locale;
    try {
      storage()?.setItem(LOCALE_KEY, this.locale);
    } catch {
      // Not kept across reloads then.
    }
  }

  private message(title: MessageKey, body: string) {
    return html`<h2>${this.t(title)}</h2>
      <p>${body}</p>`;
  }

  private content() {
    switch (this.screen) {
      case 'loading':
        return html`<p role="status">${this.t('app.loading')}</p>`;
      case 'missing':
        return this.message('missing.title', this.t('missing.body'));
      case 'expired':
        return this.message('expired.title', this.t('expired.body'));
      case 'erased':
        return this.message('erased.title', this.t('erased.body'));
      case 'failed':
        return html`<div role="alert">${this.message('error.title', failureMessage(this.locale, this.failure))}</div>
          <button @click=${() => location.reload()}>${this.t('error.retry')}</button>`;
      case 'ready':
        return this.view === 'match' || this.view === 'job' ? this.detail() : this.component(this.view);
    }
  }

  private component(view: Exclude<View, 'match' | 'job'>) {
    const common = { session: this.session, locale: this.locale, id: this.candidateId ?? '' };
    switch (view) {
      case 'questionnaire':
        return html`<mutualfit-questionnaire .session=${common.session} locale=${common.locale} candidate-id=${common.id}></mutualfit-questionnaire>`;
      case 'matches':
        return html`<mutualfit-matches .session=${common.session} locale=${common.locale} candidate-id=${common.id}></mutualfit-matches>`;
      case 'insights':
        return html`<mutualfit-insights .session=${common.session} locale=${common.locale} candidate-id=${common.id}></mutualfit-insights>`;
      case 'jobs':
        return html`<mutualfit-jobs .session=${common.session} locale=${common.locale}></mutualfit-jobs>`;
      case 'privacy':
        return html`<mutualfit-privacy .session=${common.session} .employers=${this.employers} locale=${common.locale} candidate-id=${common.id}></mutualfit-privacy>`;
    }
  }

  /** One match (a candidate's) or one job's insights (an employer's), with the way back. */
  private detail() {
    if (this.view === 'job')
      return html`<button class="secondary" @click=${() => this.go('jobs')}>${this.t('app.backJobs')}</button>
        <mutualfit-insights .session=${this.session} locale=${this.locale} job-id=${this.jobId ?? ''}></mutualfit-insights>`;
    return html`<button class="secondary" @click=${() => this.go('matches')}>${this.t('app.back')}</button>
      <mutualfit-introduction .session=${this.session} locale=${this.locale} candidate-id=${this.candidateId ?? ''} job-id=${this.jobId ?? ''}></mutualfit-introduction>
      <mutualfit-explanation .session=${this.session} .job=${this.job} locale=${this.locale} candidate-id=${this.candidateId ?? ''} job-id=${this.jobId ?? ''}></mutualfit-explanation>`;
  }

  private nav() {
    if (this.screen !== 'ready') return nothing;
    const items: [View, MessageKey][] =
      this.role === 'employer'
        ? [['jobs', 'app.jobs']]
        : [
            ['questionnaire', 'app.questionnaire'],
            ['matches', 'app.matches'],
            ['insights', 'app.insights'],
            ['privacy', 'app.privacy'],
          ];
    const current = this.view === 'match' ? 'matches' : this.view === 'job' ? 'jobs' : this.view;
    return html`<nav aria-label=${this.t('app.nav')}>
      <ul>
        ${items.map(
          ([view, label]) => html`<li>
            <button class="secondary" aria-current=${current === view ? 'page' : nothing} @click=${() => this.go(view)}>
              ${this.t(label)}
            </button>
          </li>`,
        )}
      </ul>
    </nav>`;
  }

  override render() {
    return html`
      <header>
        <h1>${this.t(this.role === 'employer' ? 'app.titleEmployer' : 'app.title')}</h1>
        <div class="field">
          <label for="language">${this.t('app.language')}</label>
          <select id="language" @change=${(e: Event) => this.setLocale((e.target as HTMLSelectElement).value)}>
            ${locales.map((l) => html`<option value=${l} lang=${l} ?selected=${l === this.locale}>${languageNames[l]}</option>`)}
          </select>
        </div>
      </header>
      ${this.nav()}
      <main tabindex="-1">${this.content()}</main>
    `;
  }
}

customElements.define('mutualfit-app', MutualfitApp);
