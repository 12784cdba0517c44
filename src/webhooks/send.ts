import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { guardedLookup, urlProblem } from './url-guard.ts';

export interface SendResult {
  /** the receiver's HTTP status, when it answered */
  statusCode?: number | undefined;
  /** why there was no answer, as the subscriber may see it: one text for every failure to connect */
  error?: string | undefined;
  /** the failure as it happened (refused, timed out, TLS…), for the service's log only */
  cause?: string | undefined;
  /** the receiver's Retry-After, in ms */
  retryAfterMs?: number | undefined;
}

export type Send = (
  url: string,
  message: { body: string; headers: Record<string, string> },
  options: { timeoutMs: number; allowInsecure: boolean },
) => Promise<SendResult>;

/** POSTs one signed message; never follows redirects, never throws. */
export const postWebhook: Send = (url, message, { timeoutMs, allowInsecure }) => {
  const problem = urlProblem(url, allowInsecure);
  // The reason in the delivery log and in the service's own (`webhook attempt`'s cause).
  if (problem) return Promise.resolve({ error: `the URL ${problem}`, cause: `the URL ${problem}` });
  const target = new URL(url);
  const options: RequestOptions = {
    method: 'POST',
    headers: {
      ...message.headers,
      'content-length': String(Buffer.byteLength(message.body)),
      'user-agent': 'mutualfit-webhooks/1',
    },
    ...(allowInsecure ? {} : { lookup: guardedLookup }),
  };
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    // A whole-request deadline, not an idle timeout: a receiver trickling bytes cannot hold a worker.
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    // Before an answer, every failure reads the same to the subscriber: "refused" against "timed
    // out" against "TLS failed" would make the delivery log a port scanner of other people's hosts.
    const noAnswer = `no HTTP answer: the receiver could not be reached, or did not answer within ${timeoutMs} ms`;
    const req = request(target, options, (res: IncomingMessage) => {
      // The status is the answer: a 2xx means the receiver has the event, whatever its body does.
      resolve({ statusCode: res.statusCode, retryAfterMs: retryAfterMs(res.headers['retry-after']) });
      // The body is not needed: read and discard it, within the same deadline, so the socket is freed.
      res.on('end', () => clearTimeout(deadline));
      res.on('error', () => clearTimeout(deadline));
      res.resume();
    });
    req.on('error', (err) => {
      clearTimeout(deadline);
      resolve({ error: noAnswer, cause: err.message });
    });
    req.end(message.body);
  });
};

function retryAfterMs(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
