import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { eq } from '../db/orm.ts';
import { workspaces } from '../db/schema.ts';
import { findCandidate, findEmployer } from '../profiles/repository.ts';
import { DEFAULT_WORKSPACE_ID, mintApiKey } from './bootstrap.ts';

export const keyUsage = `Mints an API key from the shell and prints it (only the key) on stdout.

  npm run key -- [--workspace <name or id>] [--role admin|employer|candidate]
                 [--employer <employer id>] [--candidate <candidate id>] [--label <text>]

  --workspace  default: "default" (created if it does not exist yet)
  --role       default: admin; employer keys need --employer, candidate keys --candidate

Works on DATABASE_URL, or on DATA_DIR while no server runs on it.`;

/** A mistake in what the person asked for: shown to them as is, with no stack. */
export class KeyCommandError extends Error {
  override name = 'KeyCommandError';
}

const uuid = z.uuid();
const request = z.discriminatedUnion('role', [
  z.object({ role: z.literal('admin') }),
  z.object({ role: z.literal('employer'), employer: uuid }),
  z.object({ role: z.literal('candidate'), candidate: uuid }),
]);

export type KeyRequest = z.infer<typeof request> & { workspace: string; label?: string | undefined };

export function parseKeyArgs(args: string[]): KeyRequest | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        workspace: { type: 'string', default: 'default' },
        role: { type: 'string', default: 'admin' },
        employer: { type: 'string' },
        candidate: { type: 'string' },
        label: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new KeyCommandError(`${(error as Error).message}\n\n${keyUsage}`);
  }
  if (values.help) return 'help';
  const parsed = request.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  --${issue.path.join('.')}: ${issue.message}`);
    throw new KeyCommandError(`${problems.join('\n')}\n\n${keyUsage}`);
  }
  return { ...parsed.data, workspace: values.workspace as string, label: values.label as string | undefined };
}

export interface MintedKey {
  key: string;
  role: KeyRequest['role'];
  workspace: { id: string; name: string };
}

/** Mints the key asked for, checking that its workspace and its employer or candidate exist. */
export async function mintKeyFromShell(db: Db, asked: KeyRequest): Promise<MintedKey> {
  const workspace = await resolveWorkspace(db, asked.workspace);
  const employerId = asked.role === 'employer' ? asked.employer : null;
  const candidateId = asked.role === 'candidate' ? asked.candidate : null;
  if (employerId && !(await findEmployer(db, workspace.id, employerId))) {
    throw new KeyCommandError(`No employer ${employerId} in workspace "${workspace.name}".`);
  }
  if (candidateId && !(await findCandidate(db, workspace.id, candidateId))) {
    throw new KeyCommandError(`No candidate ${candidateId} in workspace "${workspace.name}".`);
  }
  const { key } = await mintApiKey(db, {
    workspaceId: workspace.id,
    role: asked.role,
    employerId,
    candidateId,
    label: asked.label ?? 'npm run key',
  });
  return { key, role: asked.role, workspace };
}

async function resolveWorkspace(db: Db, wanted: string): Promise<{ id: string; name: string }> {
  const columns = { id: workspaces.id, name: workspaces.name };
  const matches = await db
    .select(columns)
    .from(workspaces)
    .where(uuid.safeParse(wanted).success ? eq(workspaces.id, wanted) : eq(workspaces.name, wanted))
    .limit(10);
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    const ids = matches.map((w) => `  ${w.id}`).join('\n');
    throw new KeyCommandError(`Several workspaces are named "${wanted}"; give one by id:\n${ids}`);
  }
  if (wanted === 'default') {
    await db.insert(workspaces).values({ id: DEFAULT_WORKSPACE_ID, name: 'default' }).onConflictDoNothing();
    return resolveWorkspace(db, DEFAULT_WORKSPACE_ID);
  }
  throw new KeyCommandError(`No workspace "${wanted}" (give its name or id).`);
}
