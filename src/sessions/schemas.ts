import { z } from 'zod';

export const MIN_TTL_SECONDS = 60;
export const MAX_TTL_SECONDS = 24 * 60 * 60;

const ttlSeconds = z
  .number()
  .int()
  .min(MIN_TTL_SECONDS)
  .max(MAX_TTL_SECONDS)
  .default(3600)
  .describe('How long the token works, in seconds (60 to 86400; default 3600)');

export const createSessionBody = z
  .union(
    [
      z.strictObject({ candidateId: z.uuid().describe('The candidate the session acts as'), ttlSeconds }),
      z.strictObject({ employerId: z.uuid().describe('The employer the session acts as'), ttlSeconds }),
    ],
    { error: 'needs exactly one of candidateId or employerId (and optionally ttlSeconds)' },
  )
  .describe('Exactly one of candidateId or employerId');

const sessionFields = {
  id: z.uuid(),
  token: z.string().max(128).describe('Shown once; a Bearer credential until expiresAt'),
  expiresAt: z.date(),
};

export const sessionView = z
  .discriminatedUnion('role', [
    z.object({ ...sessionFields, role: z.literal('candidate'), candidateId: z.uuid() }),
    z.object({ ...sessionFields, role: z.literal('employer'), employerId: z.uuid() }),
  ])
  .meta({ id: 'Session' });

const currentFields = { id: z.uuid(), expiresAt: z.date().describe('When the token stops working') };

/** Who a session token acts as, without the token: what a browser page asks to find its own id. */
export const currentSessionView = z
  .discriminatedUnion('role', [
    z.object({ ...currentFields, role: z.literal('candidate'), candidateId: z.uuid() }),
    z.object({ ...currentFields, role: z.literal('employer'), employerId: z.uuid() }),
  ])
  .meta({ id: 'CurrentSession' });
