import { describe, expect, it } from 'vitest';
import { ApiError, createApi, must, toApiError } from '../src/api/client.ts';

const problem = (status: number, body: object) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json' } });

describe('the API client', () => {
  it('turns a problem+json answer into an ApiError with its code, detail, request id and field errors', async () => {
    const api = createApi('https://api.example/', 'mfs_token', async () =>
      problem(422, {
        type: 'about:blank',
        title: 'The answers are not valid',
        status: 422,
        code: 'invalid_answers',
        detail: 'remote: min must not exceed max',
        requestId: 'req-1',
        errors: [{ path: 'answers.remote.accept', message: 'min > max' }],
      }),
    );
    const error = await must(api.GET('/v1/questionnaires')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 422,
      code: 'invalid_answers',
      detail: 'remote: min must not exceed max',
      requestId: 'req-1',
      errors: [{ path: 'answers.remote.accept', message: 'min > max' }],
      sessionEnded: false,
    });
  });

  it('marks a 401 as an ended session', () => {
    const error = toApiError(
      { code: 'unauthorized', detail: 'The session expired', status: 401 },
      new Response(null, { status: 401 }),
    );
    expect(error.sessionEnded).toBe(true);
  });

  it('maps an answer that is not a problem to unexpected_response, and no answer to network_error', async () => {
    const html = toApiError(
      '<html>bad gateway</html>',
      new Response('', { status: 502, statusText: 'Bad Gateway' }),
    );
    expect(html).toMatchObject({ status: 502, code: 'unexpected_response' });
    const offline = createApi('https://api.example', 'mfs_token', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(must(offline.GET('/v1/questionnaires'))).rejects.toMatchObject({
      status: 0,
      code: 'network_error',
    });
  });

  it('sends the session only as the Bearer credential of the API base it was given', async () => {
    const seen: Request[] = [];
    const api = createApi('https://api.example/', 'mfs_secret', async (input) => {
      seen.push(input as Request);
      return Response.json({ questionnaires: [] });
    });
    expect(await must(api.GET('/v1/questionnaires'))).toEqual({ questionnaires: [] });
    expect(seen[0]?.url).toBe('https://api.example/v1/questionnaires');
    expect(seen[0]?.headers.get('authorization')).toBe('Bearer mfs_secret');
  });
});
