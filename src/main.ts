import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { ensureFirstRunWorkspace, firstRunNotice } from './auth/bootstrap.ts';
import { loadQuestionnaires } from './questionnaires/loader.ts';
import {
  fail,
  failOnDatabase,
  loadConfigOrFail,
  migrateOnceReachable,
  openDatabaseOrFail,
} from './startup.ts';

const config = loadConfigOrFail();
// A broken questionnaire stops the start before anything else is touched.
const questionnaires = await loadQuestionnaires(config.QUESTIONNAIRES_DIR).catch((error: Error) =>
  fail(error.message),
);
const database = await openDatabaseOrFail(
  config,
  'Stop that process first, or give this one another DATA_DIR (several processes share one database through DATABASE_URL).',
);

// Registered before the slow steps, so the database (and the data directory's lock) is closed
// however the start ends.
let app: FastifyInstance | undefined;
closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
  if (err) app ? app.log.error({ err }, 'closing after an error') : process.stderr.write(`${err.stack}\n`);
  else {
    if (app && config.SHUTDOWN_DRAIN_MS > 0) await drain(app, signal);
    app?.log.info({ signal }, 'closing');
  }
  await app?.close();
  await database.close();
});

await migrateOnceReachable(database).catch(failOnDatabase);
app = await buildApp({ config, database, questionnaires, loadIndexInBackground: true });
const url = await app.listen({ host: config.HOST, port: config.PORT });
app.log.info(
  { database: database.kind, questionnaires: questionnaires.list().map((q) => `${q.id}@${q.version}`) },
  'mutualfit is listening (ready once the match index is loaded: /readyz)',
);

if (!config.BOOTSTRAP_ADMIN_KEY) {
  const log = app.log;
  const adminKey = await ensureFirstRunWorkspace(database.db).catch((err: unknown) => {
    log.error({ err }, 'first run: the default workspace could not be created');
    return undefined;
  });
  if (adminKey) {
    log.warn('first run: created the workspace "default" and an admin key, printed once on stderr');
    process.stderr.write(firstRunNotice(adminKey, url.replace(/:\/\/(0\.0\.0\.0|\[::\]):/, '://localhost:')));
  }
}

/** SHUTDOWN_DRAIN_MS: /readyz answers 503 while requests are still served, so a load balancer moves on first. */
async function drain(app: FastifyInstance, signal: string | undefined): Promise<void> {
  app.startDraining();
  app.log.info(
    { signal, drainMs: config.SHUTDOWN_DRAIN_MS },
    'draining: /readyz answers 503, requests are still served',
  );
  await new Promise((resolve) => setTimeout(resolve, config.SHUTDOWN_DRAIN_MS));
}
