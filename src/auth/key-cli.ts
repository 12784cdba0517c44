import { runMigrations } from '../db/migrate.ts';
import { fail, failOnDatabase, loadConfigOrFail, openDatabaseOrFail } from '../startup.ts';
import { KeyCommandError, keyUsage, mintKeyFromShell, parseKeyArgs } from './key-command.ts';

let asked: ReturnType<typeof parseKeyArgs>;
try {
  asked = parseKeyArgs(process.argv.slice(2));
} catch (error) {
  fail((error as Error).message);
}
if (asked === 'help') {
  process.stdout.write(`${keyUsage}\n`);
  process.exit(0);
}

const config = loadConfigOrFail();
const database = await openDatabaseOrFail(
  config,
  'If that is the server: stop it and run this again, or mint the key through its API with an admin key:\n' +
    `  curl -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' \\\n` +
    `    -d '{"role":"admin"}' http://localhost:${config.PORT}/v1/api-keys`,
);
try {
  await runMigrations(database);
  const minted = await mintKeyFromShell(database.db, asked);
  process.stdout.write(`${minted.key}\n`);
  process.stderr.write(
    `Minted ${/^[aeiou]/.test(minted.role) ? 'an' : 'a'} ${minted.role} key for workspace "${minted.workspace.name}" ` +
      `(${minted.workspace.id}). It is shown only now and stored as a hash.\n`,
  );
} catch (error) {
  if (!(error instanceof KeyCommandError)) failOnDatabase(error);
  process.exitCode = 1;
  process.stderr.write(`${error.message}\n`);
} finally {
  await database.close();
}
