import { z } from 'zod';
import { nextCursorField, pageOf, pageQuery } from '../http/pagination.ts';
import { atLeastOneField, distinct } from '../http/schema-parts.ts';

/** Longest accepted values (after trimming); src/profiles/bulk-fast-line.ts checks the same. */
export const MAX_EXTERNAL_ID = 128;
export const MAX_TEXT = 200;
export const MAX_EMAIL = 254;
export const MAX_PHONE = 30;
export const MAX_QUESTIONNAIRE_ID = 64;

const externalId = z
  .string()
  .trim()
  .min(1)
  .max(MAX_EXTERNAL_ID)
  .describe(
    "The integration's own id for this record, unique per workspace; bulk upserts match on it. Only an admin key sets or clears it (400 for employer and candidate keys)",
  );
const minScore = z
  .number()
  .min(0)
  .max(1)
  .describe(
    'The lowest one-sided satisfaction this side accepts (θ in docs/matching.md#acceptability); default 0.5',
  );
const timestamps = { createdAt: z.date(), updatedAt: z.date() };
/** Stored text, as bounded on the way in. */
const storedName = z.string().max(200);
const storedExternalId = z.string().max(128).nullable();

// Employers

export const employerCreate = z.strictObject({
  name: z.string().trim().min(1).max(200),
  externalId: externalId.optional(),
});
export const employerPatch = atLeastOneField(
  z.strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    externalId: externalId.nullable().optional(),
  }),
);
export const employerView = z
  .object({ id: z.uuid(), name: storedName, externalId: storedExternalId, ...timestamps })
  .meta({ id: 'Employer' });
export const employerListQuery = z.strictObject({ ...pageQuery, externalId: externalId.optional() });
export const employerList = z.object({ employers: pageOf(employerView), nextCursor: nextCursorField });

// Jobs

export const jobStatus = z.enum(['open', 'closed']).describe('Only open jobs match');
const jobFields = {
  title: z.string().trim().min(1).max(200),
  capacity: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .describe('How many candidates the job takes (stable allocation)'),
  status: jobStatus,
  minScore,
};
export const jobCreate = z.strictObject({
  employerId: z.uuid(),
  title: jobFields.title,
  capacity: jobFields.capacity.default(1),
  status: jobFields.status.default('open'),
  minScore: minScore.default(0.5),
  externalId: externalId.optional(),
});
export const jobPatch = atLeastOneField(
  z.strictObject({
    title: jobFields.title.optional(),
    capacity: jobFields.capacity.optional(),
    status: jobFields.status.optional(),
    minScore: minScore.optional(),
    externalId: externalId.nullable().optional(),
  }),
);
export const jobView = z
  .object({
    id: z.uuid(),
    employerId: z.uuid(),
    title: storedName,
    capacity: jobFields.capacity,
    status: jobStatus,
    minScore: z.number().min(0).max(1),
    externalId: storedExternalId,
    ...timestamps,
  })
  .meta({ id: 'Job' });
export const jobListQuery = z.strictObject({
  ...pageQuery,
  externalId: externalId.optional(),
  employerId: z.uuid().optional(),
  status: jobStatus.optional(),
});
export const jobList = z.object({ jobs: pageOf(jobView), nextCursor: nextCursorField });

// Candidates

/** A phone number as a contact takes it (after trimming). */
export const PHONE_PATTERN = /^\+?[0-9 ().-]{6,30}$/;

export const contactInput = z
  .strictObject({
    name: z.string().trim().min(1).max(MAX_TEXT),
    email: z.email().max(MAX_EMAIL),
    phone: z
      .string()
      .trim()
      .max(MAX_PHONE)
      .regex(PHONE_PATTERN, 'must be a phone number such as +32 470 12 34 56')
      .optional(),
  })
  .describe('Kept apart from the profile; an employer sees it only after a mutual introduction');
export const contactView = z
  .object({ name: storedName, email: z.string().max(254), phone: z.string().max(30).nullable() })
  .meta({ id: 'Contact' });
export const employerContactInput = contactInput
  .partial({ name: true })
  .describe('Kept apart from the employer; a candidate sees it only after a mutual introduction');
export const employerContactView = z
  .object({ name: storedName.nullable(), email: z.string().max(254), phone: z.string().max(30).nullable() })
  .meta({ id: 'EmployerContact' });

/** What a job ad shows a candidate; nothing else of the employer. */
export const jobFacts = z
  .object({
    title: storedName,
    employerId: z.uuid(),
    employerName: storedName,
  })
  .describe('The job as its ad shows it: title and employer name')
  .meta({ id: 'JobFacts' });
const headline = z
  .string()
  .trim()
  .max(MAX_TEXT)
  .describe('A pseudonymous one-line summary; no contact details');

/** The most employers one candidate can hide from. */
export const MAX_HIDDEN_EMPLOYERS = 1_000;
const paused = z
  .boolean()
  .describe('A paused candidate is in no listing, allocation or new introduction until resumed');
const hiddenFromEmployerIds = z
  .array(z.uuid())
  .max(MAX_HIDDEN_EMPLOYERS)
  .describe('Employers that never see this candidate, whose jobs the candidate never sees; sorted');
/** A hidden employer as the candidate's own page names it: its id and name, nothing else of it. */
const hiddenEmployer = z.object({ id: z.uuid(), name: storedName }).meta({ id: 'HiddenEmployer' });

export const candidateCreate = z.strictObject({
  headline: headline.optional(),
  contact: contactInput,
  minScore: minScore.default(0.5),
  externalId: externalId.optional(),
});
export const candidatePatch = atLeastOneField(
  z.strictObject({
    headline: headline.nullable().optional(),
    contact: contactInput.partial().strict().optional(),
    minScore: minScore.optional(),
    externalId: externalId.nullable().optional(),
    paused: paused.optional(),
    hiddenFromEmployerIds: distinct(hiddenFromEmployerIds)
      .optional()
      .describe('Replaces the whole list; employers of this workspace ([] hides from nobody)'),
  }),
);
export const candidateView = z
  .object({
    id: z.uuid(),
    headline: z.string().max(200).nullable(),
    minScore: z.number().min(0).max(1),
    externalId: storedExternalId,
    paused,
    hiddenFromEmployerIds,
    hiddenFromEmployers: z
      .array(hiddenEmployer)
      .max(MAX_HIDDEN_EMPLOYERS)
      .optional()
      .describe(
        'The employers of hiddenFromEmployerIds with their names, in the same order (in each answer about one candidate, not in lists), so a page can name them after a reload. Deleting an employer takes it out of every hidden list, so neither list names it',
      ),
    contact: contactView.optional().describe('Present for the candidate and admins'),
    ...timestamps,
  })
  .meta({ id: 'Candidate' });
export const candidateListQuery = z.strictObject({ ...pageQuery, externalId: externalId.optional() });
export const candidateList = z.object({ candidates: pageOf(candidateView), nextCursor: nextCursorField });
