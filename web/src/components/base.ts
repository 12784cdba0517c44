import { LitElement, type PropertyValues } from 'lit';
import { type Api, ApiError, createApi, must } from '../api/client.ts';
import { failureMessage } from '../i18n/failure.ts';
import { type Locale, type MessageKey, pickLocale, translate } from '../i18n/index.ts';
import { sharedStyles } from './styles.ts';

/** `detail` of `mutualfit-error`: the failed call's problem code and text. */
export interface ErrorDetail {
  code: string;
  detail: string;
  status: number;
}

const whoCache = new Map<string, Promise<string>>();

/**
 * What every mutualfit element shares: `api-base` and `locale` attributes, the `session` property
 * (never an attribute, so the token stays out of the DOM), the API client, translations, and the
 * `mutualfit-error` / `mutualfit-session-expired` events.
 */
export class MutualfitElement extends LitElement {
  static override properties = {
    apiBase: { type: String, attribute: 'api-base' },
    locale: { type: String },
    session: { attribute: false },
    candidateId: { type: String, attribute: 'candidate-id' },
  };

  static override styles = [sharedStyles];

  declare apiBase: string;
  declare locale: string;
  declare session: string | undefined;
  /** Optional: found from the session when left out. */
  declare candidateId: string | undefined;

  constructor() {
    super();
    this.apiBase = '';
    this.locale = 'en';
  }

  protected get lang2(): Locale {
    return pickLocale(this.locale);
  }

  protected t(key: MessageKey, values?: Record<string, string | number>): string {
    return translate(this.lang2, key, values);
  }

  protected get api(): Api {
    if (!this.session) throw new ApiError({ status: 401, code: 'unauthorized', detail: 'No session' });
    return createApi(this.apiBase || location.origin, this.session);
  }

  /** The candidate this element acts for: the attribute, else who the session belongs to. */
  protected async candidate(): Promise<string> {
    if (this.candidateId) return this.candidateId;
    const key = `${this.apiBase}\n${this.session}`;
    let who = whoCache.get(key);
    if (!who) {
      who = must(this.api.GET('/v1/sessions/current')).then(({ session }) => {
        if (session.role !== 'candidate')
          throw new ApiError({ status: 404, code: 'not_found', detail: 'Not a candidate session' });
        return session.candidateId;
      });
      whoCache.set(key, who);
      who.catch(() => whoCache.delete(key));
    }
    return who;
  }

  /** Sends a composed event that host pages can listen to on the element or any ancestor. */
  protected emit<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  /** Reports a failure: `mutualfit-session-expired` for a 401, else `mutualfit-error`. Returns the text to show. */
  protected report(error: unknown): string {
    const failure =
      error instanceof ApiError
        ? error
        : new ApiError({
            status: 0,
            code: 'client_error',
            detail: error instanceof Error ? error.message : String(error),
          });
    if (failure.sessionEnded)
      this.emit('mutualfit-session-expired', { code: failure.code, detail: failure.detail });
    else
      this.emit<ErrorDetail>('mutualfit-error', {
        code: failure.code,
        detail: failure.detail,
        status: failure.status,
      });
    return failureMessage(this.lang2, failure);
  }

  /** Whether a change needs the data reloaded. */
  protected contextChanged(changed: PropertyValues): boolean {
    return changed.has('session') || changed.has('apiBase') || changed.has('candidateId');
  }
}
