import { html, nothing, type PropertyValues } from 'lit';
import { ApiError, must, type Schemas } from '../api/client.ts';
import type { MessageKey } from '../i18n/index.ts';
import { MutualfitElement } from './base.ts';

type Introduction = Schemas['Introduction'];
type Action = Schemas['IntroductionActionInput']['action'];

/**
 * The steps the page offers a candidate in a state (allowed by the API's state machine,
 * docs/architecture.md). Once interested, only withdrawing, which the page puts apart and behind a
 * confirmation: no click where "I am interested" was can undo it. "Not interested" comes back once
 * withdrawn.
 */
export function candidateActions(
  introduction: Pick<Introduction, 'candidate' | 'employer'> | undefined,
): Action[] {
  const own = introduction?.candidate.state ?? 'none';
  const other = introduction?.employer.state ?? 'none';
  if (other === 'declined' || own === 'declined') return [];
  if (own === 'interested') return ['withdrawn'];
  return ['interested', 'declined'];
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
 * interested, not interested, withdraw (apart, after a confirmation dialog), and the state (mutual
 * once both sides are interested);
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
    await this.step(action);
    await this.focusStatus();
  }

  /** The confirmation dialog's "Yes": it stays open, its buttons disabled, until the step is done. */
  private async confirmWithdrawal(): Promise<void> {
    await this.step('withdrawn');
    this.dialog?.close();
    await this.focusStatus();
  }

  private get dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  private async step(action: Action): Promise<void> {
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
  }

  /**
   * The pressed button was disabled while the step ran, which took the focus from it (to the
   * page's start): put it on the new state, which the next Tab goes on from.
   */
  private async focusStatus(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#introduction-status')?.focus();
  }

  override render() {
    const introduction = this.introduction;
    const actions = this.loaded ? candidateActions(introduction) : [];
    const answers = actions.filter((action) => action !== 'withdrawn');
    return html`
      <h3>${this.t('i.title')}</h3>
      <div class="error" role="alert">${this.problem}</div>
      <p id="introduction-status" role="status" tabindex="-1" class=${introduction?.status === 'mutual' ? 'status' : ''}>
        ${this.loaded ? this.t(statusKey(introduction)) : this.t('app.loading')}
      </p>
      ${
        answers.length > 0
          ? html`<div class="actions">
            ${answers.map(
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
      ${actions.includes('withdrawn') ? this.withdrawal() : nothing}
    `;
  }

  /** Withdrawing, below the state (and the contact), through a dialog whose default is to keep the interest. */
  private withdrawal() {
    return html`<section class="withdrawal">
        <p id="withdraw-help" class="muted">${this.t('i.withdrawHelp')}</p>
        <button class="secondary" aria-haspopup="dialog" aria-describedby="withdraw-help"
          ?disabled=${this.busy} @click=${() => this.dialog?.showModal()}>
          ${this.t('i.withdrawn')}
        </button>
      </section>
      <dialog aria-labelledby="withdraw-title" aria-describedby="withdraw-body">
        <h4 id="withdraw-title">${this.t('i.confirmWithdrawTitle')}</h4>
        <p id="withdraw-body">${this.t('i.confirmWithdrawBody')}</p>
        <div class="actions">
          <button class="secondary" autofocus ?disabled=${this.busy} @click=${() => this.dialog?.close()}>
            ${this.t('i.keep')}
          </button>
          <button class="danger" ?disabled=${this.busy} @click=${() => this.confirmWithdrawal()}>
            ${this.t('i.confirmWithdraw')}
          </button>
        </div>
      </dialog>`;
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
