import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scorePair } from '../../src/matching/score.ts';
import { scoreMethods } from '../../src/matching/types.ts';
import type { QuestionnaireDefinition } from '../../src/questionnaires/definition.ts';
import {
  CANDIDATES,
  type Command,
  command,
  EMPLOYERS,
  JOBS,
  type ModelProfile,
  miniAnswerSet,
  pairId,
  plural,
  readFeed,
  referenceAbove,
  type Side,
  threshold,
} from '../support/alert-model.ts';
import { useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import {
  type Caller,
  createCandidate,
  createEmployer,
  createJob,
  createWorkspace,
} from '../support/factories.ts';
import { loadMini } from '../support/matching-factories.ts';

interface Followed {
  threshold: number;
  pairs: Map<string, number>;
  cursor: string | null;
}

const RUNS = Number(process.env.ALERT_PROPERTY_RUNS ?? 25);
describe.each(availableDatabaseKinds())('alerts against the reference scorer on %s', (kind) => {
  const t = useTestApp({ kind });
  let mini: QuestionnaireDefinition;
  const stats = { events: 0 };

  it('replaying a subject’s events onto its set at alert-on gives its listing above the threshold, after every write', async () => {
    mini = await loadMini();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...scoreMethods),
        fc.array(miniAnswerSet, { minLength: JOBS + CANDIDATES, maxLength: JOBS + CANDIDATES }),
        fc.array(fc.option(threshold, { nil: undefined }), {
          minLength: JOBS + CANDIDATES,
          maxLength: JOBS + CANDIDATES,
        }),
        fc.array(command, { minLength: 1, maxLength: 24 }),
        async (method, initial, initialAlerts, commands) => {
          const { admin, adminKey } = await createWorkspace(t.app);
          expect((await admin.patch('/v1/workspace', { scoreMethod: method })).statusCode).toBe(200);
          const employerIds: string[] = [];
          for (let e = 0; e < EMPLOYERS; e++) employerIds.push((await createEmployer(t.app, adminKey)).id);
          const jobIds: string[] = [];
          const candidateIds: string[] = [];
          const jobs = new Map<string, ModelProfile>();
          const candidates = new Map<string, ModelProfile>();
          for (let i = 0; i < JOBS; i++) {
            const job = await createJob(t.app, adminKey, employerIds[i % EMPLOYERS]!);
            jobIds.push(job.id);
            const profile = {
              answers: undefined,
              minScore: 0.5,
              open: true,
              alive: true,
              employer: i % EMPLOYERS,
            };
            jobs.set(job.id, profile);
          }
          for (let i = 0; i < CANDIDATES; i++) {
            const candidate = await createCandidate(t.app, adminKey, { externalId: `c-${i}` });
            candidateIds.push(candidate.id);
            candidates.set(candidate.id, {
              answers: undefined,
              minScore: 0.5,
              open: true,
              alive: true,
              hiddenFrom: [],
            });
          }
          const followed = new Map<string, Followed & { side: Side; id: string }>();
          let bulks = 0;
          const idOf = (side: Side, i: number) => (side === 'job' ? jobIds[i]! : candidateIds[i]!);
          const profileOf = (side: Side, i: number) =>
            (side === 'job' ? jobs : candidates).get(idOf(side, i))!;
          const scoreOf = (jobId: string, candidateId: string) => {
            const job = jobs.get(jobId)!;
            const candidate = candidates.get(candidateId)!;
            return scorePair(
              mini,
              { answers: job.answers!, minScore: job.minScore },
              { answers: candidate.answers!, minScore: candidate.minScore },
              method,
            ).score;
          };
          const expected = (side: Side, id: string, min: number) =>
            referenceAbove(mini, method, side, id, min, jobs, candidates);

          for (const [k, answers] of initial.entries()) {
            const side: Side = k < JOBS ? 'job' : 'candidate';
            await apply(admin, { kind: 'answers', side, i: side === 'job' ? k : k - JOBS, answers });
          }
          for (const [k, minScore] of initialAlerts.entries()) {
            const side: Side = k < JOBS ? 'job' : 'candidate';
            await apply(admin, { kind: 'alertOn', side, i: side === 'job' ? k : k - JOBS, minScore });
          }
          for (const step of commands) {
            await apply(admin, step);
            for (const alert of followed.values()) {
              const { events, cursor } = await readFeed(admin, alert.side, alert.id, alert.cursor);
              alert.cursor = cursor;
              for (const event of events) {
                expect(event.alertOf).toBe(alert.side);
                const key = pairId(event.jobId, event.candidateId);
                if (event.type === 'match.created') {
                  expect(alert.pairs.has(key), `created twice: ${key}`).toBe(false);
                  alert.pairs.set(key, event.score!);
                  expect(event.score).toBe(scoreOf(event.jobId, event.candidateId));
                } else {
                  expect(alert.pairs.has(key), `removed but never created: ${key}`).toBe(true);
                  alert.pairs.delete(key);
                }
              }
              stats.events += events.length;
              expect([...alert.pairs.keys()].sort()).toEqual(
                [...expected(alert.side, alert.id, alert.threshold)].sort(),
              );
            }
          }

          async function apply(api: Caller, step: Command) {
            if (step.kind === 'status') {
              const job = profileOf('job', step.i);
              expect(
                (
                  await api.patch(`/v1/jobs/${idOf('job', step.i)}`, {
                    status: step.open ? 'open' : 'closed',
                  })
                ).statusCode,
              ).toBe(200);
              job.open = step.open;
              return;
            }
            if (step.kind === 'bulk') {
              // An erased candidate's externalId would make a new candidate: its lines are left out.
              const lines = step.lines.filter((line) => profileOf('candidate', line.i).alive);
              if (lines.length === 0) return;
              const body = lines
                .map(({ i, answers, minScore }) =>
                  JSON.stringify({
                    externalId: `c-${i}`,
                    contact: { name: `Person ${i}`, email: `c-${i}-${idOf('candidate', i)}@example.com` },
                    minScore,
                    questionnaireId: 'mini',
                    answers,
                  }),
                )
                .join('\n');
              const response = await t.app.inject({
                method: 'POST',
                url: '/v1/candidates:bulk',
                headers: {
                  authorization: `Bearer ${adminKey}`,
                  'content-type': 'application/x-ndjson',
                  'idempotency-key': `bulk-${idOf('candidate', 0)}-${++bulks}`,
                },
                payload: body,
              });
              expect(response.statusCode, response.body).toBe(200);
              // A line may happen to give what is stored: it is unchanged, and raises nothing.
              const { summary } = response.json();
              expect(summary).toMatchObject({ created: 0, failed: 0 });
              expect(summary.updated + summary.unchanged).toBe(lines.length);
              for (const { i, answers, minScore } of lines) {
                profileOf('candidate', i).answers = answers;
                profileOf('candidate', i).minScore = minScore;
              }
              return;
            }
            if (step.kind === 'erase') {
              const candidate = profileOf('candidate', step.i);
              if (!candidate.alive) return;
              expect((await api.delete(`/v1/candidates/${idOf('candidate', step.i)}`)).statusCode).toBe(204);
              candidate.alive = false;
              followed.delete(`candidate:${idOf('candidate', step.i)}`);
              return;
            }
            if (step.kind === 'pause' || step.kind === 'hide') {
              const candidate = profileOf('candidate', step.i);
              if (!candidate.alive) return;
              const change =
                step.kind === 'pause'
                  ? { paused: step.paused }
                  : { hiddenFromEmployerIds: step.employers.map((e) => employerIds[e]!) };
              const response = await api.patch(`/v1/candidates/${idOf('candidate', step.i)}`, change);
              expect(response.statusCode, response.body).toBe(200);
              if (step.kind === 'pause') candidate.open = !step.paused;
              else candidate.hiddenFrom = step.employers;
              return;
            }
            const profile = profileOf(step.side, step.i);
            if (!profile.alive) return;
            const id = idOf(step.side, step.i);
            const base = `/v1/${plural(step.side)}/${id}`;
            switch (step.kind) {
              case 'answers': {
                const response = await api.put(`${base}/answers`, {
                  questionnaireId: 'mini',
                  answers: step.answers,
                });
                expect(response.statusCode, response.body).toBe(200);
                profile.answers = step.answers;
                return;
              }
              case 'minScore':
                expect((await api.patch(base, { minScore: step.minScore })).statusCode).toBe(200);
                profile.minScore = step.minScore;
                return;
              case 'alertOn': {
                const response = await api.put(
                  `${base}/alert`,
                  step.minScore === undefined ? {} : { minScore: step.minScore },
                );
                expect(response.statusCode, response.body).toBe(200);
                const threshold = response.json().alert.minScore as number;
                expect(threshold).toBe(step.minScore ?? profile.minScore);
                const start = expected(step.side, id, threshold);
                // Events from before this alert-on (an earlier alert of the subject) are not replayed.
                const { cursor } = await readFeed(api, step.side, id, null);
                followed.set(`${step.side}:${id}`, {
                  side: step.side,
                  id,
                  threshold,
                  pairs: new Map([...start].map((key) => [key, 0])),
                  cursor,
                });
                return;
              }
              case 'alertOff': {
                const response = await api.delete(`${base}/alert`);
                expect(response.statusCode).toBe(followed.has(`${step.side}:${id}`) ? 204 : 404);
                followed.delete(`${step.side}:${id}`);
                return;
              }
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
    // The runs must cross thresholds often, or they would check little.
    expect(stats.events).toBeGreaterThan(RUNS * 2);
  }, 600_000);
});
