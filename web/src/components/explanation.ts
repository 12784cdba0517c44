import { html, nothing, type PropertyValues } from 'lit';
import { must, type Schemas } from '../api/client.ts';
import type { MessageKey } from '../i18n/index.ts';
import { bar, percent } from './bar.ts';
import { MutualfitElement } from './base.ts';
import { type JobFacts, jobLabel } from './matches.ts';

type Explanation = Schemas['MatchExplanation'];
type CriterionRow = Explanation['criteria'][number];
type SideView = CriterionRow['candidate'];

/** The explanation's criteria with a gap first (largest weight lost first), then the rest in order. */
export function gapsFirst(explanation: Pick<Explanation, 'criteria' | 'gaps'>): {
  gaps: CriterionRow[];
  met: CriterionRow[];
} {
  const byId = new Map(explanation.criteria.map((row) => [row.criterionId, row]));
  const gapIds = [...new Set(explanation.gaps.map((gap) => gap.criterionId))];
  const gaps = gapIds.map((id) => byId.get(id)).filter((row): row is CriterionRow => row !== undefined);
  const met = explanation.criteria.filter((row) => !gapIds.includes(row.criterionId));
  return { gaps, met };
}

/**
 * `<mutualfit-explanation job-id="…">`: why the candidate and that job match (or not): the
 * summary, and per criterion how well each side's expectation is met, as bars, gaps first.
 * Events: `mutualfit-explanation-loaded` ({ jobId, acceptable, score }), plus the shared ones.
 */
export class MutualfitExplanation extends MutualfitElement {
  static override properties = {
    ...MutualfitElement.properties,
    jobId: { type: String, attribute: 'job-id' },
    job: { attribute: false },
    explanation: { state: true },
    titles: { state: true },
    problem: { state: true },
  };

  declare jobId: string | undefined;
  /** The job as its ad shows it (a match's `job`), for the heading; without it the heading is generic. */
  declare job: JobFacts | undefined;
  declare explanation: Explanation | undefined;
  declare titles: Map<string, string>;
  declare problem: string;

  constructor() {
    super();
    this.titles = new Map();
    this.problem = '';
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (
      this.session &&
      this.jobId &&
      (this.contextChanged(changed) || changed.has('jobId') || changed.has('locale'))
    )
      void this.load();
  }

  private async load(): Promise<void> {
    this.problem = '';
    try {
      const candidateId = await this.candidate();
      const jobId = this.jobId!;
      const { explanation } = await must(
        this.api.GET('/v1/jobs/{jobId}/matches/{candidateId}', { params: { path: { jobId, candidateId } } }),
      );
      const { questionnaire } = await must(
        this.api.GET('/v1/questionnaires/{id}', {
          params: {
            path: { id: explanation.questionnaireId },
            query: { version: explanation.questionnaireVersion, locale: this.lang2 },
          },
        }),
      );
      this.titles = new Map(questionnaire.criteria.map((c) => [c.id, c.title]));
      this.explanation = explanation;
      this.emit('mutualfit-explanation-loaded', {
        jobId,
        acceptable: explanation.acceptable,
        score: explanation.score,
      });
    } catch (error) {
      this.problem = this.report(error);
    }
  }

  private side(label: string, view: SideView) {
    if (view.importance === null || view.importance === 'irrelevant' || view.satisfaction === null)
      return html`<p class="muted">${label}: ${this.t('x.noExpectation')}</p>`;
    const importance = this.t('x.importance', {
      level: this.t(`q.importance.${view.importance}` as MessageKey),
    });
    return html`${bar(`${label} (${importance})`, view.satisfaction, { gap: view.satisfaction < 1 })}`;
  }

  private row(row: CriterionRow, broken: Set<string>) {
    return html`<li class="card">
      <h4>${this.titles.get(row.criterionId) ?? row.criterionId}</h4>
      ${broken.has(row.criterionId) ? html`<p class="error">${this.t('x.dealbreaker')}</p>` : nothing}
      ${this.side(this.t('x.yourSide'), row.candidate)}
      ${this.side(this.t('x.theirSide'), row.employer)}
    </li>`;
  }

  private heading(): string {
    if (!this.job) return this.t('x.title');
    return this.t('x.titleFor', { job: jobLabel((key, values) => this.t(key, values), this.job) });
  }

  override render() {
    const live = html`<div class="error" role="alert">${this.problem}</div>`;
    const explanation = this.explanation;
    if (!explanation)
      return html`<h2>${this.heading()}</h2>${live}<p class="muted">${this.problem ? '' : this.t('app.loading')}</p>`;
    const { gaps, met } = gapsFirst(explanation);
    const broken = new Set(explanation.dealbreakers.map((d) => d.criterionId));
    return html`
      <h2>${this.heading()}</h2>
      ${live}
      ${explanation.acceptable ? nothing : html`<p class="error">${this.t('x.notAcceptable')}</p>`}
      <p>
        ${this.t('x.summary', {
          score: percent(explanation.score),
          yours: percent(explanation.candidateSatisfaction),
          theirs: percent(explanation.employerSatisfaction),
        })}
      </p>
      ${
        gaps.length > 0
          ? html`<h3>${this.t('x.gaps')}</h3>
            <ul class="plain">${gaps.map((row) => this.row(row, broken))}</ul>`
          : nothing
      }
      ${
        met.length > 0
          ? html`<h3>${this.t('x.met')}</h3>
            <ul class="plain">${met.map((row) => this.row(row, broken))}</ul>`
          : nothing
      }
    `;
  }
}
