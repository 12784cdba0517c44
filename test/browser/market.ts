import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { AnswerSet } from '../../src/answers/types.ts';
import {
  caller,
  createCandidate,
  createEmployer,
  createJob,
  createWorkspace,
  mintKey,
} from '../support/factories.ts';
import { goodCandidate, jobAnswers, otherJobAnswers, putAnswers } from '../support/matching-factories.ts';

/**
 * A small market on the `mini` questionnaire, built through the API as a partner's backend
 * would: two employers, three jobs, and a candidate with no answers yet. Answering the way
 * `goodCandidate` does matches the first two jobs; the third pays less than that candidate's
 * salary dealbreaker.
 */
export async function buildMarket(app: FastifyInstance) {
  const { workspace, adminKey, admin } = await createWorkspace(app);
  // Names as a job board would show them (the screenshots in docs/ are taken on this market).
  const employer = await createEmployer(app, adminKey, { name: 'Northwind Logistics' });
  const otherEmployer = await createEmployer(app, adminKey, { name: 'Bakkerij De Korenaar' });
  const job = await createJob(app, adminKey, employer.id, { title: 'Warehouse team lead' });
  const otherJob = await createJob(app, adminKey, otherEmployer.id, { title: 'Bakery shift manager' });
  const cheapJob = await createJob(app, adminKey, employer.id, { title: 'Order picker' });
  await putAnswers(admin, `/v1/jobs/${job.id}/answers`, jobAnswers);
  await putAnswers(admin, `/v1/jobs/${otherJob.id}/answers`, otherJobAnswers);
  await putAnswers(admin, `/v1/jobs/${cheapJob.id}/answers`, {
    ...jobAnswers,
    salary: { value: 3000, accept: { max: 4500 }, importance: 'dealbreaker' },
  });
  const candidate = await createCandidate(app, adminKey);
  const employerKey = await mintKey(app, adminKey, { role: 'employer', employerId: employer.id });
  return {
    workspace,
    adminKey,
    admin,
    employer,
    otherEmployer,
    job,
    otherJob,
    cheapJob,
    candidate,
    /** The first employer's API, as its own backend calls it. */
    employerApi: caller(app, employerKey.key),
  };
}
export type Market = Awaited<ReturnType<typeof buildMarket>>;

/** The answers the keyboard test gives, as the API should then store them. */
export const keyboardAnswers: AnswerSet = goodCandidate;

/** An answer set with every array sorted, so two sets compare whatever order options were ticked in. */
export function sortedAnswers(answers: AnswerSet): unknown {
  return JSON.parse(
    JSON.stringify(answers, (_key, value) =>
      Array.isArray(value) && value.every((item) => typeof item === 'string') ? [...value].sort() : value,
    ),
  );
}

/** The candidate's matches as the API lists them, best first. */
export async function listedMatches(
  market: Market,
): Promise<{ jobId: string; score: number; job: { title: string; employerName: string } }[]> {
  const response = await market.admin.get(`/v1/candidates/${market.candidate.id}/matches?limit=50`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().matches;
}
