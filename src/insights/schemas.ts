import { z } from 'zod';
import { MAX_CRITERIA } from '../questionnaires/definition.ts';

const count = z.number().int().min(0);

const criterionInsight = z.object({
  criterionId: z.string().max(64),
  rejectedBy: count.describe("Others whose dealbreaker on this criterion the subject's answer breaks"),
  rejecting: count.describe("Others that break the subject's own dealbreaker on this criterion"),
  soleBarrier: count.describe(
    'Others not acceptable now that would be if this criterion counted on neither side (weight 0 both ways, no dealbreaker)',
  ),
  acceptableIfIrrelevant: count.describe(
    'Acceptable pairs if the subject alone set this criterion to irrelevant (can be lower than acceptable: weights renormalise)',
  ),
});

export const insightsView = z
  .object({
    subjectId: z.uuid(),
    side: z.enum(['job', 'candidate']),
    questionnaireId: z.string().max(64),
    questionnaireVersion: z.number().int().min(1),
    others: count.describe(
      'Profiles of the other side that answered the same questionnaire version (open jobs only)',
    ),
    acceptable: count.describe('Reciprocally acceptable pairs now'),
    histogram: z
      .array(count)
      .length(10)
      .describe('Acceptable pairs by reported mutual score: [0, 0.1), [0.1, 0.2), … [0.9, 1.0]'),
    criteria: z
      .array(criterionInsight)
      .max(MAX_CRITERIA)
      .describe('Every criterion of the questionnaire, by soleBarrier descending, then criterionId'),
  })
  .meta({ id: 'Insights' });

export const insightsResponse = z.object({ insights: insightsView });

export const whatIfBody = z
  .strictObject({
    answers: z
      .record(z.string().max(64), z.unknown())
      .refine((answers) => Object.keys(answers).length <= MAX_CRITERIA, {
        message: `at most ${MAX_CRITERIA} criteria`,
      })
      .meta({ maxProperties: MAX_CRITERIA })
      .describe(
        'criterionId → an answer (as in PUT …/answers) replacing the stored one, or null to remove it; criteria left out keep their stored answer',
      ),
    minScore: z.number().min(0).max(1).optional().describe("Overrides the subject's stored minScore"),
  })
  .meta({ id: 'WhatIf' });
