import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { CriterionKind, QuestionnaireDefinition } from '../../src/questionnaires/definition.ts';
import {
  buildCatalog,
  loadQuestionnaires,
  parseQuestionnaireFile,
  type QuestionnaireCatalog,
  QuestionnaireFileError,
} from '../../src/questionnaires/loader.ts';

type Json = Record<string, unknown>;

const text = (en: string) => ({ en, nl: `${en} (nl)`, fr: `${en} (fr)` });
const side = (withAccept = true) => ({
  prompt: text('What do you offer?'),
  ...(withAccept ? { acceptPrompt: text('What do you accept?') } : {}),
});
const options = (...ids: string[]) => ids.map((id) => ({ id, label: text(id) }));

/** A valid single criterion; each case breaks one thing in it. */
const criterion = (overrides: Json = {}): Json => ({
  id: 'contract',
  kind: 'single',
  title: text('Contract'),
  options: options('permanent', 'fixed-term'),
  candidate: side(),
  employer: side(),
  ...overrides,
});

const questionnaire = (criteria: Json[] = [criterion()], overrides: Json = {}): Json => ({
  id: 'broken-fit',
  version: 1,
  locales: ['en', 'nl', 'fr'],
  defaultLocale: 'en',
  title: text('Broken fit'),
  criteria,
  ...overrides,
});

/** The message of the QuestionnaireFileError that parsing the file throws. */
function parseError(fileName: string, content: string): string {
  try {
    parseQuestionnaireFile(fileName, content);
  } catch (error) {
    expect(error).toBeInstanceOf(QuestionnaireFileError);
    return (error as Error).message;
  }
  throw new Error(`${fileName} was accepted`);
}

const yamlError = (criteria: Json[], overrides: Json = {}) =>
  parseError('broken-fit.yaml', stringify(questionnaire(criteria, overrides)));

describe('parseQuestionnaireFile', () => {
  it('accepts a valid YAML file and applies defaults', () => {
    const scale = criterion({
      id: 'autonomy',
      kind: 'scale',
      options: undefined,
      steps: [{ label: text('little') }, { label: text('much') }],
    });
    const q = parseQuestionnaireFile('ok.yaml', stringify(questionnaire([criterion(), scale])));
    expect(q.id).toBe('broken-fit');
    expect(q.criteria.map((c) => c.id)).toEqual(['contract', 'autonomy']);
    expect(q.criteria[1]).toMatchObject({ kind: 'scale', tolerance: 1 });
  });

  it('accepts the same questionnaire as JSON', () => {
    const q = parseQuestionnaireFile('ok.json', JSON.stringify(questionnaire()));
    expect(q.criteria[0]?.id).toBe('contract');
  });

  it('names the file and the YAML problem for invalid YAML syntax', () => {
    const message = parseError('syntax.yaml', 'id: x\ncriteria: [\n  - a: b\n  bad: : :');
    expect(message).toMatch(/^syntax\.yaml: not valid yaml/);
    expect(message).toContain('line');
  });

  it('names the file and the JSON problem for invalid JSON', () => {
    const message = parseError('syntax.json', '{ "id": "x", ');
    expect(message).toMatch(/^syntax\.json: not valid json/);
    expect(message).toContain('SyntaxError');
  });

  it('reads a .json file as JSON, not as YAML', () => {
    expect(parseError('yaml-inside.json', 'id: broken-fit\nversion: 1\n')).toMatch(/not valid json/);
  });

  it('refuses a file that is not a questionnaire object at all', () => {
    expect(parseError('empty.yaml', '')).toMatch(/^empty\.yaml: invalid questionnaire\n {2}\(file\): /);
  });

  const cases: { mistake: string; criteria: Json[]; criterionId: string; problem: RegExp }[] = [
    {
      mistake: 'an unknown kind',
      criteria: [criterion({ kind: 'ranking' })],
      criterionId: 'contract',
      problem: /at kind: .*'single' \| 'multi' \| 'scale' \| 'number' \| 'profile'/,
    },
    {
      mistake: 'a prompt without its fr text',
      criteria: [
        criterion({
          candidate: { prompt: { en: 'Offer?', nl: 'Bied?' }, acceptPrompt: text('Accept?') },
        }),
      ],
      criterionId: 'contract',
      problem: /at candidate\.prompt: missing the "fr" text/,
    },
    {
      mistake: 'an option label without its nl text',
      criteria: [
        criterion({ options: [{ id: 'permanent', label: { en: 'Permanent', fr: 'CDI' } }, ...options('x')] }),
      ],
      criterionId: 'contract',
      problem: /at options\.0\.label: missing the "nl" text/,
    },
    {
      mistake: 'a missing acceptPrompt on a non-profile criterion',
      criteria: [criterion({ employer: side(false) })],
      criterionId: 'contract',
      problem: /at employer\.acceptPrompt: a single criterion needs an acceptPrompt for each side/,
    },
    {
      mistake: 'a duplicate criterion id',
      criteria: [criterion({ id: 'region' }), criterion({ id: 'region' })],
      criterionId: 'region',
      problem: /at id: duplicate criterion id/,
    },
    {
      mistake: 'a duplicate option id',
      criteria: [criterion({ options: options('permanent', 'permanent') })],
      criterionId: 'contract',
      problem: /at options: option ids must be unique/,
    },
    {
      mistake: 'a scale with one step',
      criteria: [
        criterion({ id: 'autonomy', kind: 'scale', options: undefined, steps: [{ label: text('a') }] }),
      ],
      criterionId: 'autonomy',
      problem: /at steps: .*>=2 items/,
    },
    {
      mistake: 'a number range with min equal to max',
      criteria: [criterion({ id: 'salary', kind: 'number', options: undefined, range: { min: 5, max: 5 } })],
      criterionId: 'salary',
      problem: /at range: range\.min must be below range\.max/,
    },
    {
      mistake: 'a number range with min above max',
      criteria: [criterion({ id: 'salary', kind: 'number', options: undefined, range: { min: 9, max: 1 } })],
      criterionId: 'salary',
      problem: /at range: range\.min must be below range\.max/,
    },
    {
      mistake: 'a profile with one dimension',
      criteria: [
        criterion({
          id: 'work-values',
          kind: 'profile',
          options: undefined,
          dimensions: options('security'),
          candidate: side(false),
          employer: side(false),
        }),
      ],
      criterionId: 'work-values',
      problem: /at dimensions: .*>=2 items/,
    },
    {
      mistake: 'an unknown field',
      criteria: [criterion({ weight: 3 })],
      criterionId: 'contract',
      problem: /Unrecognized key: "weight"/,
    },
    {
      mistake: 'an id that is not kebab-case',
      criteria: [criterion({ id: 'Remote Work' })],
      criterionId: 'Remote Work',
      problem: /at id: must be lowercase kebab-case/,
    },
  ];

  it.each(cases)(
    'names the file, the criterion and the problem for $mistake',
    ({ criteria, criterionId, problem }) => {
      const message = yamlError(criteria);
      expect(message).toMatch(/^broken-fit\.yaml: invalid questionnaire\n/);
      expect(message).toContain(`criterion "${criterionId}"`);
      expect(message).toMatch(problem);
    },
  );

  it('names a criterion without an id by its position', () => {
    expect(yamlError([criterion(), criterion({ id: undefined })])).toMatch(/criterion "#1".*expected string/);
  });

  it('names the file and the field when the defaultLocale is not one of the locales', () => {
    const message = parseError(
      'broken-fit.json',
      JSON.stringify(questionnaire(undefined, { defaultLocale: 'de' })),
    );
    expect(message).toMatch(/^broken-fit\.json: invalid questionnaire\n/);
    expect(message).toContain('defaultLocale: must be one of locales');
  });

  it('refuses an unknown top-level field', () => {
    expect(yamlError([criterion()], { author: 'someone' })).toContain('Unrecognized key: "author"');
  });

  it('lists every problem of the file, not only the first', () => {
    const message = yamlError([criterion({ employer: side(false) }), criterion({ id: 'contract' })]);
    expect(message).toContain('needs an acceptPrompt');
    expect(message).toContain('duplicate criterion id');
  });
});

describe('buildCatalog', () => {
  const definition = (id: string, version: number) =>
    parseQuestionnaireFile(`${id}.json`, JSON.stringify(questionnaire(undefined, { id, version })));

  it('serves the latest version of each questionnaire and every version by number', () => {
    const catalog = buildCatalog([definition('beta', 2), definition('beta', 1), definition('alpha', 1)]);
    expect(catalog.list().map((q) => [q.id, q.version])).toEqual([
      ['alpha', 1],
      ['beta', 2],
    ]);
    expect(catalog.latest('beta')?.version).toBe(2);
    expect(catalog.get('beta', 1)?.version).toBe(1);
    expect(catalog.get('beta', 3)).toBeUndefined();
    expect(catalog.latest('gamma')).toBeUndefined();
  });

  it('refuses the same id and version defined twice, naming the questionnaire and version', () => {
    expect(() => buildCatalog([definition('beta', 1), definition('beta', 1)])).toThrow(
      QuestionnaireFileError,
    );
    expect(() => buildCatalog([definition('beta', 1), definition('beta', 1)])).toThrow(
      'questionnaire beta version 1 is defined twice',
    );
  });
});

describe('loadQuestionnaires', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  async function directory(files: Record<string, string>): Promise<string> {
    dir = await mkdtemp(join(tmpdir(), 'mutualfit-questionnaires-'));
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
    return dir;
  }

  it('loads YAML, YML and JSON files and ignores schema.json and other files', async () => {
    const catalog = await loadQuestionnaires(
      await directory({
        'a.yaml': stringify(questionnaire(undefined, { id: 'a' })),
        'b.yml': stringify(questionnaire(undefined, { id: 'b' })),
        'c.json': JSON.stringify(questionnaire(undefined, { id: 'c' })),
        'schema.json': '{ "not": "a questionnaire" }',
        'README.md': '# notes',
      }),
    );
    expect(catalog.list().map((q) => q.id)).toEqual(['a', 'b', 'c']);
  });

  it('rejects a directory with one broken file, naming that file', async () => {
    const path = await directory({
      'good.yaml': stringify(questionnaire(undefined, { id: 'good' })),
      'bad.yaml': stringify(questionnaire([criterion({ kind: 'ranking' })], { id: 'bad' })),
    });
    await expect(loadQuestionnaires(path)).rejects.toThrow(QuestionnaireFileError);
    await expect(loadQuestionnaires(path)).rejects.toThrow(/^bad\.yaml: invalid questionnaire\n.*"contract"/);
  });

  it('rejects two files defining the same id and version, naming both files', async () => {
    const path = await directory({
      'one.yaml': stringify(questionnaire()),
      'two.json': JSON.stringify(questionnaire()),
    });
    await expect(loadQuestionnaires(path)).rejects.toThrow(
      /two\.json: questionnaire broken-fit version 1 is already defined in one\.yaml/,
    );
  });
});

describe('the questionnaires directory', () => {
  let catalog: QuestionnaireCatalog;
  let workFit: QuestionnaireDefinition;
  beforeAll(async () => {
    catalog = await loadQuestionnaires('questionnaires');
    workFit = catalog.latest('work-fit')!;
  });

  it('loads work-fit version 1 with at least 24 criteria', () => {
    expect(workFit).toBeDefined();
    expect(workFit.version).toBe(1);
    expect(catalog.get('work-fit', 1)).toBe(workFit);
    expect(workFit.criteria.length).toBeGreaterThanOrEqual(24);
  });

  it('uses all five criterion kinds', () => {
    const kinds = new Set<CriterionKind>(workFit.criteria.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(['multi', 'number', 'profile', 'scale', 'single']);
  });

  it('ships en, nl and fr with en as the default', () => {
    expect(workFit.locales).toEqual(expect.arrayContaining(['en', 'nl', 'fr']));
    expect(workFit.defaultLocale).toBe('en');
  });

  it('has every text in en, nl and fr', () => {
    const texts: Record<string, unknown>[] = [];
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object') {
        const record = value as Record<string, unknown>;
        if (typeof record.en === 'string') texts.push(record);
        else Object.values(record).forEach(collect);
      }
    };
    collect(workFit);
    // title, description, and per criterion at least title + two prompts + two acceptPrompts
    expect(texts.length).toBeGreaterThan(workFit.criteria.length * 5);
    for (const localized of texts) {
      for (const locale of ['en', 'nl', 'fr']) {
        expect(localized[locale], JSON.stringify(localized)).toEqual(expect.stringMatching(/\S/));
      }
    }
  });

  it('asks no question about age, gender, origin, health, family status or diplomas', () => {
    const forbidden =
      /\b(age|aged|birth|born|gender|sex|male|female|nationality|national|origin|ethnic\w*|race|religio\w*|health|disab\w*|pregnan\w*|family|married|marital|children|diplomas?|degrees?)\b/i;
    for (const c of workFit.criteria) {
      expect(c.id.replaceAll('-', ' ')).not.toMatch(forbidden);
      expect(c.title.en).not.toMatch(forbidden);
    }
  });
});
