// A minimal receiver of mutualfit alerts (match.created / match.removed), verifying each request's
// Standard Webhooks signature before trusting it. Node 22+, one dependency: `npm install standardwebhooks`.
//
//   MUTUALFIT_WEBHOOK_SECRET=whsec_... node examples/alert-receiver.mjs
//
// Rotating the secret (POST /v1/webhooks/{id}/secret/rotate): during the overlap every request is
// signed with the new and the old secret, so this receiver keeps verifying with the old one. Give it
// the new one before the overlap ends; it takes several, space- or comma-separated, and accepts a
// request any of them verifies:
//
//   MUTUALFIT_WEBHOOK_SECRET="whsec_new... whsec_old..." node examples/alert-receiver.mjs
//
// Subscribe it (admin key): POST /v1/webhooks {"url":"https://<this host>/hooks","eventTypes":["match.created","match.removed","candidate.erased"]}
// It serves plain http: put it behind your TLS proxy, or, to try it on one machine, start mutualfit
// with WEBHOOK_ALLOW_INSECURE_URLS=true and subscribe "http://127.0.0.1:8080/hooks" (development only).
// Delivery is at least once: de-duplicate on webhook-id. Events of one alert are written in order,
// but once retries happen they can arrive out of order (a retried match.created after the pair's
// newer match.removed), so the last event received is not the current state: the map below is a
// sketch. When order matters, read the pull feed (GET /v1/jobs/{id}/alert/events), which is ordered,
// or the resource itself (the subject's listing).
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';

const secrets = (process.env.MUTUALFIT_WEBHOOK_SECRET ?? '').split(/[\s,]+/).filter(Boolean);
if (secrets.length === 0)
  throw new Error('set MUTUALFIT_WEBHOOK_SECRET to the subscription secret (whsec_…)');
const verifiers = secrets.map((secret) => new Webhook(secret));
const seen = new Set(); // webhook-ids handled (keep them in a database in real use)
const matches = new Map(); // "alertOf:jobId:candidateId" → score

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const event = verified(body, req.headers);
    if (!event) {
      res.writeHead(400).end();
      return;
    }
    const id = req.headers['webhook-id'];
    if (!seen.has(id)) {
      seen.add(id);
      const { jobId, candidateId, score, alertOf } = event.data ?? {};
      const key = `${alertOf}:${jobId}:${candidateId}`;
      if (event.type === 'match.created') matches.set(key, score);
      if (event.type === 'match.removed') matches.delete(key);
      if (event.type === 'candidate.erased')
        for (const k of matches.keys()) if (k.endsWith(`:${event.data.candidateId}`)) matches.delete(k);
      const what = event.type.startsWith('match.') ? `${key} ${score}` : JSON.stringify(event.data);
      process.stdout.write(`${event.type} ${what} (${matches.size} pairs above threshold)\n`);
    }
    res.writeHead(204).end();
  });
});
server.listen(Number(process.env.PORT ?? 8080), () => {
  process.stdout.write(`listening on port ${server.address().port}\n`);
});

/**
 * The event, if one of our secrets verifies the request: each checks webhook-id, webhook-timestamp
 * (within 5 minutes) and webhook-signature over the raw body, and a signature header may carry
 * several signatures (`v1,<new> v1,<old>` during a rotation), of which one must match.
 */
function verified(body, headers) {
  for (const verifier of verifiers) {
    try {
      return verifier.verify(body, headers);
    } catch {
      // not signed with this secret: try the next
    }
  }
  return undefined;
}
