import { html, nothing, type PropertyValues } from 'lit';
import { ApiError, must, type Schemas } from '../api/client.ts';
import { MutualfitElement } from './base.ts';

/** An employer to offer for hiding (from the matches' `job`, or one the candidate already hides from). */
export interface EmployerChoice {
  id: string;
  name: string;
}

/** The employers of both lists, each once (a later one replaces an earlier of the same id). */
function byId(...lists: EmployerChoice[][]): EmployerChoice[] {
  return [...new Map(lists.flat().map((employer) => [employer.id, employer])).values()];
}

/**
 * The employers of `sent` that a refused PATCH names as unknown: deleted while the page was open
 * (the API refuses an unknown id rather than ignore it, so that a wrong one is never taken for a
 * hidden employer).
 */
function goneEmployers(error: unknown, sent: readonly string[] | undefined): string[] {
  if (!(error instanceof ApiError) || error.code !== 'invalid_input' || !sent) return [];
  return error.errors.flatMap(({ path }) => {
    const index = /^body\.hiddenFromEmployerIds\.(\d+)$/.exec(path)?.[1];
    const id = index === undefined ? undefined : sent[Number(index)];
    return id === undefined ? [] : [id];
  });
}

/** The privacy fields of a candidate (`PATCH /v1/candidates/{id}` with `{ paused }` or `{ hiddenFromEmployerIds }`). */
export type PrivacySettings = Pick<Schemas['Candidate'], 'paused' | 'hiddenFromEmployerIds'>;

/**
 * `<mutualfit-privacy>`: pause the profile, hide it from employers (the `employers` property lists
 * the employers to offer as `{ id, name }`, e.g. from the matches' `job`; those already hidden from
 * come with their names from the API), download all stored data, erase everything
 * (after a confirmation dialog).
 * An employer deleted while the page is open is taken off the list when saving meets it, the
 * choice is saved for the others, and the page says so.
 * Events: `mutualfit-privacy-changed` ({ paused, hiddenFromEmployerIds }), `mutualfit-employers-gone`
 * ({ employerIds }: take them off the `employers` given), `mutualfit-exported`,
 * `mutualfit-erased` ({ candidateId }), plus the shared ones.
 */
export class MutualfitPrivacy extends MutualfitElement {
  static override properties = {
    ...MutualfitElement.properties,
    employers: { attribute: false },
    settings: { state: true },
    hiddenEmployers: { state: true },
    chosen: { state: true },
    gone: { state: true },
    problem: { state: true },
    notice: { state: true },
    busy: { state: true },
  };

  declare employers: EmployerChoice[];
  declare settings: PrivacySettings | undefined;
  declare hiddenEmployers: EmployerChoice[];
  declare chosen: string[];
  /** Employers deleted since the page was opened: no longer offered. */
  declare gone: string[];
  declare problem: string;
  declare notice: string;
  declare busy: boolean;

  constructor() {
    super();
    this.employers = [];
    this.hiddenEmployers = [];
    this.chosen = [];
    this.gone = [];
    this.problem = '';
    this.notice = '';
    this.busy = false;
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (this.session && this.contextChanged(changed)) void this.load();
  }

  private async load(): Promise<void> {
    try {
      const id = await this.candidate();
      const { candidate } = await must(this.api.GET('/v1/candidates/{id}', { params: { path: { id } } }));
      this.adopt(candidate);
    } catch (error) {
      this.problem = this.report(error);
    }
  }

  /**
   * Takes the stored settings; the employers ticked but not saved yet stay ticked unless `hidden` was
   * saved. The hidden employers are those the API names (a deleted one is in no hidden list); one
   * no longer hidden stays on offer until the page is left, so it can be ticked again.
   */
  private adopt(candidate: Schemas['Candidate'], hidden = true): void {
    const named = candidate.hiddenFromEmployers ?? [];
    this.hiddenEmployers = byId(this.hiddenEmployers, named);
    this.settings = {
      paused: candidate.paused ?? false,
      hiddenFromEmployerIds: named.map((employer) => employer.id),
    };
    if (hidden) this.chosen = [...this.settings.hiddenFromEmployerIds];
  }

  /**
   * Runs a call with the controls disabled, which takes the focus from the one in use; gives it
   * back after, so a keyboard user is not sent to the page's start.
   */
  private async whileBusy(work: () => Promise<void>): Promise<void> {
    const control = (this.renderRoot as ShadowRoot).activeElement as HTMLElement | null;
    this.busy = true;
    try {
      await work();
    } finally {
      this.busy = false;
    }
    await this.updateComplete;
    if (control?.isConnected) control.focus();
  }

  private change(patch: Partial<PrivacySettings>, notice: string): Promise<void> {
    return this.whileBusy(() => this.save(patch, notice));
  }

  private async save(patch: Partial<PrivacySettings>, notice: string): Promise<void> {
    this.problem = '';
    this.notice = '';
    try {
      const id = await this.candidate();
      const { candidate, gone } = await this.patchWithoutGone(id, patch);
      this.adopt(candidate, 'hiddenFromEmployerIds' in patch);
      this.notice = gone.length === 0 ? notice : `${notice} ${this.t('p.gone', { names: gone.join(', ') })}`;
      this.emit('mutualfit-privacy-changed', this.settings);
    } catch (error) {
      this.problem = this.report(error);
    }
  }

  /**
   * PATCHes the candidate. When the API names employers of the hidden list that no longer exist,
   * takes them off the page and sends the rest once more; answers with their names.
   */
  private async patchWithoutGone(id: string, patch: Partial<PrivacySettings>) {
    const send = (body: Partial<PrivacySettings>) =>
      must(this.api.PATCH('/v1/candidates/{id}', { params: { path: { id } }, body }));
    try {
      return { ...(await send(patch)), gone: [] };
    } catch (error) {
      const gone = goneEmployers(error, patch.hiddenFromEmployerIds);
      if (gone.length === 0) throw error;
      const offered = new Map(this.choices().map((e) => [e.id, e.name]));
      const names = gone.map((employerId) => offered.get(employerId) ?? employerId);
      this.forget(gone);
      const rest = patch.hiddenFromEmployerIds!.filter((employerId) => !gone.includes(employerId));
      return { ...(await send({ ...patch, hiddenFromEmployerIds: rest })), gone: names };
    }
  }

  /** Takes deleted employers off the list, and tells the page that gave them. */
  private forget(employerIds: string[]): void {
    this.gone = [...this.gone, ...employerIds];
    this.chosen = this.chosen.filter((id) => !employerIds.includes(id));
    this.emit('mutualfit-employers-gone', { employerIds });
  }

  /** The employers offered: those given and those hidden from, less any deleted meanwhile. */
  private choices(): EmployerChoice[] {
    return byId(this.employers, this.hiddenEmployers).filter(({ id }) => !this.gone.includes(id));
  }

  private download(): Promise<void> {
    return this.whileBusy(() => this.fetchExport());
  }

  private async fetchExport(): Promise<void> {
    this.problem = '';
    try {
      const id = await this.candidate();
      const data = await must(this.api.GET('/v1/candidates/{id}/export', { params: { path: { id } } }));
      const url = URL.createObjectURL(
        new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }),
      );
      const link = document.createElement('a');
      link.href = url;
      link.download = `mutualfit-${id}.json`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      this.emit('mutualfit-exported', { candidateId: id });
    } catch (error) {
      this.problem = this.report(error);
    }
  }

  private get dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  private async erase(): Promise<void> {
    this.busy = true;
    try {
      const id = await this.candidate();
      await must(this.api.DELETE('/v1/candidates/{id}', { params: { path: { id } } }));
      this.dialog?.close();
      this.emit('mutualfit-erased', { candidateId: id });
    } catch (error) {
      this.dialog?.close();
      this.problem = this.report(error);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const settings = this.settings;
    const choices = this.choices();
    return html`
      <h2>${this.t('p.title')}</h2>
      <div class="error" role="alert">${this.problem}</div>
      <div class="status" role="status">${this.notice}</div>
      ${
        settings
          ? html`<section class="card">
              <label class="choice">
                <input type="checkbox" .checked=${settings.paused} ?disabled=${this.busy}
                  @change=${(e: Event) => {
                    const paused = (e.target as HTMLInputElement).checked;
                    void this.change({ paused }, this.t(paused ? 'p.paused' : 'p.active'));
                  }} />
                <span>${this.t('p.pause')}</span>
              </label>
            </section>
            <section class="card">
              <fieldset>
                <legend>${this.t('p.hide')}</legend>
                ${choices.length === 0 ? html`<p class="muted">${this.t('p.noEmployers')}</p>` : nothing}
                ${choices.map(
                  ({ id, name }) => html`<label class="choice">
                    <input type="checkbox" .checked=${this.chosen.includes(id)}
                      @change=${(e: Event) => {
                        const on = (e.target as HTMLInputElement).checked;
                        this.chosen = on ? [...this.chosen, id] : this.chosen.filter((h) => h !== id);
                      }} />
                    <span>${name}</span>
                  </label>`,
                )}
              </fieldset>
              <button class="secondary" ?disabled=${this.busy || choices.length === 0}
                @click=${() => this.change({ hiddenFromEmployerIds: this.chosen }, this.t('p.savedHidden'))}>
                ${this.t('p.saveHidden')}
              </button>
            </section>`
          : html`<p class="muted">${this.problem ? '' : this.t('app.loading')}</p>`
      }
      <section class="card">
        <p id="export-help" class="muted">${this.t('p.exportHelp')}</p>
        <button class="secondary" aria-describedby="export-help" ?disabled=${this.busy} @click=${() => this.download()}>${this.t('p.export')}</button>
      </section>
      <section class="card">
        <p id="erase-help" class="muted">${this.t('p.eraseHelp')}</p>
        <button class="danger" aria-describedby="erase-help" @click=${() => this.dialog?.showModal()}>${this.t('p.erase')}</button>
      </section>
      <dialog aria-labelledby="confirm-title" aria-describedby="confirm-body">
        <h3 id="confirm-title">${this.t('p.confirmTitle')}</h3>
        <p id="confirm-body">${this.t('p.confirmBody')}</p>
        <div class="actions">
          <button class="secondary" autofocus @click=${() => this.dialog?.close()}>${this.t('p.cancel')}</button>
          <button class="danger" ?disabled=${this.busy} @click=${() => this.erase()}>${this.t('p.confirm')}</button>
        </div>
      </dialog>
    `;
  }
}
