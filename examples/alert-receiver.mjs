// A minimal receiver of mutualfit alerts (match.created / match.removed), verifying each request's
// Standard Webhooks signature before trusting it. Node 22+, one dependency: `npm install standardwebhooks`.
//
//   MUTUALFIT_WEBHOOK_SECRET=whsec_... node examples/alert-receiver.mjs
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

const secret = process.env.MUTUALFIT_WEBHOOK_SECRET;
if (!secret) throw new Error('set MUTUALFIT_WEBHOOK_SECRET to the subscription secret (whsec_…)');
const verifier = new Webhook(secret);
const seen = new Set(); // webhook-ids handled (keep them in a database in real use)
const matches = new Map(); // "alertOf:jobId:candidateId" → score

createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    let event;
    try {
      // Checks webhook-id, webhook-timestamp (within 5 minutes) and webhook-signature over the raw body.
      event = verifier.verify(body, req.headers);
    } catch {
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
}).listen(Number(process.env.PORT ?? 8080));
