import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { openDatabase } from './db/client.ts';
import { runMigrations } from './db/migrate.ts';
import type { QuestionnaireCatalog } from './questionnaires/loader.ts';

/** The OpenAPI document as YAML, generated from the route schemas of a throwaway in-memory app. */
export async function generateOpenApiYaml(questionnaires: QuestionnaireCatalog): Promise<string> {
  const database = await openDatabase({ DATA_DIR: 'memory' });
  try {
    await runMigrations(database);
    const app = await buildApp({ config: loadConfig({}), database, questionnaires, logger: false });
    await app.ready();
    const yaml = app.swagger({ yaml: true });
    await app.close();
    return yaml;
  } finally {
    await database.close();
  }
}
