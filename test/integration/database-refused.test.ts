import { afterEach, describe, expect, inject, it } from 'vitest';
import { withDatabase } from '../support/global-setup.ts';
import { childEnv, killLeftovers, runEntry } from '../support/processes.ts';

// Run from a shell, a database that cannot be used ends the start and the commands with one line
// naming the cause, and exit code 1: no stack trace for an operator to read through.
const entries: [string, string[]][] = [
  ['src/server.ts', []],
  ['src/db/migrate-cli.ts', []],
  ['src/auth/key-cli.ts', ['--workspace', 'default']],
];

async function endsWithOneLine(entry: string, args: string[], url: string): Promise<string> {
  const child = runEntry(entry, args, childEnv({ DATABASE_URL: url, PORT: '0' }));
  expect(await child.exited).toBe(1);
  const { stderr } = child.output();
  expect(stderr.trim().split('\n'), stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  return stderr;
}

describe('a database that cannot be used, from the shell', () => {
  afterEach(() => killLeftovers());

  // The start waits for a database it cannot reach (database-faults.test.ts); the commands do not.
  it.each(entries.slice(1))(
    'ends %s at once when the database cannot be reached',
    async (entry, args) => {
      const stderr = await endsWithOneLine(entry, args, 'postgres://a:b@127.0.0.1:1/none');
      expect(stderr).toContain('The database cannot be reached (connect ECONNREFUSED 127.0.0.1:1)');
    },
    60_000,
  );

  const server = inject('postgresServer');
  if (server) {
    it.each(entries)(
      'ends %s when the database does not exist',
      async (entry, args) => {
        const stderr = await endsWithOneLine(
          entry,
          args,
          withDatabase(server.adminUrl, 'mutualfit_no_such_db'),
        );
        expect(stderr).toContain(
          'The database refused this process: database "mutualfit_no_such_db" does not exist.',
        );
      },
      60_000,
    );
  }
});
