import type { IncomingMessage } from 'node:http';
import { errorCodes, type FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Foresight } from '../alerts/foresight.ts';
import { EarlierBatches, type MarketWrites } from '../alerts/service.ts';
import { requireRole } from '../auth/plugin.ts';
import type { Db, Tx } from '../db/client.ts';
import { errorCodeSchema, fieldProblemsSchema, PROBLEM_LIMITS, problemSchema } from '../http/errors.ts';
import { type CheckedBody, readCheckedBody } from '../ingest/checked-body.ts';
import type { IngestPool } from '../ingest/ingest-pool.ts';
import type { IndexSide } from '../matching/index.ts';
import type { ProfileSync, WrittenProfile, WrittenProfiles } from '../matching/profile-sync.ts';
import { type BulkEntry, type LineResult, MAX_BULK_LINES, writeBulk } from './bulk.ts';
import { CandidateBatchesAhead } from './bulk-ahead.ts';
import type { BulkKind, CheckedLine } from './bulk-lines.ts';
import {
  type CandidateLine,
  employersOfJobs,
  type JobLine,
  resolveEmployers,
  writeCandidates,
  writeJobs,
} from './bulk-repository.ts';

const lineResult = z.object({
  line: z.number().int().min(1).describe('1-based line number in the request body'),
  status: z
    .enum(['created', 'updated', 'unchanged', 'error'])
    .describe('unchanged: the record already held what the line gives; nothing was written'),
  id: z.uuid().optional(),
  externalId: z
    .string()
    .max(128)
    .optional()
    .describe(
      "the line's externalId, trimmed as it is stored; absent when the line has none, or a blank one",
    ),
  error: z
    .object({
      code: errorCodeSchema,
      detail: z.string().max(PROBLEM_LIMITS.detail),
      errors: fieldProblemsSchema.optional(),
    })
    .optional(),
});
const count = z.number().int().min(0).max(MAX_BULK_LINES);
const bulkResponse = z
  .object({
    results: z.array(lineResult).max(MAX_BULK_LINES),
    summary: z.object({ created: count, updated: count, unchanged: count, failed: count }),
  })
  .meta({ id: 'BulkResult' });

/** NDJSON under the names clients send it by. */
const ndjsonTypes = ['application/x-ndjson', 'application/jsonl', 'text/plain'];

const ndjsonBody = (bodyLimit: number) =>
  z
    .string()
    .max(bodyLimit)
    .describe(
      `NDJSON: one JSON object per line, at most ${MAX_BULK_LINES} lines, upserted by externalId: an update writes the fields the line gives and keeps the others; a new record takes the defaults. A line may carry questionnaireId and answers (as in PUT …/answers).`,
    );

const paths: Record<BulkKind, string> = { candidate: '/v1/candidates::bulk', job: '/v1/jobs::bulk' };

/**
 * The body as the handler sees it: its lines, a chunk at a time as each is checked (src/ingest/),
 * so the route's string schema is for the OpenAPI document only. Refuses a body without lines or
 * with too many before anything of it is written.
 */
function checkedLines<T>(body: unknown): AsyncIterable<CheckedLine<T>[]> {
  return (body as CheckedBody).lines() as AsyncIterable<CheckedLine<T>[]>;
}

export const bulkRoutes: FastifyPluginAsyncZod<{
  db: Db;
  pool: IngestPool;
  bodyLimit: number;
  sync: ProfileSync;
  alerts: MarketWrites;
  /** Batches of a request written at once (WRITES_IN_FLIGHT on PostgreSQL; PGlite has one connection). */
  writesInFlight: number;
}> = async (app, { db, pool, bodyLimit, sync, alerts, writesInFlight }) => {
  // Only NDJSON reaches these routes: any other type (JSON above all) is refused with 415 before
  // its body is read, so every line a handler sees was checked as it streamed in.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ndjsonTypes,
    { bodyLimit },
    async (request: FastifyRequest, payload: IncomingMessage) => {
      // A body announced over the limit is refused at once, as Fastify's own parsers do, rather
      // than waited for until the request times out.
      if (Number(request.headers['content-length']) > bodyLimit)
        throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
      return readCheckedBody(payload, {
        kind: request.routeOptions.url === paths.job ? 'job' : 'candidate',
        pool,
        bodyLimit,
        digest: request.headers['idempotency-key'] !== undefined,
      });
    },
  );
  // The lines were checked as they arrived (readCheckedBody); the body schema documents them.
  const checkedAlready = () => (value: unknown) => ({ value });
  const common = {
    tags: ['bulk'],
    consumes: ndjsonTypes,
    body: ndjsonBody(bodyLimit),
    response: {
      200: bulkResponse,
      400: problemSchema,
      404: problemSchema,
      413: problemSchema,
      415: problemSchema,
      422: problemSchema,
    },
  };
  const onWriteErrorOf = (request: FastifyRequest) => (error: unknown) =>
    request.log.error({ err: error }, 'bulk line could not be stored');

  app.post(
    paths.candidate,
    {
      config: { roles: ['admin'], bodyLimitSource: 'set by BULK_BODY_LIMIT_BYTES' },
      bodyLimit,
      validatorCompiler: checkedAlready,
      schema: {
        ...common,
        operationId: 'bulkUpsertCandidates',
        summary: 'Create or update many candidates (with contact and answers) by externalId',
      },
    },
    async (request) => {
      const { workspaceId } = requireRole(request, 'admin');
      const checked = checkedLines<CandidateLine>(request.body);
      const earlier = new EarlierBatches('candidate');
      const ahead = new CandidateBatchesAhead(alerts, workspaceId);
      return sync.writeThrough(workspaceId, 'candidate', (written) =>
        writeBulk({
          checked,
          ahead: (entries) => ahead.foresee(entries),
          write: (entries) => {
            const told = ahead.take(entries);
            const batch = { alerts, db, workspaceId, side: 'candidate' as const, earlier, written };
            return writeBatch({ ...batch, foresight: told?.foresight }, (tx, onRows) =>
              writeCandidates(tx, workspaceId, entries, sync, onRows, told?.ids),
            );
          },
          onWriteError: onWriteErrorOf(request),
          inFlight: writesInFlight,
        }),
      );
    },
  );

  app.post(
    paths.job,
    {
      config: { roles: ['admin'], bodyLimitSource: 'set by BULK_BODY_LIMIT_BYTES' },
      bodyLimit,
      validatorCompiler: checkedAlready,
      schema: {
        ...common,
        operationId: 'bulkUpsertJobs',
        summary: 'Create or update many jobs (with answers) by externalId; employers by id or externalId',
      },
    },
    async (request) => {
      const { workspaceId } = requireRole(request, 'admin');
      // By line, over the request's batches: a batch's write may start after the next one's check.
      const employerOf = new Map<number, string>();
      const checked = checkedLines<JobLine>(request.body);
      const earlier = new EarlierBatches('job');
      return sync.writeThrough(workspaceId, 'job', (written) =>
        writeBulk({
          checked,
          check: async (entries) => {
            const known = await checkEmployers(db, workspaceId, entries);
            for (const [line, employerId] of known.employerOf) employerOf.set(line, employerId);
            return known.refused;
          },
          write: (entries) =>
            writeBatch({ alerts, db, workspaceId, side: 'job', earlier, written }, (tx, onRows) =>
              writeJobs(
                tx,
                workspaceId,
                entries.map((e) => ({
                  ...e,
                  record: { ...e.record, resolvedEmployerId: employerOf.get(e.line)! },
                })),
                sync,
                onRows,
              ),
            ),
          onWriteError: onWriteErrorOf(request),
          inFlight: writesInFlight,
        }),
      );
    },
  );
};

async function checkEmployers(db: Db, workspaceId: string, entries: BulkEntry<JobLine>[]) {
  const known = await resolveEmployers(
    db,
    workspaceId,
    entries.map((e) => e.record),
  );
  const owners = await employersOfJobs(
    db,
    workspaceId,
    entries.map((e) => e.externalId),
  );
  const employerOf = new Map<number, string>();
  const refused = new Map<number, LineResult>();
  for (const { line, externalId, record } of entries) {
    const id = record.employerId
      ? known.byId.has(record.employerId)
        ? record.employerId
        : undefined
      : known.byExternalId.get(record.employerExternalId!);
    const owner = owners.get(externalId);
    if (id && owner && owner !== id) {
      refused.set(line, {
        line,
        status: 'error',
        externalId,
        error: {
          code: 'conflict',
          detail: `Job with externalId ${externalId} belongs to employer ${owner}; a job does not move to another employer (its introductions stay with the one it was made for). Delete it and create a new job for employer ${id}.`,
          errors: [
            {
              path: record.employerId ? 'employerId' : 'employerExternalId',
              message: "not the job's employer",
            },
          ],
        },
      });
      continue;
    }
    if (id) {
      employerOf.set(line, id);
      continue;
    }
    const named = record.employerId
      ? `Employer ${record.employerId}`
      : `Employer with externalId ${record.employerExternalId}`;
    refused.set(line, {
      line,
      status: 'error',
      externalId,
      error: {
        code: 'invalid_input',
        detail: `${named} does not exist in this workspace.`,
        errors: [
          { path: record.employerId ? 'employerId' : 'employerExternalId', message: 'no such employer' },
        ],
      },
    });
  }
  return { employerOf, refused };
}

/**
 * One batch of a bulk request as an alert-evaluated market write: `store` writes it and hands over
 * its rows as soon as its first statement returns them (AlertTurn.early), so they are scored while
 * the rest is written. Once committed, its profiles go to `written` (the index) and `earlier`.
 */
async function writeBatch<
  W extends Map<string, WrittenProfile & { inserted: boolean; unchanged?: true | undefined }>,
>(
  batch: {
    alerts: MarketWrites;
    db: Db;
    workspaceId: string;
    side: IndexSide;
    earlier: EarlierBatches;
    written: WrittenProfiles;
    foresight?: Promise<Foresight | undefined> | undefined;
  },
  store: (tx: Tx, onRows: (rows: W) => void) => Promise<W>,
): Promise<W> {
  const { alerts, db, workspaceId, side, earlier, written, foresight } = batch;
  const stored = await alerts.write(
    db,
    workspaceId,
    side,
    async (tx, early) => {
      let changed: ReturnType<typeof changedBy> | undefined;
      const rows = await store(tx, (rows) => {
        changed = changedBy(rows);
        early(side, changed.ids, changed.states);
      });
      return { value: rows, ...(changed ?? changedBy(rows)) };
    },
    earlier,
    foresight,
  );
  written.add([...stored.values()].filter((w) => !w.unchanged));
  return stored;
}

/** What alerts need of a bulk batch's write: the profiles it changed, and the states it already has. */
function changedBy(written: Map<string, WrittenProfile & { unchanged?: true | undefined }>) {
  const profiles = [...written.values()].filter((w) => !w.unchanged);
  return { ids: profiles.map((w) => w.id), states: profiles.flatMap((w) => w.state ?? []) };
}
