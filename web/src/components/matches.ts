import { html, type PropertyValues } from 'lit';
import { ApiError, must, type Schemas } from '../api/client.ts';
import type { MessageKey } from '../i18n/index.ts';
import { bar } from './bar.ts';
import { MutualfitElement } from './base.ts';

export type CandidateMatch = Schemas['CandidateMatches']['matches'][number];
export type JobFacts = Schemas['JobFacts'];

/** `detail` of `mutualfit-match-selected`. */
export interface MatchSelectedDetail extends CandidateMatch {
  rank: number;
}

/** The short form of an id a person can read out, where no name is known: the random end of a v7 uuid. */
export function shortId(id: string): string {
  return id.slice(-8);
}

/** "Title at Employer", as a job ad names a job. */
export function jobLabel(
  t: (key: MessageKey, values: Record<string, string>) => string,
  job: JobFacts,
): string {
  return t('m.job', { title: job.title, employer: job.employerName });
}

/**
 * `<mutualfit-matches>`: the candidate's reciprocally acceptable jobs, best first (the order of
 * `GET /v1/candidates/{id}/matches`), with the mutual score and both satisfactions as bars.
 * Events: `mutualfit-matches-loaded` ({ matches }), `mutualfit-match-selected` (a match plus its
 * `rank`), and the shared `mutualfit-error` / `mutualfit-session-expired`.
 */
export class MutualfitMatches extends MutualfitElement {
  static override properties = {
    ...MutualfitElement.properties,
    limit: { type: Number },
    items: { state: true },
    nextCursor: { state: true },
    problem: { state: true },
    loading: { state: true },
    paused: { state: true },
  };

  declare limit: number;
  declare items: CandidateMatch[] | undefined;
  declare nextCursor: string | null;
  declare problem: string;
  declare loading: boolean;
  declare paused: boolean;

  constructor() {
    super();
    this.limit = 20;
    this.nextCursor = null;
    this.problem = '';
    this.loading = false;
    this.paused = false;
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (this.session && (this.contextChanged(changed) || changed.has('limit'))) void this.load();
  }

  /** Loads the first page again (or the next one with `more`). */
  async load(more = false): Promise<void> {
    this.loading = true;
    this.problem = '';
    this.paused = false;
    try {
      const id = await this.candidate();
      const cursor = more ? this.nextCursor : null;
      const page = await must(
        this.api.GET('/v1/candidates/{id}/matches', {
          params: { path: { id }, query: { limit: this.limit, ...(cursor ? { cursor } : {}) } },
        }),
      );
      this.items = more ? [...(this.items ?? []), ...page.matches] : page.matches;
      this.nextCursor = page.nextCursor;
      this.emit('mutualfit-matches-loaded', { matches: this.items });
    } catch (error) {
      // A paused profile is in no listing: the API says so (409 candidate_paused), and so do we.
      if (error instanceof ApiError && error.code === 'candidate_paused') {
        this.paused = true;
        this.items = [];
        this.nextCursor = null;
      } else this.problem = this.report(error);
    } finally {
      this.loading = false;
    }
  }

  private select(match: CandidateMatch, rank: number): void {
    this.emit<MatchSelectedDetail>('mutualfit-match-selected', { ...match, rank });
  }

  override render() {
    const live = html`<div class="error" role="alert">${this.problem}</div>`;
    if (!this.items)
      return html`<h2>${this.t('m.title')}</h2>${live}<p class="muted">${this.problem ? '' : this.t('app.loading')}</p>`;
    return html`
      <h2>${this.t('m.title')}</h2>
      <p class="muted">${this.t('m.intro')}</p>
      ${live}
      ${this.items.length === 0 ? html`<p>${this.t(this.paused ? 'm.paused' : 'm.none')}</p>` : ''}
      <ol class="plain">
        ${this.items.map((match, i) => {
          const n = i + 1;
          return html`<li class="card">
            <h3>${this.t('m.item', { n })}: ${jobLabel((key, values) => this.t(key, values), match.job)}</h3>
            ${bar(this.t('m.score'), match.score)}
            ${bar(this.t('m.yours'), match.candidateSatisfaction)}
            ${bar(this.t('m.theirs'), match.employerSatisfaction)}
            <div class="actions">
              <button class="secondary" @click=${() => this.select(match, n)}>${this.t('m.open', { n })}</button>
            </div>
          </li>`;
        })}
      </ol>
      ${
        this.nextCursor
          ? html`<button class="secondary" ?disabled=${this.loading} @click=${() => this.load(true)}>${this.t('m.more')}</button>`
          : ''
      }
    `;
  }
}
