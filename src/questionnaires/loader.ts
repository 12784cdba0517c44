import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { type QuestionnaireDefinition, questionnaireDefinition } from './definition.ts';

export class QuestionnaireFileError extends Error {
  override name = 'QuestionnaireFileError';
}

/** All loaded questionnaires, by id and version. */
export interface QuestionnaireCatalog {
  list(): QuestionnaireDefinition[];
  latest(id: string): QuestionnaireDefinition | undefined;
  get(id: string, version: number): QuestionnaireDefinition | undefined;
}

const questionnaireExtensions = new Set(['.yaml', '.yml', '.json']);

/** Loads and validates every questionnaire file; the first broken file stops the start. */
export async function loadQuestionnaires(dir: string): Promise<QuestionnaireCatalog> {
  const files = (await readdir(dir))
    .filter((name) => questionnaireExtensions.has(extname(name)) && name !== 'schema.json')
    .sort();
  const definitions: QuestionnaireDefinition[] = [];
  const fileOf = new Map<string, string>();
  for (const name of files) {
    const definition = parseQuestionnaireFile(name, await readFile(join(dir, name), 'utf8'));
    const key = `${definition.id}@${definition.version}`;
    const earlier = fileOf.get(key);
    if (earlier) {
      throw new QuestionnaireFileError(
        `${name}: questionnaire ${definition.id} version ${definition.version} is already defined in ${earlier}`,
      );
    }
    fileOf.set(key, name);
    definitions.push(definition);
  }
  return buildCatalog(definitions);
}

export function parseQuestionnaireFile(fileName: string, text: string): QuestionnaireDefinition {
  let raw: unknown;
  try {
    raw = extname(fileName) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new QuestionnaireFileError(
      `${fileName}: not valid ${extname(fileName).slice(1)}: ${String(error)}`,
    );
  }
  const parsed = questionnaireDefinition.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${describeIssue(raw, issue)}`);
    throw new QuestionnaireFileError(`${basename(fileName)}: invalid questionnaire\n${problems.join('\n')}`);
  }
  return parsed.data;
}

/** Names the criterion by id (not only by index) so an author finds it in the file. */
function describeIssue(raw: unknown, issue: z.core.$ZodIssue): string {
  const [head, index, ...rest] = issue.path;
  if (head === 'criteria' && typeof index === 'number') {
    const criteria = (raw as { criteria?: { id?: unknown }[] }).criteria;
    const id = criteria?.[index]?.id;
    const where = rest.length > 0 ? ` at ${rest.join('.')}` : '';
    return `criterion "${typeof id === 'string' ? id : `#${index}`}"${where}: ${issue.message}`;
  }
  return `${issue.path.length > 0 ? issue.path.join('.') : '(file)'}: ${issue.message}`;
}

/** The most questionnaire versions one service serves (the list endpoint is not paginated). */
export const MAX_QUESTIONNAIRES = 1000;

export function buildCatalog(definitions: QuestionnaireDefinition[]): QuestionnaireCatalog {
  const byKey = new Map<string, QuestionnaireDefinition>();
  const latestById = new Map<string, QuestionnaireDefinition>();
  if (definitions.length > MAX_QUESTIONNAIRES) {
    throw new QuestionnaireFileError(
      `${definitions.length} questionnaire versions; at most ${MAX_QUESTIONNAIRES} are served`,
    );
  }
  for (const definition of definitions) {
    const key = `${definition.id}@${definition.version}`;
    if (byKey.has(key)) {
      throw new QuestionnaireFileError(
        `questionnaire ${definition.id} version ${definition.version} is defined twice`,
      );
    }
    byKey.set(key, definition);
    const current = latestById.get(definition.id);
    if (!current || current.version < definition.version) latestById.set(definition.id, definition);
  }
  return {
    list: () => [...latestById.values()].sort((a, b) => a.id.localeCompare(b.id)),
    latest: (id) => latestById.get(id),
    get: (id, version) => byKey.get(`${id}@${version}`),
  };
}
