import { html, type PropertyValues } from 'lit';
import { ApiError, must, type Schemas } from '../api/client.ts';
import type { MessageKey } from '../i18n/index.ts';
import { checkDraft, type Draft, type Drafts, importances, resumeAt, toAnswers } from './answer-model.ts';
import { MutualfitElement } from './base.ts';
import { criterionFields, importanceField } from './criterion-fields.ts';

/** `detail` of `mutualfit-answers-saved`. */
export interface AnswersSavedDetail {
  questionnaireId: string;
  answered: number;
  total: number;
  complete: boolean;
}

/**
 * `<mutualfit-questionnaire>`: the candidate's questionnaire, one criterion per step, saved at
 * every step (so it resumes where it was left). Attribute `questionnaire-id` picks one; otherwise
 * the one already answered, else the first the API lists.
 * Events: `mutualfit-answers-saved` ({ questionnaireId, answered, total, complete }), plus the
 * shared `mutualfit-error` and `mutualfit-session-expired`.
 */
export class MutualfitQuestionnaire extends MutualfitElement {
  static override properties = {
    ...MutualfitElement.properties,
    questionnaireId: { type: String, attribute: 'questionnaire-id' },
    questionnaire: { state: true },
    drafts: { state: true },
    step: { state: true },
    problem: { state: true },
    notice: { state: true },
    busy: { state: true },
    finished: { state: true },
  };

  declare questionnaireId: string | undefined;
  declare questionnaire: Schemas['Questionnaire'] | undefined;
  declare drafts: Drafts;
  declare step: number;
  declare problem: string;
  declare notice: string;
  declare busy: boolean;
  declare finished: boolean;

  constructor() {
    super();
    this.drafts = {};
    this.step = 0;
    this.problem = '';
    this.notice = '';
    this.busy = false;
    this.finished = false;
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (!this.session) return;
    if (this.contextChanged(changed) || changed.has('questionnaireId')) void this.load(true);
    else if (changed.has('locale') && this.questionnaire) void this.load(false);
  }

  private async load(withAnswers: boolean): Promise<void> {
    this.problem = '';
    try {
      const candidateId = await this.candidate();
      let stored: Schemas['AnswerSet'] | undefined;
      if (withAnswers) {
        stored = await must(
          this.api.GET('/v1/candidates/{id}/answers', { params: { path: { id: candidateId } } }),
        )
          .then((body) => body.answers)
          .catch((error) => {
            if (error instanceof ApiError && error.status === 404) return undefined;
            throw error;
          });
      }
      const id =
        this.questionnaireId ??
        stored?.questionnaireId ??
        this.questionnaire?.id ??
        (await this.firstQuestionnaire());
      const { questionnaire } = await must(
        this.api.GET('/v1/questionnaires/{id}', { params: { path: { id }, query: { locale: this.lang2 } } }),
      );
      this.questionnaire = questionnaire;
      if (withAnswers) {
        this.drafts = stored && stored.questionnaireId === id ? (stored.answers as Drafts) : {};
        this.step = resumeAt(questionnaire.criteria, this.drafts);
        this.finished = false;
      }
    } catch (error) {
      this.problem = this.report(error);
    }
  }

  private async firstQuestionnaire(): Promise<string> {
    const { questionnaires } = await must(
      this.api.GET('/v1/questionnaires', { params: { query: { locale: this.lang2 } } }),
    );
    const first = questionnaires[0];
    if (!first) throw new ApiError({ status: 404, code: 'not_found', detail: 'No questionnaire' });
    return first.id;
  }

  private patch(criterionId: string, patch: Partial<Draft>): void {
    this.drafts = { ...this.drafts, [criterionId]: { ...this.drafts[criterionId], ...patch } };
    this.notice = '';
  }

  private async next(event: Event): Promise<void> {
    event.preventDefault();
    const questionnaire = this.questionnaire;
    const criterion = questionnaire?.criteria[this.step];
    if (!questionnaire || !criterion) return;
    const check = checkDraft(criterion, this.drafts[criterion.id]);
    if (check !== 'ok' && check !== 'empty') {
      this.problem = this.t(check as MessageKey);
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#problem')?.focus();
      return;
    }
    this.busy = true;
    this.problem = '';
    try {
      const answers = toAnswers(questionnaire.criteria, this.drafts);
      const candidateId = await this.candidate();
      await must(
        this.api.PUT('/v1/candidates/{id}/answers', {
          params: { path: { id: candidateId } },
          body: { questionnaireId: questionnaire.id, answers } as never,
        }),
      );
      const answered = Object.keys(answers).length;
      const total = questionnaire.criteria.length;
      this.emit<AnswersSavedDetail>('mutualfit-answers-saved', {
        questionnaireId: questionnaire.id,
        answered,
        total,
        complete: answered === total,
      });
      this.notice = this.t('q.saved');
      if (this.step + 1 >= total) this.finished = true;
      else this.step += 1;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('h3')?.focus();
    } catch (error) {
      this.problem =
        error instanceof ApiError && error.errors.length > 0 ? this.t('q.fixErrors') : this.report(error);
    } finally {
      this.busy = false;
    }
  }

  private async previous(): Promise<void> {
    this.problem = '';
    this.step = Math.max(0, this.step - 1);
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('h3')?.focus();
  }

  override render() {
    const questionnaire = this.questionnaire;
    const live = html`<div id="problem" class="error" role="alert" tabindex="-1">${this.problem}</div>
      <div class="status" role="status">${this.notice}</div>`;
    if (!questionnaire) return html`${live}<p class="muted">${this.problem ? '' : this.t('app.loading')}</p>`;
    const total = questionnaire.criteria.length;
    if (this.finished) {
      return html`<h2>${questionnaire.title}</h2>
        ${live}
        <p>${this.t('q.done')}</p>
        <button class="secondary" @click=${() => this.restart()}>${this.t('q.review')}</button>`;
    }
    const criterion = questionnaire.criteria[this.step]!;
    const draft = this.drafts[criterion.id] ?? {};
    const patch = (p: Partial<Draft>) => this.patch(criterion.id, p);
    const t = this.t.bind(this);
    const progress = this.t('q.progress', { n: this.step + 1, total });
    return html`
      <h2>${questionnaire.title}</h2>
      <p id="progress-text">${progress}</p>
      <progress max=${total} value=${this.step + 1} aria-labelledby="progress-text"></progress>
      <form @submit=${(e: Event) => this.next(e)} novalidate>
        <h3 tabindex="-1">${criterion.title}</h3>
        ${criterionFields(criterion, draft, patch, t)}
        ${importanceField(criterion, draft, patch, t, importances)}
        ${live}
        <div class="actions">
          <button type="button" class="secondary" ?disabled=${this.step === 0 || this.busy} @click=${() => this.previous()}>
            ${this.t('q.previous')}
          </button>
          <button type="submit" ?disabled=${this.busy}>${this.step + 1 === total ? this.t('q.finish') : this.t('q.next')}</button>
        </div>
      </form>
    `;
  }

  private restart(): void {
    this.finished = false;
    this.step = 0;
    this.notice = '';
  }
}
