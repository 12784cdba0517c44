import { z } from 'zod';
import { questionnaireDefinition } from './definition.ts';

/** The questionnaire file format as JSON Schema, for editor validation of questionnaire files. */
export function questionnaireSchemaJson() {
  return {
    ...z.toJSONSchema(questionnaireDefinition, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://mutualfit.dev/schemas/questionnaire.json',
    title: 'mutualfit questionnaire',
  };
}
