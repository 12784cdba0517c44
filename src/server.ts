import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { openDatabase } from './db/client.ts';
import { runMigrations } from './db/migrate.ts';
import { loadQuestionnaires } from './questionnaires/loader.ts';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}

// A broken questionnaire stops the start before anything else is touched.
const questionnaires = await loadQuestionnaires(config.QUESTIONNAIRES_DIR).catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
const database = await openDatabase(config);
await runMigrations(database);
const app = await buildApp({ config, database, questionnaires, loadIndexInBackground: true });

closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after an error');
  else app.log.info({ signal }, 'closing');
  await app.close();
  await database.close();
});

await app.listen({ host: config.HOST, port: config.PORT });
app.log.info(
  { database: database.kind, questionnaires: questionnaires.list().map((q) => `${q.id}@${q.version}`) },
  'mutualfit is ready',
);
