import { ApiError } from '../api/client.ts';
import { type Locale, type MessageKey, translate } from './index.ts';

/** The 409s a candidate meets for a state of their own profile or of the pair, with what to say. */
const refusals: Partial<Record<string, MessageKey>> = {
  candidate_paused: 'error.paused',
  hidden_from_employer: 'error.hidden',
  not_acceptable_pair: 'error.notAcceptable',
};

/**
 * What a person is told when a call failed, in their language. The API's `detail` is English and
 * written for developers: it is shown only for a refusal no message here covers, never for the
 * passing states (too many requests, the service unavailable) a person can only wait out.
 */
export function failureMessage(locale: Locale, error: unknown): string {
  if (!(error instanceof ApiError))
    return translate(locale, 'error.generic', {
      detail: error instanceof Error ? error.message : String(error),
    });
  if (error.sessionEnded) return translate(locale, 'expired.title');
  if (error.code === 'network_error') return translate(locale, 'error.network');
  if (error.status === 429)
    return error.retryAfter === undefined
      ? translate(locale, 'error.rateLimited')
      : translate(locale, 'error.rateLimitedFor', { seconds: Math.max(1, error.retryAfter) });
  const refusal = refusals[error.code];
  if (refusal) return translate(locale, refusal);
  if (error.status === 503) return translate(locale, 'error.unavailable');
  if (error.status >= 500) return translate(locale, 'error.server');
  return translate(locale, 'error.generic', { detail: error.detail });
}
