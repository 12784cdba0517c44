import { html } from 'lit';
import { ApiError, must, type Schemas } from '../api/client.ts';
import type { MessageKey } from '../i18n/index.ts';
import { bar } from './bar.ts';
import { MutualfitPagedList } from './paged-list.ts';

export type CandidateMatch = Schemas['CandidateMatches']['matches'][number];
export type JobFacts = Schemas['JobFacts'];

/** `detail` of `mutualfit-match-selected`. */
export interface MatchSelectedDetail extends CandidateMatch {
  rank: number;
}

/** "Title at Employer", as a job ad names a job. */
export function jobLabel(
  t: (key: MessageKey, values: Record<string, string>) => string,
  job: JobFacts,
): string {
  return t('m.job', { title: job.title, employer: job.employerName });
}

/** The 409s of a listing that are a state of the candidate's profile, with the message for each. */
const refusals: Partial<Record<string, MessageKey>> = {
  candidate_paused: 'm.paused',
  no_answers: 'm.noAnswers',
};

/**
 * `<mutualfit-matches>`: the candidate's reciprocally acceptable jobs, best first (the order of
 * `GET /v1/candidates/{id}/matches`), with the mutual score and both satisfactions as bars.
 * Events: `mutualfit-matches-loaded` ({ matches }), `mutualfit-match-selected` (a match plus its
 * `rank`), and the shared `mutualfit-error` / `mutualfit-session-expired`.
 */
export class MutualfitMatches extends MutualfitPagedList<CandidateMatch> {
  static override properties = {
    ...MutualfitPagedList.properties,
    refusal: { state: true },
  };

  /** Why the API lists nothing for this candidate (a state of the profile, not an error), as the message that says so. */
  declare refusal: MessageKey | undefined;

  constructor() {
    super();
    this.refusal = undefined;
  }

  protected override async page(cursor: string | null) {
    this.refusal = undefined;
    const id = await this.candidate();
    const page = await must(
      this.api.GET('/v1/candidates/{id}/matches', {
        params: { path: { id }, query: { limit: this.limit, ...(cursor ? { cursor } : {}) } },
      }),
    );
    return { items: page.matches, nextCursor: page.nextCursor };
  }

  protected override loaded(matches: CandidateMatch[]): void {
    this.emit('mutualfit-matches-loaded', { matches });
  }

  /**
   * A paused profile, or one that has not answered the questionnaire, has no listing: the API says
   * so (409 candidate_paused, no_answers), and so do we, rather than "no matches".
   */
  protected override handled(error: unknown): boolean {
    const refusal = error instanceof ApiError ? refusals[error.code] : undefined;
    if (!refusal) return false;
    this.refusal = refusal;
    this.items = [];
    this.nextCursor = null;
    return true;
  }

  private select(match: CandidateMatch, rank: number): void {
    this.emit<MatchSelectedDetail>('mutualfit-match-selected', { ...match, rank });
  }

  override render() {
    if (!this.items) return this.pending('m.title');
    return html`
      <h2>${this.t('m.title')}</h2>
      <p class="muted">${this.t('m.intro')}</p>
      <div class="error" role="alert">${this.problem}</div>
      ${this.items.length === 0 ? html`<p>${this.t(this.refusal ?? 'm.none')}</p>` : ''}
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
      ${this.more('m.more')}
    `;
  }
}
