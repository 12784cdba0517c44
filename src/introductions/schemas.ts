import { z } from 'zod';
import { nextCursorField, pageOf, pageQuery } from '../http/pagination.ts';
import { employerContactView, jobFacts } from '../profiles/schemas.ts';
import { introductionActions, introductionSides, introductionStatuses, sideStates } from './state.ts';

export const pairParams = z.object({ jobId: z.uuid(), candidateId: z.uuid() });

export const actionBody = z
  .strictObject({
    action: z.enum(introductionActions).describe('What this side does'),
    side: z
      .enum(introductionSides)
      .optional()
      .describe('The side acted for: required for admin keys; employer and candidate keys act for their own'),
  })
  .meta({ id: 'IntroductionAction' });

export const listQuery = z.strictObject(pageQuery);

export const viewQuery = z.strictObject({
  side: z
    .enum(introductionSides)
    .optional()
    .describe(
      'The side viewed for: an admin may say candidate (default employer); employer and candidate keys view for their own',
    ),
});

const sideView = z.object({ state: z.enum(sideStates) });

export const contact = z
  .object({ name: z.string().max(200), email: z.string().max(254), phone: z.string().max(30).nullable() })
  .describe("The candidate's contact details: only for the employer side, only when mutual")
  .meta({ id: 'IntroductionContact' });

export const introduction = z
  .object({
    id: z.uuid(),
    jobId: z.uuid(),
    candidateId: z.uuid(),
    status: z.enum(introductionStatuses),
    employer: sideView,
    candidate: sideView,
    createdAt: z.date(),
    updatedAt: z.date(),
    contact: contact.optional(),
    employerContact: employerContactView
      .optional()
      .describe(
        "The employer's contact details: only for the candidate side, only when mutual and not paused",
      ),
    job: jobFacts.optional().describe("In a candidate's list: the job as its ad shows it"),
  })
  .meta({ id: 'Introduction' });

export const introductionResponse = z.object({ introduction });
export const introductionList = z.object({
  introductions: pageOf(introduction),
  nextCursor: nextCursorField,
});
