import { failOnDatabase, loadConfigOrFail, openDatabaseOrFail } from '../startup.ts';
import { runMigrations } from './migrate.ts';

const database = await openDatabaseOrFail(
  loadConfigOrFail(),
  'A server running on this data directory applies the migrations itself at start-up; stop it to run them alone.',
);
try {
  await runMigrations(database).catch(failOnDatabase);
  process.stdout.write(`migrations applied (${database.kind})\n`);
} finally {
  await database.close();
}
