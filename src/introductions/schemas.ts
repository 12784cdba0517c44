import { z } from 'zod';
import { nextCursorField, pageOf, pageQuery } from '../http/pagination.ts';
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
  })
  .meta({ id: 'Introduction' });

export const introductionResponse = z.object({ introduction });
export const introductionList = z.object({
  introductions: pageOf(introduction),
  nextCursor: nextCursorField,
});
