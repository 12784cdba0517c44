import { writeFile } from 'node:fs/promises';
import { questionnaireSchemaJson } from '../src/questionnaires/json-schema.ts';

await writeFile('questionnaires/schema.json', `${JSON.stringify(questionnaireSchemaJson(), null, 2)}\n`);
process.stdout.write('questionnaires/schema.json written\n');
