/**
 * Generates a market to an NDJSON file (streamed, batch by batch) and loads it through the API:
 * employers one by one, then jobs and candidates through the bulk endpoints.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { validateAnswerSet } from '../src/answers/validate.ts';
import type { QuestionnaireDefinition } from '../src/questionnaires/definition.ts';
import { type Market, ndjsonBatches } from './generator.ts';
import { type ApiClient, expectStatus } from './http.ts';

export const BATCH_LINES = 10_000;
export const IN_FLIGHT = 2;
const VALIDATE_FIRST = 1_000;
const PROGRESS_EVERY = 100_000;

export type Say = (message: string) => void;

export interface GeneratedFile {
  path: string;
  /** Byte ranges of the request bodies, one per batch. */
  batches: { from: number; to: number; offset: number; length: number }[];
  bytes: number;
  seconds: number;
}

/** Writes the candidates as NDJSON, BATCH_LINES per request body; asserts the first ones validate. */
export async function generateCandidates(
  market: Market,
  questionnaire: QuestionnaireDefinition,
  path: string,
  say: Say,
): Promise<GeneratedFile> {
  const started = performance.now();
  const out = createWriteStream(path);
  const batches: GeneratedFile['batches'] = [];
  let offset = 0;
  const make = (index: number) => {
    const line = market.candidate(index);
    if (index < VALIDATE_FIRST) assertValid(questionnaire, line.answers, `candidate ${index}`);
    return line;
  };
  for (const batch of ndjsonBatches(market.candidates, BATCH_LINES, make)) {
    const length = Buffer.byteLength(batch.body);
    batches.push({ from: batch.from, to: batch.to, offset, length });
    offset += length;
    if (!out.write(batch.body)) await once(out, 'drain');
    if (batch.to % PROGRESS_EVERY === 0 || batch.to === market.candidates) {
      say(`generated ${fmt(batch.to)} / ${fmt(market.candidates)} candidates`);
    }
  }
  out.end();
  await once(out, 'finish');
  return { path, batches, bytes: offset, seconds: (performance.now() - started) / 1000 };
}

export async function removeFile(path: string): Promise<void> {
  await rm(path, { force: true });
}

export function assertValid(questionnaire: QuestionnaireDefinition, answers: unknown, what: string): void {
  const result = validateAnswerSet(questionnaire, answers);
  if (!result.ok) {
    throw new Error(`generated ${what} does not validate: ${JSON.stringify(result.errors.slice(0, 5))}`);
  }
}

export interface IngestResult {
  employersSeconds: number;
  jobsSeconds: number;
  candidatesSeconds: number;
  candidatesPerSecond: number;
  /** CPU seconds spent while the candidates were ingested, as the probe counts them. */
  candidatesCpu: CpuSample;
  jobIds: string[];
  /** the first CANDIDATE_SAMPLE candidates of each request, for pairs to ask about */
  candidateSample: string[];
}

const CANDIDATE_SAMPLE = 200;

/** Cumulative CPU seconds of the service and of its PostgreSQL backends. */
export interface CpuSample {
  service: number;
  postgres: number;
}

export async function ingest(
  api: ApiClient,
  market: Market,
  questionnaire: QuestionnaireDefinition,
  file: GeneratedFile,
  say: Say,
  cpu: () => Promise<CpuSample>,
): Promise<IngestResult> {
  let started = performance.now();
  await inParallel(market.employers, 8, async (index) => {
    const answer = await api.postJson('/v1/employers', market.employer(index));
    expectStatus(answer, 201, `POST /v1/employers (employer ${index})`);
  });
  const employersSeconds = (performance.now() - started) / 1000;
  say(`${fmt(market.employers)} employers created in ${employersSeconds.toFixed(1)} s`);

  started = performance.now();
  const jobIds: string[] = [];
  const makeJob = (index: number) => {
    const line = market.job(index);
    if (index < VALIDATE_FIRST) assertValid(questionnaire, line.answers, `job ${index}`);
    return line;
  };
  for (const batch of ndjsonBatches(market.jobs, BATCH_LINES, makeJob)) {
    const ids = await postBulk(api, '/v1/jobs:bulk', batch.body, batch.to - batch.from);
    jobIds.push(...ids);
  }
  const jobsSeconds = (performance.now() - started) / 1000;
  say(`${fmt(market.jobs)} jobs loaded in ${jobsSeconds.toFixed(1)} s`);

  const candidateSample: string[] = [];
  const handle = await open(file.path, 'r');
  let cpuBefore: CpuSample;
  try {
    cpuBefore = await cpu();
    started = performance.now();
    let done = 0;
    let reported = 0;
    await inParallel(file.batches.length, IN_FLIGHT, async (b) => {
      const batch = file.batches[b]!;
      const buffer = Buffer.alloc(batch.length);
      await handle.read(buffer, 0, batch.length, batch.offset);
      const ids = await postBulk(api, '/v1/candidates:bulk', buffer, batch.to - batch.from);
      candidateSample.push(...ids.slice(0, CANDIDATE_SAMPLE));
      done += batch.to - batch.from;
      if (done - reported >= PROGRESS_EVERY || done === market.candidates) {
        reported = done;
        const seconds = (performance.now() - started) / 1000;
        say(`ingested ${fmt(done)} / ${fmt(market.candidates)} candidates (${fmt(done / seconds)}/s)`);
      }
    });
  } finally {
    await handle.close();
  }
  const candidatesSeconds = (performance.now() - started) / 1000;
  const cpuAfter = await cpu();
  return {
    employersSeconds,
    jobsSeconds,
    candidatesSeconds,
    candidatesPerSecond: market.candidates / candidatesSeconds,
    candidatesCpu: {
      service: cpuAfter.service - cpuBefore.service,
      postgres: cpuAfter.postgres - cpuBefore.postgres,
    },
    jobIds,
    candidateSample,
  };
}

interface BulkResult {
  results: { line: number; status: string; id?: string; error?: unknown }[];
  summary: { created: number; updated: number; failed: number };
}

/** Posts one NDJSON body; every line must be written. Returns the ids in line order. */
async function postBulk(
  api: ApiClient,
  path: string,
  body: string | Buffer,
  lines: number,
): Promise<string[]> {
  const answer = await api.postNdjson(path, body);
  expectStatus(answer, 200, `POST ${path}`);
  const result = JSON.parse(answer.body) as BulkResult;
  if (result.summary.failed > 0 || result.results.length !== lines) {
    const firstError = result.results.find((r) => r.status === 'error');
    throw new Error(
      `POST ${path}: ${result.summary.failed} of ${lines} lines failed; first: ${JSON.stringify(firstError)}`,
    );
  }
  return [...result.results].sort((a, b) => a.line - b.line).map((r) => r.id!);
}

/** Runs `task(0..count-1)` with at most `width` at a time; the first error stops the rest. */
export async function inParallel(count: number, width: number, task: (index: number) => Promise<void>) {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < count) {
      const index = next++;
      try {
        await task(index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
}

export const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
