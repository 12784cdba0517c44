import { z } from 'zod';
import { alertResponse } from '../alerts/schemas.ts';
import { answerMap } from '../http/schema-parts.ts';
import { introductionSides, introductionStatuses, sideStates } from '../introductions/state.ts';
import { MAX_CRITERIA } from '../questionnaires/definition.ts';
import { candidateView, contactView } from './schemas.ts';

const side = z.enum(['job', 'candidate']);

/** GET /v1/candidates/{id}/export: everything stored about a candidate (src/profiles/privacy.ts). */
export const exportView = z.object({
  export: z.object({
    candidate: candidateView.omit({ contact: true, hiddenFromEmployers: true }),
    contact: contactView.nullable(),
    answers: z
      .object({
        questionnaireId: z.string().max(64),
        questionnaireVersion: z.number().int().min(1),
        answers: answerMap(MAX_CRITERIA),
        updatedAt: z.date(),
      })
      .nullable(),
    apiKeys: z.array(
      z.object({
        id: z.uuid(),
        role: z.string().max(32),
        keyPrefix: z.string().max(10),
        label: z.string().max(100).nullable().describe('The label an admin gave the key, if any'),
        createdAt: z.date(),
        revokedAt: z.date().nullable(),
      }),
    ),
    sessions: z
      .array(z.object({ id: z.uuid(), createdAt: z.date(), expiresAt: z.date() }))
      .describe('Browser sessions minted for the candidate (never the token)'),
    introductions: z
      .array(
        z.object({
          id: z.uuid(),
          jobId: z.uuid(),
          status: z.enum(introductionStatuses),
          employerState: z.enum(sideStates),
          candidateState: z.enum(sideStates),
          createdAt: z.date(),
          updatedAt: z.date(),
          steps: z
            .array(
              z.object({
                side: z.enum(introductionSides),
                action: z.enum(['interested', 'declined', 'withdrawn', 'contact_read']),
                actorRole: z.string().max(32),
                statusAfter: z.string().max(32),
                at: z.date(),
              }),
            )
            .describe('Every step, and every read of contact details the introduction allowed'),
        }),
      )
      .describe('Double opt-in introductions with the jobs, oldest first'),
    alert: alertResponse.shape.alert.nullable().describe("The candidate's own alert, if switched on"),
    alertEvents: z
      .array(
        z.object({
          alertOf: side,
          subjectId: z.uuid().describe('The alerting candidate (itself) or job'),
          type: z.enum(['match.created', 'match.removed']),
          jobId: z.uuid(),
          score: z.number().nullable(),
          at: z.date(),
        }),
      )
      .describe(
        'Alert announcements naming the candidate, in its own feed and alerting jobs’ (kept 30 days)',
      ),
    allocations: z
      .array(
        z.object({
          allocationId: z.uuid(),
          createdAt: z.date(),
          jobId: z.uuid().nullable().describe('The job it was assigned; null: left unassigned'),
        }),
      )
      .describe('Stored allocations the candidate took part in'),
    access: z
      .array(
        z.object({
          action: z.string().max(64).describe('matches.job, matches.candidate, matches.explain, allocation…'),
          actorRole: z.string().max(32),
          subjectId: z.uuid().nullable().describe('The job listed, the candidate itself, or null'),
          records: z.number().int().min(1),
          firstAt: z.date(),
          lastAt: z.date(),
        }),
      )
      .describe('Audit records naming the candidate (who was shown it, or asked about it), grouped'),
    exportedAt: z.date(),
  }),
});
