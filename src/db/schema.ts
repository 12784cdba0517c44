import type { AnswerSet } from '../answers/types.ts';
import { DEFAULT_SCORE_METHOD, scoreMethods } from '../matching/types.ts';
import { createdAt, id, updatedAt } from './columns.ts';
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  json,
  jsonb,
  pgEnum,
  pgSequence,
  pgTable,
  primaryKey,
  smallint,
  sql,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from './orm.ts';

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });

export const scoreMethod = pgEnum('score_method', scoreMethods);
export const apiKeyRole = pgEnum('api_key_role', ['admin', 'employer', 'candidate']);
export const jobStatus = pgEnum('job_status', ['open', 'closed']);

export const workspaces = pgTable('workspaces', {
  id: id(),
  name: text('name').notNull(),
  scoreMethod: scoreMethod('score_method').notNull().default(DEFAULT_SCORE_METHOD),
  /** Exact browser origins (https://jobs.example) allowed to call with this workspace's credentials. */
  allowedOrigins: text('allowed_origins').array().notNull().default(sql`'{}'::text[]`),
  /**
   * Changes whenever one of the workspace's alerts is set, changed or removed (a trigger on
   * `alerts`, cascades included): processes cache the alerting subjects until it does (src/alerts/registry.ts).
   */
  alertGeneration: bigint('alert_generation', { mode: 'number' }).notNull().default(0),
  createdAt: createdAt(),
});

/** Alert generations: never handed out twice, even by a transaction that rolls back. */
export const alertGenerations = pgSequence('alert_generations');

const workspaceId = () =>
  uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' });

/**
 * The workspace of a row that belongs to a profile: no foreign key of its own, the profile's
 * (cascading from the workspace) covers it, and a bulk write saves a key check per row.
 */
const profileWorkspaceId = () => uuid('workspace_id').notNull();

export const employers = pgTable(
  'employers',
  {
    id: id(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    externalId: text('external_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('employers_workspace_id_idx').on(t.workspaceId, t.id),
    uniqueIndex('employers_external_id_idx').on(t.workspaceId, t.externalId),
  ],
);

export const jobs = pgTable(
  'jobs',
  {
    id: id(),
    workspaceId: workspaceId(),
    employerId: uuid('employer_id')
      .notNull()
      .references(() => employers.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    capacity: integer('capacity').notNull().default(1),
    status: jobStatus('status').notNull().default('open'),
    minScore: doublePrecision('min_score').notNull().default(0.5),
    externalId: text('external_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('jobs_workspace_id_idx').on(t.workspaceId, t.id),
    index('jobs_employer_id_idx').on(t.employerId, t.id),
    uniqueIndex('jobs_external_id_idx').on(t.workspaceId, t.externalId),
    check('jobs_capacity_check', sql`${t.capacity} >= 1`),
    check('jobs_min_score_check', sql`${t.minScore} between 0 and 1`),
  ],
);

export const candidates = pgTable(
  'candidates',
  {
    id: id(),
    workspaceId: workspaceId(),
    headline: text('headline'),
    minScore: doublePrecision('min_score').notNull().default(0.5),
    externalId: text('external_id'),
    /** Out of every listing, allocation and new introduction until resumed (docs/matching.md#candidate-privacy). */
    paused: boolean('paused').notNull().default(false),
    /** Employers (of this workspace) whose jobs never see this candidate, nor the candidate them; sorted, unique. */
    hiddenFromEmployerIds: uuid('hidden_from_employer_ids').array().notNull().default(sql`'{}'::uuid[]`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('candidates_workspace_id_idx').on(t.workspaceId, t.id),
    uniqueIndex('candidates_external_id_idx').on(t.workspaceId, t.externalId),
    // Finds the candidates hiding from an employer that is being deleted; candidates who hide from
    // nobody (nearly all) are not in it, so it costs bulk ingest nothing.
    index('candidates_hidden_from_employer_ids_idx')
      .using('gin', t.hiddenFromEmployerIds)
      .where(sql`cardinality(${t.hiddenFromEmployerIds}) > 0`),
    check('candidates_min_score_check', sql`${t.minScore} between 0 and 1`),
  ],
);

/** Contact details live apart from the pseudonymous profile; only some callers may read them. */
export const candidateContacts = pgTable(
  'candidate_contacts',
  {
    candidateId: uuid('candidate_id')
      .primaryKey()
      .references(() => candidates.id, { onDelete: 'cascade' }),
    workspaceId: profileWorkspaceId(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    phone: text('phone'),
    updatedAt: updatedAt(),
  },
  // No index on workspace_id: every read is by candidate, and a workspace's contacts go with its
  // candidates (migrations/0010, 0019); one index write less per candidate a bulk line stores.
);

/** An employer's contact, kept apart from the employer like a candidate's; a candidate sees it once an introduction is mutual. */
export const employerContacts = pgTable(
  'employer_contacts',
  {
    employerId: uuid('employer_id')
      .primaryKey()
      .references(() => employers.id, { onDelete: 'cascade' }),
    workspaceId: workspaceId(),
    name: text('name'),
    email: text('email').notNull(),
    phone: text('phone'),
    updatedAt: updatedAt(),
  },
  (t) => [index('employer_contacts_workspace_id_idx').on(t.workspaceId)],
);

/** One side's whole answer set; exactly one of jobId / candidateId is set. */
export const answerSets = pgTable(
  'answer_sets',
  {
    id: id(),
    workspaceId: profileWorkspaceId(),
    jobId: uuid('job_id').references(() => jobs.id, { onDelete: 'cascade' }),
    candidateId: uuid('candidate_id').references(() => candidates.id, { onDelete: 'cascade' }),
    questionnaireId: text('questionnaire_id').notNull(),
    questionnaireVersion: smallint('questionnaire_version').notNull(),
    answers: json('answers').$type<AnswerSet>().notNull(),
    /** The match index's row for these answers (matching/packed-row.ts), so start-up skips the JSON. */
    indexRow: bytea('index_row'),
    indexLayout: text('index_layout'),
    updatedAt: updatedAt(),
  },
  (t) => [
    // Start-up counts each market's answer sets from this index alone (matching/repository.ts marketSizes).
    index('answer_sets_market_idx').on(t.workspaceId, t.questionnaireId, t.questionnaireVersion),
    uniqueIndex('answer_sets_job_id_idx').on(t.jobId),
    uniqueIndex('answer_sets_candidate_id_idx').on(t.candidateId),
    check('answer_sets_one_subject_check', sql`num_nonnulls(${t.jobId}, ${t.candidateId}) = 1`),
  ],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: id(),
    workspaceId: workspaceId(),
    role: apiKeyRole('role').notNull(),
    /** SHA-256 of the key; the key itself is shown once and never stored. */
    keyHash: text('key_hash').notNull(),
    /** The first characters of the key, so a person can tell keys apart in a listing. */
    keyPrefix: text('key_prefix').notNull(),
    employerId: uuid('employer_id').references(() => employers.id, { onDelete: 'cascade' }),
    candidateId: uuid('candidate_id').references(() => candidates.id, { onDelete: 'cascade' }),
    label: text('label'),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('api_keys_key_hash_idx').on(t.keyHash),
    index('api_keys_workspace_id_idx').on(t.workspaceId, t.id),
    index('api_keys_employer_id_idx').on(t.employerId),
    index('api_keys_candidate_id_idx').on(t.candidateId),
  ],
);

/**
 * A browser session: a short-lived bearer token with exactly one candidate's or employer's reach,
 * minted by an admin for a partner's frontend. Only the token's hash is kept; revoking deletes the row.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: id(),
    workspaceId: workspaceId(),
    role: text('role', { enum: ['employer', 'candidate'] }).notNull(),
    /** SHA-256 of the token; the token itself is shown once and never stored. */
    tokenHash: text('token_hash').notNull(),
    employerId: uuid('employer_id').references(() => employers.id, { onDelete: 'cascade' }),
    candidateId: uuid('candidate_id').references(() => candidates.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('sessions_token_hash_idx').on(t.tokenHash),
    index('sessions_workspace_id_idx').on(t.workspaceId, t.id),
    index('sessions_employer_id_idx').on(t.employerId),
    index('sessions_candidate_id_idx').on(t.candidateId),
    index('sessions_expires_at_idx').on(t.expiresAt),
    check('sessions_one_subject_check', sql`num_nonnulls(${t.employerId}, ${t.candidateId}) = 1`),
    check('sessions_role_subject_check', sql`(${t.role} = 'candidate') = (${t.candidateId} is not null)`),
  ],
);

/** Replays of POSTs sent again with the same Idempotency-Key by the same caller (kept 24 h). */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    callerId: text('caller_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: smallint('status_code').notNull(),
    /** The response exactly as sent, so a replay is byte-for-byte the same. */
    responseBody: text('response_body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.callerId, t.key] }),
    index('idempotency_keys_created_at_idx').on(t.createdAt),
  ],
);

/**
 * The change feed: a row per changed job or candidate, written by triggers (migration
 * 0001_profile_change_triggers) in the transaction of the change, so other replicas can follow.
 */
export const profileChanges = pgTable(
  'profile_changes',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    workspaceId: uuid('workspace_id').notNull(),
    side: text('side', { enum: ['job', 'candidate'] }).notNull(),
    profileId: uuid('profile_id').notNull(),
    /** The process that wrote it, when it marked its transaction (bulk writes); see ChangeFollower.origin in matching/sync.ts */
    origin: text('origin'),
    changedAt: timestamp('changed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('profile_changes_changed_at_idx').on(t.changedAt),
    index('profile_changes_profile_id_idx').on(t.profileId),
  ],
);

/** Append-only record of who asked for which matches, explanations and allocations. */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: id(),
    workspaceId: workspaceId(),
    actorRole: text('actor_role').notNull(),
    actorKeyId: uuid('actor_key_id'),
    action: text('action').notNull(),
    subjectId: uuid('subject_id'),
    questionnaireId: text('questionnaire_id'),
    questionnaireVersion: smallint('questionnaire_version'),
    resultIds: jsonb('result_ids').$type<string[]>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_events_workspace_id_idx').on(t.workspaceId, t.id),
    index('audit_events_created_at_idx').on(t.createdAt),
  ],
);

/** A stable allocation as computed, kept so it can be read back (GET /v1/allocations/{id}). */
export const allocations = pgTable(
  'allocations',
  {
    id: id(),
    workspaceId: workspaceId(),
    source: text('source', { enum: ['matches', 'explicit'] }).notNull(),
    assignments: jsonb('assignments').$type<{ jobId: string; candidateId: string }[]>().notNull(),
    unassigned: jsonb('unassigned').$type<string[]>().notNull(),
    blockingPairs: integer('blocking_pairs').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('allocations_workspace_id_idx').on(t.workspaceId, t.id)],
);

/** Double opt-in between a job and a candidate: each side's word, and where the pair stands. */
export const introductions = pgTable(
  'introductions',
  {
    id: id(),
    workspaceId: workspaceId(),
    jobId: uuid('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    candidateId: uuid('candidate_id')
      .notNull()
      .references(() => candidates.id, { onDelete: 'cascade' }),
    employerState: text('employer_state', { enum: ['none', 'interested', 'declined', 'withdrawn'] })
      .notNull()
      .default('none'),
    candidateState: text('candidate_state', { enum: ['none', 'interested', 'declined', 'withdrawn'] })
      .notNull()
      .default('none'),
    status: text('status', { enum: ['pending', 'mutual', 'declined', 'withdrawn'] }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('introductions_pair_idx').on(t.jobId, t.candidateId),
    index('introductions_candidate_id_idx').on(t.candidateId),
    index('introductions_workspace_id_idx').on(t.workspaceId, t.id),
  ],
);

/** Every step of an introduction (append-only), and every read of contact details it allowed. */
export const introductionEvents = pgTable(
  'introduction_events',
  {
    id: id(),
    workspaceId: workspaceId(),
    introductionId: uuid('introduction_id')
      .notNull()
      .references(() => introductions.id, { onDelete: 'cascade' }),
    actorRole: text('actor_role').notNull(),
    actorKeyId: uuid('actor_key_id'),
    side: text('side', { enum: ['employer', 'candidate'] }).notNull(),
    action: text('action', { enum: ['interested', 'declined', 'withdrawn', 'contact_read'] }).notNull(),
    statusAfter: text('status_after').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('introduction_events_introduction_id_idx').on(t.introductionId, t.id)],
);

/** Where a workspace wants its events sent. The secret signs them (HMAC), so it is kept as is. */
export const webhookSubscriptions = pgTable(
  'webhook_subscriptions',
  {
    id: id(),
    workspaceId: workspaceId(),
    url: text('url').notNull(),
    eventTypes: text('event_types').array().notNull(),
    description: text('description'),
    secret: text('secret').notNull(),
    /** The secret before the latest rotation, signing beside `secret` until `previousSecretExpiresAt`. */
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true, mode: 'date' }),
    secretRotatedAt: timestamp('secret_rotated_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [index('webhook_subscriptions_workspace_id_idx').on(t.workspaceId, t.id)],
);

/**
 * The outbox: one row per event and subscription, written in the transaction of the change that
 * caused it. `nextAttemptAt` is when a worker may next claim it; a claim pushes it one lease ahead,
 * so a worker that dies mid-delivery only delays the event.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: id(),
    workspaceId: workspaceId(),
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => webhookSubscriptions.id, { onDelete: 'cascade' }),
    eventType: text('event_type').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    claimToken: uuid('claim_token'),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`status = 'pending'`),
    index('webhook_deliveries_subscription_id_idx').on(t.subscriptionId, t.id),
    index('webhook_deliveries_workspace_id_idx').on(t.workspaceId),
    index('webhook_deliveries_finished_at_idx').on(t.finishedAt),
  ],
);

/** Every attempt to deliver, with what the receiver answered (the delivery log). */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: id(),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('webhook_attempts_delivery_id_idx').on(t.deliveryId, t.id)],
);

export const alertSide = pgEnum('alert_side', ['job', 'candidate']);

/** An alert of one job or one candidate: tell it when a pair crosses `minScore` (src/alerts/). */
export const alerts = pgTable(
  'alerts',
  {
    id: id(),
    workspaceId: workspaceId(),
    side: alertSide('side').notNull(),
    jobId: uuid('job_id').references(() => jobs.id, { onDelete: 'cascade' }),
    candidateId: uuid('candidate_id').references(() => candidates.id, { onDelete: 'cascade' }),
    minScore: doublePrecision('min_score').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('alerts_workspace_id_idx').on(t.workspaceId, t.side),
    uniqueIndex('alerts_job_id_idx').on(t.jobId),
    uniqueIndex('alerts_candidate_id_idx').on(t.candidateId),
    check(
      'alerts_subject_check',
      sql`(${t.side} = 'job' and ${t.jobId} is not null and ${t.candidateId} is null) or (${t.side} = 'candidate' and ${t.candidateId} is not null and ${t.jobId} is null)`,
    ),
    check('alerts_min_score_check', sql`${t.minScore} between 0 and 1`),
  ],
);

/**
 * The pull feed of every alert (src/alerts/feed.ts), kept 30 days: one row per write and alerting
 * subject (cut into rows of at most FEED_ROW events), holding that write's events for it in order:
 * the other side's ids (16 bytes each, as uuid_send) and the scores (8 bytes each, as float8send;
 * NaN for null: no longer acceptable at all). Its first `removed` events are match.removed, the
 * rest match.created. A bulk batch that raises tens of thousands of events writes a row per
 * alerting subject it reached, not a row per event; bytes, not uuid[] / float8[], because parsing
 * array literals cost PostgreSQL about 1 µs an element, more than everything else of the row.
 */
export const alertFeed = pgTable(
  'alert_feed',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    workspaceId: workspaceId(),
    alertOf: alertSide('alert_of').notNull(),
    /** the alerting job or candidate */
    subjectId: uuid('subject_id').notNull(),
    /** the other side of each event: candidates in a job's feed, jobs in a candidate's (both byte columns stored uncompressed: migrations/0014) */
    otherIds: bytea('other_ids').notNull(),
    scores: bytea('scores').notNull(),
    removed: integer('removed').notNull(),
    /** the number of events (kept apart: reading it does not fetch the bytes) */
    size: integer('size').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('alert_feed_subject_idx').on(t.subjectId, t.seq),
    index('alert_feed_created_at_idx').on(t.createdAt),
    check(
      'alert_feed_size_check',
      sql`${t.size} > 0 and octet_length(${t.otherIds}) = 16 * ${t.size} and octet_length(${t.scores}) = 8 * ${t.size} and ${t.removed} between 0 and ${t.size}`,
    ),
  ],
);

/**
 * Where jobs' feeds name a candidate (erasure and export find its events there): per write that
 * did, the range of sequence numbers of the job rows that write added. No foreign key: a bulk
 * batch adds a thousand, and the hourly purge drops them with the rows they point at.
 */
export const alertMentions = pgTable(
  'alert_mentions',
  {
    workspaceId: uuid('workspace_id').notNull(),
    candidateId: uuid('candidate_id').notNull(),
    firstSeq: bigint('first_seq', { mode: 'number' }).notNull(),
    lastSeq: bigint('last_seq', { mode: 'number' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.candidateId, t.firstSeq] }),
    index('alert_mentions_created_at_idx').using('brin', t.createdAt),
  ],
);

/**
 * Secrets of the installation, shared by every replica through the database: created once by the
 * first process that needs one (src/db/service-secrets.ts). `feed-cursor` seals alert feed cursors.
 */
export const serviceSecrets = pgTable('service_secrets', {
  name: text('name').primaryKey(),
  value: bytea('value').notNull(),
  createdAt: createdAt(),
});
