import { html, type PropertyValues } from 'lit';
import type { MessageKey } from '../i18n/index.ts';
import { MutualfitElement } from './base.ts';

/**
 * What a list element over a paged API listing shares: the `limit` attribute, the items loaded so
 * far, "show more" through the listing's cursor, and the error line. A subclass fetches one page
 * and says what it emits once loaded.
 */
export abstract class MutualfitPagedList<T> extends MutualfitElement {
  static override properties = {
    ...MutualfitElement.properties,
    limit: { type: Number },
    items: { state: true },
    nextCursor: { state: true },
    problem: { state: true },
    loading: { state: true },
  };

  declare limit: number;
  declare items: T[] | undefined;
  declare nextCursor: string | null;
  declare problem: string;
  declare loading: boolean;

  constructor() {
    super();
    this.limit = 20;
    this.nextCursor = null;
    this.problem = '';
    this.loading = false;
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (this.session && (this.contextChanged(changed) || changed.has('limit'))) void this.load();
  }

  /** One page of the listing, after `cursor` (null: the first). */
  protected abstract page(cursor: string | null): Promise<{ items: T[]; nextCursor: string | null }>;

  /** Tells the host page what is listed now. */
  protected abstract loaded(items: T[]): void;

  /** A failure the list shows as a state of its own (true), not as an error. */
  protected handled(_error: unknown): boolean {
    return false;
  }

  /** Loads the first page again (or the next one with `more`). */
  async load(more = false): Promise<void> {
    this.loading = true;
    this.problem = '';
    try {
      const page = await this.page(more ? this.nextCursor : null);
      this.items = more ? [...(this.items ?? []), ...page.items] : page.items;
      this.nextCursor = page.nextCursor;
      this.loaded(this.items);
    } catch (error) {
      if (!this.handled(error)) this.problem = this.report(error);
    } finally {
      this.loading = false;
    }
  }

  /** The page's start before anything is loaded: the heading, the error line, "Loading…". */
  protected pending(title: MessageKey) {
    return html`<h2>${this.t(title)}</h2><div class="error" role="alert">${this.problem}</div><p class="muted">${this.problem ? '' : this.t('app.loading')}</p>`;
  }

  protected more(label: MessageKey) {
    if (!this.nextCursor) return '';
    return html`<button class="secondary" ?disabled=${this.loading} @click=${() => this.load(true)}>${this.t(label)}</button>`;
  }
}
