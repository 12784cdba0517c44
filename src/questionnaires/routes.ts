import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { anyRole } from '../auth/plugin.ts';
import { AppError, notFound, problemSchema } from '../http/errors.ts';
import type { QuestionnaireDefinition } from './definition.ts';
import { MAX_QUESTIONNAIRES, type QuestionnaireCatalog } from './loader.ts';
import { localizeQuestionnaire, summarizeQuestionnaire } from './localize.ts';
import { localeQuery, questionnaireQuery, questionnaireSummary, questionnaireView } from './schemas.ts';

export const questionnaireRoutes: FastifyPluginAsyncZod<{ questionnaires: QuestionnaireCatalog }> = async (
  app,
  { questionnaires },
) => {
  app.get(
    '/v1/questionnaires',
    {
      config: { roles: anyRole },
      schema: {
        operationId: 'listQuestionnaires',
        tags: ['questionnaires'],
        summary: 'List the questionnaires (latest version of each)',
        querystring: localeQuery,
        response: {
          200: z.object({ questionnaires: z.array(questionnaireSummary).max(MAX_QUESTIONNAIRES) }),
          400: problemSchema,
        },
      },
    },
    async (request) => ({
      questionnaires: questionnaires
        .list()
        .map((q) => summarizeQuestionnaire(q, chooseLocale(q, request.query.locale))),
    }),
  );

  app.get(
    '/v1/questionnaires/:id',
    {
      config: { roles: anyRole },
      schema: {
        operationId: 'getQuestionnaire',
        tags: ['questionnaires'],
        summary: 'A questionnaire with every criterion, localized',
        params: z.object({ id: z.string().min(1).max(64) }),
        querystring: questionnaireQuery,
        response: {
          200: z.object({ questionnaire: questionnaireView }),
          400: problemSchema,
          404: problemSchema,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { version, locale } = request.query;
      const q = version === undefined ? questionnaires.latest(id) : questionnaires.get(id, version);
      if (!q)
        throw notFound(
          version === undefined ? `Questionnaire ${id}` : `Questionnaire ${id} version ${version}`,
        );
      return { questionnaire: localizeQuestionnaire(q, chooseLocale(q, locale)) };
    },
  );
};

function chooseLocale(q: QuestionnaireDefinition, requested: string | undefined): string {
  if (requested === undefined) return q.defaultLocale;
  if (q.locales.includes(requested)) return requested;
  throw new AppError(
    'unsupported_locale',
    `Locale "${requested}" is not supported by questionnaire ${q.id}; supported locales: ${q.locales.join(', ')}.`,
    { extra: { supportedLocales: q.locales } },
  );
}
