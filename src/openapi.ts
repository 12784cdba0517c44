import { stringify } from 'yaml';
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
    const document = app.swagger();
    await app.close();
    return stringify(withSchemasByName(document), { strict: false });
  } finally {
    await database.close();
  }
}

/**
 * Named schemas in name order: otherwise they follow the order in which modules happen to be
 * imported, and moving an import would change the committed document.
 */
function withSchemasByName(document: object): object {
  const { components } = document as { components?: { schemas?: Record<string, unknown> } };
  if (!components?.schemas) return document;
  const schemas = Object.fromEntries(
    Object.entries(components.schemas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return { ...document, components: { ...components, schemas } };
}
