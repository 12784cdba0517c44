import { html, nothing, type PropertyValues } from 'lit';
import { ApiError, must, type Schemas } from '../api/client.ts';
import type { MessageKey } from '../i18n/index.ts';
import { MutualfitElement } from './base.ts';

type Introduction = Schemas['Introduction'];
type Action = Schemas['IntroductionActionInput']['action'];

/** The actions a candidate may take in a state (the API's state machine, docs/architecture.md). */
export function candidateActions(
  introduction: Pick<Introduction, 'candidate' | 'employer'> | undefined,
): Action[] {
  const own = introduction?.candidate.state ?? 'none';
  const other = introduction?.employer.state ?? 'none';
  if (other === 'declined') return [];
  const actions: Action[] = [];
  if (own === 'none' || own === 'withdrawn') actions.push('interested');
  if (own === 'interested') actions.push('withdrawn');
  if (own !== 'declined') actions.push('declined');
  return actions;
}

function statusKey(introduction: Introduction | undefined): MessageKey {
  if (!introduction) return 'i.status.none';
  if (introduction.status !== 'pending') return `i.status.${introduction.status}`;
  if (introduction.candidate.state === 'interested') return 'i.status.pending.candidate';
  if (introduction.employer.state === 'interested') return 'i.status.pending.employer';
  return 'i.status.none';
}

/**
 * `<mutualfit-introduction job-id="…">`: the double opt-in for the candidate and one job:
 * interested, not interested, withdraw, and the state (mutual once both sides are interested);
 * once mutual, the employer's contact (name, email, phone) when the employer gave one.
 * Events: `mutualfit-interest` ({ jobId, action, status }) after each action, plus the shared ones.
 */
export class MutualfitIntroduction extends MutualfitElement {
  static override properties = {
    ...MutualfitElement.properties,
    jobId: { type: String, attribute: 'job-id' },
    introduction: { state: true },
    loaded: { state: true },
    problem: { state: true },
    busy: { state: true },
  };

  declare jobId: string | undefined;
  declare introduction: Introduction | undefined;
  declare loaded: boolean;
  declare problem: string;
  declare busy: boolean;

  constructor() {
    super();
    this.loaded = false;
    this.problem = '';
    this.busy = false;
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (this.session && this.jobId && (this.contextChanged(changed) || changed.has('jobId')))
      void this.load();
  }

  private async load(): Promise<void> {
    this.problem = '';
    try {
      const candidateId = await this.candidate();
      const jobId = this.jobId!;
      this.introduction = await must(
        this.api.GET('/v1/jobs/{jobId}/introductions/{candidateId}', {
          params: { path: { jobId, candidateId } },
        }),
      )
        .then((body) => body.introduction)
        .catch((error) => {
          if (error instanceof ApiError && error.status === 404 && error.code === 'not_found')
            return undefined;
          throw error;
        });
      this.loaded = true;
    } catch (error) {
      this.problem = this.report(error);
    }
  }

  private async act(action: Action): Promise<void> {
    this.busy = true;
    this.problem = '';
    try {
      const candidateId = await this.candidate();
      const jobId = this.jobId!;
      const { introduction } = await must(
        this.api.POST('/v1/jobs/{jobId}/introductions/{candidateId}', {
          params: { path: { jobId, candidateId } },
          body: { action },
        }),
      );
      this.introduction = introduction;
      // The employer's contact comes with a read of the introduction, not with the step.
      if (introduction.status === 'mutual') await this.load();
      this.emit('mutualfit-interest', { jobId, action, status: introduction.status });
    } catch (error) {
      const problem = this.report(error);
      // A conflict means the introduction moved on elsewhere (the employer answered, the job
      // closed): show where it stands now, not the buttons of a state that is gone.
      if (error instanceof ApiError && error.code === 'conflict') {
        await this.load();
        this.problem = this.problem || this.t('i.changed');
      } else this.problem = problem;
    } finally {
      this.busy = false;
    }
    // The pressed button was disabled while the step ran, which took the focus from it (to the
    // page's start): put it on the new state, which the next Tab goes on from.
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#introduction-status')?.focus();
  }

  override render() {
    const introduction = this.introduction;
    return html`
      <h3>${this.t('i.title')}</h3>
      <div class="error" role="alert">${this.problem}</div>
      <p id="introduction-status" role="status" tabindex="-1" class=${introduction?.status === 'mutual' ? 'status' : ''}>
        ${this.loaded ? this.t(statusKey(introduction)) : this.t('app.loading')}
      </p>
      ${
        this.loaded
          ? html`<div class="actions">
            ${candidateActions(introduction).map(
              (action) => html`<button
                class=${action === 'interested' ? '' : 'secondary'}
                ?disabled=${this.busy}
                @click=${() => this.act(action)}
              >
                ${this.t(`i.${action}`)}
              </button>`,
            )}
          </div>`
          : nothing
      }
      ${introduction?.employerContact ? this.contact(introduction.employerContact) : nothing}
    `;
  }

  private contact(contact: Schemas['EmployerContact']) {
    return html`<section class="card" aria-labelledby="employer-contact">
      <h4 id="employer-contact">${this.t('i.contact.title')}</h4>
      ${contact.name ? html`<p>${contact.name}</p>` : nothing}
      <p>${this.t('i.contact.email')}: <a href=${`mailto:${contact.email}`}>${contact.email}</a></p>
      ${
        contact.phone
          ? html`<p>${this.t('i.contact.phone')}: <a href=${`tel:${contact.phone.replace(/[^+0-9]/g, '')}`}>${contact.phone}</a></p>`
          : nothing
      }
    </section>`;
  }
}
