import { writeFile } from 'node:fs/promises';
import { generateOpenApiYaml } from '../src/openapi.ts';
import { loadQuestionnaires } from '../src/questionnaires/loader.ts';

const yaml = await generateOpenApiYaml(await loadQuestionnaires('questionnaires'));
await writeFile('openapi.yaml', yaml);
process.stdout.write('openapi.yaml written\n');
