import { describe, expect, it } from 'vitest';
import { ApiError, toApiError } from '../src/api/client.ts';
import { failureMessage } from '../src/i18n/failure.ts';

const answer = (status: number, code: string, headers: Record<string, string> = {}) =>
  toApiError(
    { code, detail: `The service's own English text for ${code}`, status },
    new Response(null, { status, headers }),
  );

describe('what a person is told when a call failed', () => {
  it('says in their language how long to wait after a 429, from Retry-After', () => {
    const limited = answer(429, 'rate_limited', { 'retry-after': '42' });
    expect(limited.retryAfter).toBe(42);
    expect(failureMessage('fr', limited)).toBe(
      'Trop de demandes en peu de temps. Réessayez dans 42 secondes.',
    );
    expect(failureMessage('nl', answer(429, 'rate_limited'))).toBe(
      'Te veel verzoeken in korte tijd. Wacht even en probeer het dan opnieuw.',
    );
  });

  it('says the service is briefly unavailable for a 503, and that the fault is ours for a 500, without the English detail', () => {
    for (const code of ['database_unavailable', 'not_ready'])
      expect(
        failureMessage('nl', answer(503, code, { 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' })),
      ).toBe('De dienst is even niet beschikbaar. Probeer het zo meteen opnieuw.');
    expect(failureMessage('fr', answer(500, 'internal'))).toBe(
      'Une erreur s’est produite de notre côté. Réessayez dans un instant.',
    );
    expect(failureMessage('en', answer(502, 'unexpected_response'))).toBe(
      'Something went wrong on our side. Try again in a moment.',
    );
  });

  it('says in their language why the profile’s own state refuses a step (paused, hidden, not a match)', () => {
    expect(failureMessage('nl', answer(409, 'candidate_paused'))).toBe(
      'Je profiel is gepauzeerd: hervat het eerst.',
    );
    expect(failureMessage('fr', answer(409, 'hidden_from_employer'))).toBe(
      'Vous masquez votre profil à cet employeur : montrez-le-lui d’abord à nouveau.',
    );
    expect(failureMessage('en', answer(409, 'not_acceptable_pair'))).toBe(
      'This job and your profile do not match at the moment, so this is not possible now.',
    );
  });

  it('keeps the API’s detail for a refusal it has no message of its own for, and names an ended session and no connection', () => {
    expect(failureMessage('en', answer(422, 'invalid_input'))).toBe(
      "Something went wrong: The service's own English text for invalid_input",
    );
    expect(failureMessage('fr', answer(401, 'unauthorized'))).toBe('Ce lien a expiré');
    expect(
      failureMessage('nl', new ApiError({ status: 0, code: 'network_error', detail: 'Failed to fetch' })),
    ).toBe('De dienst is niet bereikbaar. Controleer je verbinding en probeer opnieuw.');
  });
});
