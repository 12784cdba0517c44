import { z } from 'zod';
import { MAX_CRITERIA } from '../questionnaires/definition.ts';
import {
  MAX_EMAIL,
  MAX_EXTERNAL_ID,
  MAX_PHONE,
  MAX_QUESTIONNAIRE_ID,
  MAX_TEXT,
  PHONE_PATTERN,
} from './schemas.ts';

/*
 * The common well-formed candidate line, checked without zod: the line schema (`candidateLine` in
 * bulk-lines.ts) costs about a sixth of an ingest thread's work per line. `fastCandidateLine`
 * answers the very value `candidateLine.safeParse` would, or undefined whenever anything is not
 * plainly fine — then zod checks the line and words its errors, so every error stays zod's.
 * test/unit/bulk-fast-line.test.ts holds the two equal on random lines, valid and not.
 */

type Json = Record<string, unknown>;

export interface FastCandidateLine {
  headline?: string;
  contact: { name: string; email: string; phone?: string };
  minScore: number;
  externalId: string;
  questionnaireId?: string;
  questionnaireVersion?: number;
  answers?: Record<string, unknown>;
}

const EMAIL_PATTERN = z.regexes.email;
const MAX_CRITERION_ID = 64;
const DEFAULT_MIN_SCORE = 0.5;

/** The line schema's value of a plainly valid candidate line (keys in the schema's order), or undefined. */
export function fastCandidateLine(json: unknown): FastCandidateLine | undefined {
  if (!isObject(json)) return undefined;
  for (const key in json) if (!candidateKeys.has(key)) return undefined;
  const { headline, contact, minScore, externalId, questionnaireId, questionnaireVersion, answers } = json;
  const line = {} as FastCandidateLine;
  if (headline !== undefined) {
    const trimmed = trimmedText(headline, 0, MAX_TEXT);
    if (trimmed === undefined) return undefined;
    line.headline = trimmed;
  }
  const checkedContact = fastContact(contact);
  if (!checkedContact) return undefined;
  line.contact = checkedContact;
  if (minScore === undefined) line.minScore = DEFAULT_MIN_SCORE;
  else if (typeof minScore === 'number' && minScore >= 0 && minScore <= 1) line.minScore = minScore;
  else return undefined;
  const id = trimmedText(externalId, 1, MAX_EXTERNAL_ID);
  if (id === undefined) return undefined;
  line.externalId = id;
  if (questionnaireId !== undefined) {
    if (typeof questionnaireId !== 'string' || questionnaireId.length > MAX_QUESTIONNAIRE_ID)
      return undefined;
    line.questionnaireId = questionnaireId;
  }
  if (questionnaireVersion !== undefined) {
    if (!Number.isSafeInteger(questionnaireVersion) || (questionnaireVersion as number) < 1) return undefined;
    line.questionnaireVersion = questionnaireVersion as number;
  }
  if (answers !== undefined) {
    if (questionnaireId === undefined || !plainAnswerMap(answers)) return undefined;
    line.answers = answers;
  }
  return line;
}

const candidateKeys = new Set([
  'headline',
  'contact',
  'minScore',
  'externalId',
  'questionnaireId',
  'questionnaireVersion',
  'answers',
]);

function fastContact(contact: unknown): FastCandidateLine['contact'] | undefined {
  if (!isObject(contact)) return undefined;
  for (const key in contact) if (key !== 'name' && key !== 'email' && key !== 'phone') return undefined;
  const name = trimmedText(contact.name, 1, MAX_TEXT);
  const { email, phone } = contact;
  if (name === undefined || typeof email !== 'string' || email.length > MAX_EMAIL) return undefined;
  if (!EMAIL_PATTERN.test(email)) return undefined;
  if (phone === undefined) return { name, email };
  const trimmedPhone = trimmedText(phone, 0, MAX_PHONE);
  if (trimmedPhone === undefined || !PHONE_PATTERN.test(trimmedPhone)) return undefined;
  return { name, email, phone: trimmedPhone };
}

/**
 * An answer map zod's record passes on as it is: criterion ids within bounds, and no `__proto__`
 * (which zod's record drops, and which this line then must not keep).
 */
function plainAnswerMap(answers: unknown): answers is Record<string, unknown> {
  if (!isObject(answers)) return false;
  let count = 0;
  for (const key in answers) {
    if (key.length > MAX_CRITERION_ID || key === '__proto__') return false;
    count++;
  }
  return count <= MAX_CRITERIA;
}

function trimmedText(value: unknown, min: number, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length >= min && trimmed.length <= max ? trimmed : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
