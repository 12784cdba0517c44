import { css, html, nothing, type PropertyValues } from 'lit';
import { ApiError, must } from '../api/client.ts';
import type { MessageKey } from '../i18n/index.ts';
import { type Criterion, type Importance, importances } from './answer-model.ts';
import { MutualfitElement } from './base.ts';
import { histogram } from './histogram.ts';
import {
  type CriterionInsight,
  canReweigh,
  effectOf,
  type Insights,
  signed,
  type WhatIfChange,
  whatIfBody,
} from './insights-model.ts';
import { sharedStyles } from './styles.ts';

type Side = 'job' | 'candidate';

/** `detail` of `mutualfit-insights-loaded`, and of `mutualfit-insights-preview` with the change tried. */
export interface InsightsDetail {
  side: Side;
  subjectId: string;
  others: number;
  acceptable: number;
}
export type PreviewDetail = InsightsDetail & WhatIfChange;

/**
 * `<mutualfit-insights>`: for the candidate (or, with `job-id`, for that job), how many of the other
 * side there are, how many are mutual matches now, their mutual scores as a histogram, and per
 * criterion, in the API's order, who it keeps away and what making it irrelevant would do; then a
 * what-if preview of one change (an importance, the minimum fit) that stores nothing.
 * Events: `mutualfit-insights-loaded` and `mutualfit-insights-preview` (InsightsDetail), plus the shared ones.
 */
/** The API's 409s that mean there is nothing to count (not a failure): no answers yet, or too few candidates. */
const withheldBecause: Partial<Record<string, 'noAnswers' | 'tooFew'>> = {
  no_answers: 'noAnswers',
  too_few_candidates: 'tooFew',
};

export class MutualfitInsights extends MutualfitElement {
  static override properties = {
    ...MutualfitElement.properties,
    jobId: { type: String, attribute: 'job-id' },
    insights: { state: true },
    preview: { state: true },
    problem: { state: true },
    withheld: { state: true },
    busy: { state: true },
    criterionId: { state: true },
    importance: { state: true },
  };

  static override styles = [
    sharedStyles,
    css`
      ul.figures {
        font-size: 1.125rem;
        margin-bottom: var(--_space);
      }
      ul.figures strong {
        font-variant-numeric: tabular-nums;
      }
      figure {
        margin: 0 0 var(--_space);
      }
      figcaption {
        font-weight: 600;
      }
      .histogram svg {
        display: block;
        width: 100%;
        max-width: 28rem;
        height: auto;
      }
      .histogram .column {
        fill: var(--_accent);
      }
      .histogram text {
        fill: currentColor;
      }
      .histogram .axis {
        stroke: var(--_border);
      }
      table {
        border-collapse: collapse;
        margin-top: 0.5rem;
      }
      th,
      td {
        text-align: left;
        padding: 0.25rem 1rem 0.25rem 0;
        font-variant-numeric: tabular-nums;
      }
      summary {
        cursor: pointer;
        min-height: 24px;
      }
      ol.plain {
        list-style: none;
        padding: 0;
        margin: 0;
      }
      .preview {
        border-color: var(--_accent);
        border-style: dashed;
      }
    `,
  ];

  /** Insights of this job instead of the candidate (an employer's session, or the admin's). */
  declare jobId: string | undefined;
  declare insights: Insights | undefined;
  declare preview: { insights: Insights; change: WhatIfChange } | undefined;
  declare problem: string;
  /** Why no counts are shown: the subject has no answers, or its market is too small to count anonymously. */
  declare withheld: '' | 'noAnswers' | 'tooFew';
  declare busy: boolean;
  declare criterionId: string;
  declare importance: Importance | '';
  private subject: { side: Side; id: string } | undefined;
  private criteria = new Map<string, Criterion>();
  private stored: Record<string, unknown> = {};
  private minScore: number | undefined;
  private jobTitle: string | undefined;

  constructor() {
    super();
    this.problem = '';
    this.withheld = '';
    this.busy = false;
    this.criterionId = '';
    this.importance = '';
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (this.session && (this.contextChanged(changed) || changed.has('jobId') || changed.has('locale')))
      void this.load();
  }

  private get side(): Side {
    return this.subject?.side ?? (this.jobId ? 'job' : 'candidate');
  }

  /** A message in the subject's voice: `in.c.…` for a candidate, `in.j.…` for a job. */
  private say(key: string, values?: Record<string, string | number>): string {
    return this.t(`in.${this.side === 'job' ? 'j' : 'c'}.${key}` as MessageKey, values);
  }

  /** Reloads everything: the insights, then the questionnaire's titles and the stored answers for the what-if. */
  async load(): Promise<void> {
    this.problem = '';
    this.withheld = '';
    this.preview = undefined;
    this.criterionId = '';
    this.importance = '';
    try {
      this.subject = this.jobId
        ? { side: 'job', id: this.jobId }
        : { side: 'candidate', id: await this.candidate() };
      const insights = await this.fetchInsights();
      const [questionnaire, answers, profile] = await Promise.all([
        must(
          this.api.GET('/v1/questionnaires/{id}', {
            params: {
              path: { id: insights.questionnaireId },
              query: { version: insights.questionnaireVersion, locale: this.lang2 },
            },
          }),
        ),
        this.fetchAnswers(),
        this.fetchProfile(),
      ]);
      this.criteria = new Map(questionnaire.questionnaire.criteria.map((c) => [c.id, c]));
      this.stored = answers;
      this.minScore = profile.minScore;
      this.jobTitle = profile.title;
      this.insights = insights;
      this.emit<InsightsDetail>('mutualfit-insights-loaded', this.detail(insights));
    } catch (error) {
      const withheld = error instanceof ApiError ? withheldBecause[error.code] : undefined;
      if (withheld) this.withheld = withheld;
      else this.problem = this.report(error);
    }
  }

  private detail(insights: Insights): InsightsDetail {
    return {
      side: insights.side,
      subjectId: insights.subjectId,
      others: insights.others,
      acceptable: insights.acceptable,
    };
  }

  private async fetchInsights(body?: ReturnType<typeof whatIfBody>): Promise<Insights> {
    const { side, id } = this.subject!;
    const params = { params: { path: { id } } };
    if (side === 'job')
      return (
        await must(
          body
            ? this.api.POST('/v1/jobs/{id}/insights', { ...params, body })
            : this.api.GET('/v1/jobs/{id}/insights', params),
        )
      ).insights;
    return (
      await must(
        body
          ? this.api.POST('/v1/candidates/{id}/insights', { ...params, body })
          : this.api.GET('/v1/candidates/{id}/insights', params),
      )
    ).insights;
  }

  private async fetchAnswers(): Promise<Record<string, unknown>> {
    const { side, id } = this.subject!;
    const params = { params: { path: { id } } };
    const { answers } = await must(
      side === 'job'
        ? this.api.GET('/v1/jobs/{id}/answers', params)
        : this.api.GET('/v1/candidates/{id}/answers', params),
    );
    return answers.answers;
  }

  /** The subject's stored minScore (the what-if's starting point) and, for a job, its title. */
  private async fetchProfile(): Promise<{ minScore: number; title?: string }> {
    const { side, id } = this.subject!;
    const params = { params: { path: { id } } };
    if (side === 'job') return (await must(this.api.GET('/v1/jobs/{id}', params))).job;
    return (await must(this.api.GET('/v1/candidates/{id}', params))).candidate;
  }

  /** POST …/insights with the change in the form: the counts for it, nothing stored. */
  private async tryChange(): Promise<void> {
    const field = this.renderRoot.querySelector<HTMLInputElement>('#wi-min');
    const typed = field?.value.trim() ?? '';
    const change: WhatIfChange = {
      criterionId: this.criterionId || undefined,
      importance: this.criterionId && this.importance ? this.importance : undefined,
      minScore: typed === '' ? undefined : Math.min(100, Math.max(0, Number(typed))) / 100,
    };
    this.busy = true;
    this.problem = '';
    try {
      const insights = await this.fetchInsights(whatIfBody(this.stored, change));
      this.preview = { insights, change };
      this.emit<PreviewDetail>('mutualfit-insights-preview', { ...this.detail(insights), ...change });
    } catch (error) {
      this.problem = this.report(error);
    } finally {
      this.busy = false;
    }
    await this.focusPreviewButton();
  }

  /** The Preview button is disabled while its call runs, and Clear goes with the preview: either took the focus to the page's start. */
  private async focusPreviewButton(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#wi-preview')?.focus();
  }

  private chooseCriterion(id: string): void {
    this.criterionId = id;
    const stored = this.stored[id] as { importance?: Importance } | undefined;
    this.importance = stored?.importance ?? '';
  }

  private criterionTitle(criterionId: string): string {
    return this.criteria.get(criterionId)?.title ?? criterionId;
  }

  private chart(counts: readonly number[], caption: string) {
    return histogram(counts, {
      caption,
      range: this.t('in.histogram.range'),
      count: this.t('in.histogram.count'),
      table: this.t('in.histogram.table'),
    });
  }

  private criterion(insight: CriterionInsight, acceptable: number) {
    const effect = effectOf(insight, acceptable);
    const line = (key: string, n: number) => (n > 0 ? html`<p>${this.say(key, { n })}</p>` : nothing);
    return html`<li class="card">
      <h4>${this.criterionTitle(insight.criterionId)}</h4>
      ${
        effect.none
          ? html`<p class="muted">${this.t('in.noEffect')}</p>`
          : html`${line('sole', effect.soleBarrier)}${line('rejecting', effect.rejecting)}${line('rejectedBy', effect.rejectedBy)}
            <p>${this.say('ifIrrelevant', { after: effect.ifIrrelevant, delta: signed(effect.delta) })}</p>
            ${effect.delta < 0 ? html`<p class="muted">${this.t('in.fewer')}</p>` : nothing}`
      }
    </li>`;
  }

  private whatIf() {
    const reweighable = [...this.criteria.values()].filter((c) => canReweigh(c, this.stored[c.id]));
    const percent = this.minScore === undefined ? '' : String(Math.round(this.minScore * 100));
    return html`<h3>${this.t('in.try')}</h3>
      <p class="muted">${this.t('in.try.intro')}</p>
      <div class="row">
        <div class="field">
          <label for="wi-criterion">${this.t('in.try.criterion')}</label>
          <select id="wi-criterion" @change=${(e: Event) => this.chooseCriterion((e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${this.criterionId === ''}>${this.t('in.try.noChange')}</option>
            ${reweighable.map((c) => html`<option value=${c.id} ?selected=${c.id === this.criterionId}>${c.title}</option>`)}
          </select>
        </div>
        <div class="field">
          <label for="wi-importance">${this.t('q.importance')}</label>
          <select id="wi-importance" ?disabled=${this.criterionId === ''}
            @change=${(e: Event) => {
              this.importance = (e.target as HTMLSelectElement).value as Importance;
            }}>
            ${importances.map(
              (level) =>
                html`<option value=${level} ?selected=${level === this.importance}>${this.t(`q.importance.${level}`)}</option>`,
            )}
          </select>
        </div>
        <div class="field">
          <label for="wi-min">${this.say('minScore')}</label>
          <input id="wi-min" type="number" inputmode="numeric" min="0" max="100" step="1" .value=${percent} />
        </div>
      </div>
      <div class="actions">
        <button id="wi-preview" ?disabled=${this.busy} @click=${() => this.tryChange()}>${this.t('in.try.preview')}</button>
        ${
          this.preview
            ? html`<button class="secondary" @click=${() => {
                this.preview = undefined;
                void this.focusPreviewButton();
              }}>${this.t('in.try.clear')}</button>`
            : nothing
        }
      </div>`;
  }

  private previewView(now: Insights) {
    if (!this.preview) return nothing;
    const after = this.preview.insights;
    return html`<div class="card preview">
      <h3>${this.t('in.preview.title')}</h3>
      <p>${this.t('in.preview.acceptable', { before: now.acceptable, after: after.acceptable, delta: signed(after.acceptable - now.acceptable) })}</p>
      ${this.chart(after.histogram, this.t('in.preview.histogram'))}
      <p class="muted">${this.t('in.preview.nothingSaved')}</p>
    </div>`;
  }

  override render() {
    const live = html`<div class="error" role="alert">${this.problem}</div>`;
    const heading = html`<h2>${
      this.side === 'job' && this.jobTitle
        ? this.t('in.j.titleFor', { title: this.jobTitle })
        : this.say('title')
    }</h2>`;
    if (this.withheld) {
      // Only a job's counts (of candidates) have a minimum market.
      const why = this.withheld === 'tooFew' ? this.t('in.j.tooFew') : this.say('noAnswers');
      return html`${heading}${live}<p>${why}</p>`;
    }
    const insights = this.insights;
    if (!insights)
      return html`${heading}${live}<p class="muted">${this.problem ? '' : this.t('app.loading')}</p>`;
    return html`
      ${heading}
      <p class="muted">${this.say('intro')}</p>
      ${live}
      <ul class="plain figures">
        <li>${this.say('others')} <strong>${insights.others}</strong></li>
        <li>${this.t('in.acceptable')} <strong>${insights.acceptable}</strong></li>
      </ul>
      ${this.chart(insights.histogram, this.t('in.histogram'))}
      <h3>${this.t('in.criteria')}</h3>
      <p class="muted">${this.say('criteriaIntro')}</p>
      <ol class="plain">${insights.criteria.map((c) => this.criterion(c, insights.acceptable))}</ol>
      ${this.whatIf()}
      <div role="status">${this.previewView(insights)}</div>
    `;
  }
}
