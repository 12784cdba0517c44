import { z } from 'zod';
import { nextCursorField, pageQuery } from '../http/pagination.ts';

const externalId = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .describe("The caller's own id for this record, unique per workspace; bulk upserts match on it");
const minScore = z
  .number()
  .min(0)
  .max(1)
  .describe(
    'The lowest one-sided satisfaction this side accepts (θ in docs/matching.md#acceptability); default 0.5',
  );
const timestamps = { createdAt: z.date(), updatedAt: z.date() };

// Employers

export const employerCreate = z.strictObject({
  name: z.string().trim().min(1).max(200),
  externalId: externalId.optional(),
});
export const employerPatch = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    externalId: externalId.nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one field to change' });
export const employerView = z
  .object({ id: z.uuid(), name: z.string(), externalId: z.string().nullable(), ...timestamps })
  .meta({ id: 'Employer' });
export const employerListQuery = z.strictObject({ ...pageQuery, externalId: externalId.optional() });
export const employerList = z.object({ employers: z.array(employerView), nextCursor: nextCursorField });

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
export const jobPatch = z
  .strictObject({
    title: jobFields.title.optional(),
    capacity: jobFields.capacity.optional(),
    status: jobFields.status.optional(),
    minScore: minScore.optional(),
    externalId: externalId.nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one field to change' });
export const jobView = z
  .object({
    id: z.uuid(),
    employerId: z.uuid(),
    title: z.string(),
    capacity: z.number().int(),
    status: jobStatus,
    minScore: z.number(),
    externalId: z.string().nullable(),
    ...timestamps,
  })
  .meta({ id: 'Job' });
export const jobListQuery = z.strictObject({
  ...pageQuery,
  externalId: externalId.optional(),
  employerId: z.uuid().optional(),
  status: jobStatus.optional(),
});
export const jobList = z.object({ jobs: z.array(jobView), nextCursor: nextCursorField });

// Candidates

export const contactInput = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    email: z.email().max(254),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 ().-]{6,30}$/, 'must be a phone number such as +32 470 12 34 56')
      .optional(),
  })
  .describe('Kept apart from the profile; an employer sees it only after a mutual introduction');
export const contactView = z
  .object({ name: z.string(), email: z.string(), phone: z.string().nullable() })
  .meta({ id: 'Contact' });
const headline = z.string().trim().max(200).describe('A pseudonymous one-line summary; no contact details');

export const candidateCreate = z.strictObject({
  headline: headline.optional(),
  contact: contactInput,
  minScore: minScore.default(0.5),
  externalId: externalId.optional(),
});
export const candidatePatch = z
  .strictObject({
    headline: headline.nullable().optional(),
    contact: contactInput.partial().strict().optional(),
    minScore: minScore.optional(),
    externalId: externalId.nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one field to change' });
export const candidateView = z
  .object({
    id: z.uuid(),
    headline: z.string().nullable(),
    minScore: z.number(),
    externalId: z.string().nullable(),
    contact: contactView.optional().describe('Present for the candidate and admins'),
    ...timestamps,
  })
  .meta({ id: 'Candidate' });
export const candidateListQuery = z.strictObject({ ...pageQuery, externalId: externalId.optional() });
export const candidateList = z.object({ candidates: z.array(candidateView), nextCursor: nextCursorField });
