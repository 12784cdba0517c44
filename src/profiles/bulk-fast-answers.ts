import { type AnswerSet, type CriterionAnswer, type Importance, importanceLevels } from '../answers/types.ts';
import { RATING_MAX, RATING_MIN } from '../matching/engine/kinds/profile.ts';
import type { CriterionDefinition, QuestionnaireDefinition } from '../questionnaires/definition.ts';
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  isJsonSpace,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from './json-bytes.ts';

/*
 * The common well-formed answer set of a bulk line, read straight from the line's bytes: JSON.parse
 * of a line's 2.4 kB of answers and their validation built and walked some 130 objects, about half
 * of an ingest thread's CPU per line (bench/README.md, 2026-12-07, session 51). `fastAnswerSet`
 * answers the very set `validateAnswerSet(questionnaire, JSON.parse(text))` gives, or undefined
 * whenever anything is not plainly fine — an escape or a non-ASCII byte in a string, a key given
 * twice, a value out of range, a date criterion, any error at all — and then the line takes the
 * slow path, which words every error. test/unit/bulk-fast-answers.test.ts holds the two equal on
 * random sets, valid and not.
 */

const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const SMALL_E = 0x65;
const CAPITAL_E = 0x45;
/** Digits a plain integer may have to be summed exactly (below 2^53). */
const EXACT_DIGITS = 15;

/** The answer set in `bytes[start..end)` (the JSON of the line's `answers`), or undefined: see above. */
export function fastAnswerSet(
  questionnaire: QuestionnaireDefinition,
  bytes: Buffer,
  start: number,
  end: number,
): AnswerSet | undefined {
  const read = readAnswerObject(questionnaire, bytes, start, end);
  return read && new Cursor(bytes, read.end, end).atEnd() ? read.answers : undefined;
}

/**
 * The answer set whose JSON object starts at `start` (and ends before `limit`), and where it ends:
 * just past its closing brace. Undefined as fastAnswerSet is (then nothing says where it ends).
 */
export function readAnswerObject(
  questionnaire: QuestionnaireDefinition,
  bytes: Buffer,
  start: number,
  limit: number,
): { answers: AnswerSet; end: number } | undefined {
  const readers = readersOf(questionnaire);
  const cursor = new Cursor(bytes, start, limit);
  const given: (CriterionAnswer | undefined)[] = new Array(readers.count);
  if (!cursor.take(OPEN_BRACE)) return undefined;
  if (!cursor.take(CLOSE_BRACE)) {
    let next = 0;
    do {
      const criterion = readers.criteria.find(cursor, next);
      if (criterion === undefined || given[criterion.index] !== undefined || !cursor.colon())
        return undefined;
      const answer = criterion.read(cursor);
      if (answer === undefined) return undefined;
      given[criterion.index] = answer;
      next = criterion.index + 1;
    } while (cursor.comma());
    if (!cursor.take(CLOSE_BRACE)) return undefined;
  }
  // In questionnaire order, as validateAnswerSet builds it.
  const answers: AnswerSet = {};
  for (let c = 0; c < readers.count; c++) {
    const answer = given[c];
    if (answer !== undefined) answers[readers.ids[c]!] = answer;
  }
  return { answers, end: cursor.position };
}

/**
 * A JSON reader over bytes that gives up (undefined, false) on anything but plain, valid JSON.
 * Strings are not decoded: each is compared, byte for byte, with the names expected there (Names),
 * whose own strings are then used.
 */
class Cursor {
  readonly bytes: Buffer;
  private at: number;
  private readonly end: number;

  constructor(bytes: Buffer, start: number, end: number) {
    this.bytes = bytes;
    this.at = start;
    this.end = end;
  }

  /** Where the next byte to read is. */
  get position(): number {
    return this.at;
  }

  atEnd(): boolean {
    this.space();
    return this.at === this.end;
  }

  comma(): boolean {
    return this.take(COMMA);
  }

  colon(): boolean {
    return this.take(COLON);
  }

  /** The first byte inside the string that is the next token (its closing quote if empty), or -1: no string. */
  stringStart(): number {
    this.space();
    return this.byte(this.at) === QUOTE ? this.byte(this.at + 1) : -1;
  }

  /** The next token is the string of exactly these bytes (plain: see Names), consumed; false otherwise. */
  stringIs(name: Buffer): boolean {
    this.space();
    const bytes = this.bytes;
    const start = this.at + 1;
    const close = start + name.length;
    if (close >= this.end || bytes[this.at] !== QUOTE || bytes[close] !== QUOTE) return false;
    for (let i = 0; i < name.length; i++) if (bytes[start + i] !== name[i]) return false;
    this.at = close + 1;
    return true;
  }

  /** A number as JSON writes it, valued as JSON.parse values it. */
  number(): number | undefined {
    this.space();
    const start = this.at;
    let i = start;
    const negative = this.byte(i) === MINUS;
    if (negative) i++;
    if (this.byte(i) === ZERO) i++;
    else if (isDigit(this.byte(i))) while (isDigit(this.byte(i))) i++;
    else return undefined;
    const integerEnd = i;
    if (this.byte(i) === DOT) {
      if (!isDigit(this.byte(++i))) return undefined;
      while (isDigit(this.byte(i))) i++;
    }
    if (this.byte(i) === SMALL_E || this.byte(i) === CAPITAL_E) {
      i++;
      if (this.byte(i) === PLUS || this.byte(i) === MINUS) i++;
      if (!isDigit(this.byte(i))) return undefined;
      while (isDigit(this.byte(i))) i++;
    }
    this.at = i;
    const digitsStart = negative ? start + 1 : start;
    if (i !== integerEnd || i - digitsStart > EXACT_DIGITS)
      return Number(this.bytes.toString('latin1', start, i));
    let value = 0;
    for (let k = digitsStart; k < i; k++) value = value * 10 + (this.bytes[k]! - ZERO);
    return negative ? -value : value;
  }

  /** The next token is this byte (a bracket, a brace): consumed. */
  take(byte: number): boolean {
    this.space();
    if (this.byte(this.at) !== byte) return false;
    this.at++;
    return true;
  }

  private space(): void {
    // Nearly always no space at all: one comparison says so (JSON's spaces are all below 0x21).
    while (this.at < this.end && this.bytes[this.at]! <= 0x20 && isJsonSpace(this.bytes[this.at]!)) this.at++;
  }

  private byte(i: number): number {
    return i < this.end ? this.bytes[i]! : -1;
  }
}

function isDigit(byte: number): boolean {
  return byte >= ZERO && byte <= NINE;
}

/**
 * The names a string may be at some place (criterion ids, option ids, fields), in order, found by
 * their bytes: first the one the caller expects there (lines written by a program give their keys
 * in one order), then those that start with the string's first byte.
 *
 * Only plain names are kept: not empty, printable ASCII without a quote or a backslash, which JSON
 * writes as they are. Any other name is written with an escape or a byte above ASCII (no id or
 * field is empty), and such a string is left to the slow path.
 */
class Names<T> {
  private readonly entries: ({ bytes: Buffer; value: T } | undefined)[] = [];
  private readonly byFirstByte: { bytes: Buffer; value: T }[][] = [];

  constructor(entries: Iterable<readonly [string, T]>) {
    for (const [name, value] of entries) {
      const entry = isPlain(name) ? { bytes: Buffer.from(name, 'latin1'), value } : undefined;
      this.entries.push(entry);
      if (!entry) continue;
      const first = name.charCodeAt(0);
      const sharing = this.byFirstByte[first] ?? [];
      sharing.push(entry);
      this.byFirstByte[first] = sharing;
    }
  }

  /**
   * Reads a string: the value of the name it is, or undefined (not a string, or none of these
   * names). `expected`: the position of the name most likely there, tried first.
   */
  find(cursor: Cursor, expected = -1): T | undefined {
    if (expected >= 0 && expected < this.entries.length) {
      const likely = this.entries[expected];
      if (likely && cursor.stringIs(likely.bytes)) return likely.value;
    }
    const first = cursor.stringStart();
    const sharing = first >= 0 ? this.byFirstByte[first] : undefined;
    if (sharing) for (const entry of sharing) if (cursor.stringIs(entry.bytes)) return entry.value;
    return undefined;
  }
}

function isPlain(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 0x20 || code >= 0x80 || code === QUOTE || code === BACKSLASH) return false;
  }
  return true;
}

type Read<T> = (cursor: Cursor) => T | undefined;

/** A questionnaire's criteria by id, each with the reader of its answer object. */
interface Readers {
  count: number;
  ids: string[];
  criteria: Names<{ index: number; read: Read<CriterionAnswer> }>;
}

const readersOfQuestionnaire = new WeakMap<QuestionnaireDefinition, Readers>();

function readersOf(questionnaire: QuestionnaireDefinition): Readers {
  let readers = readersOfQuestionnaire.get(questionnaire);
  if (!readers) {
    const { criteria } = questionnaire;
    readers = {
      count: criteria.length,
      ids: criteria.map((criterion) => criterion.id),
      criteria: new Names(
        criteria.map((criterion, index) => [criterion.id, { index, read: answerReader(criterion) }] as const),
      ),
    };
    readersOfQuestionnaire.set(questionnaire, readers);
  }
  return readers;
}

const IMPORTANCE = 0;
const VALUE = 1;
const ACCEPT = 2;
const answerFields = new Names([
  ['importance', IMPORTANCE],
  ['value', VALUE],
  ['accept', ACCEPT],
] as const);
const levels = new Names(importanceLevels.map((level) => [level, level] as const));
const MIN = 0;
const MAX = 1;
const rangeFields = new Names([
  ['min', MIN],
  ['max', MAX],
] as const);
const MODE = 0;
const OPTIONS = 1;
const multiAcceptFields = new Names([
  ['mode', MODE],
  ['options', OPTIONS],
] as const);
const modes = new Names([
  ['any', 'any'],
  ['all', 'all'],
] as const);

/**
 * A JSON object of `fields`, at least one and each at most once, each value read by its reader:
 * the values by field, or undefined for anything else (an unknown or repeated field, a field
 * without a reader, a value its reader refuses).
 */
function objectOf(
  cursor: Cursor,
  fields: Names<number>,
  readers: readonly (Read<unknown> | undefined)[],
): unknown[] | undefined {
  if (!cursor.take(OPEN_BRACE) || cursor.take(CLOSE_BRACE)) return undefined;
  const values: unknown[] = new Array(readers.length);
  let count = 0;
  do {
    const field = fields.find(cursor, count++);
    if (field === undefined || values[field] !== undefined || !cursor.colon()) return undefined;
    const value = readers[field]?.(cursor);
    if (value === undefined) return undefined;
    values[field] = value;
  } while (cursor.comma());
  return cursor.take(CLOSE_BRACE) ? values : undefined;
}

/**
 * One criterion's answer object, with validateAnswer's rules: only value, accept and importance;
 * an importance; a kind without accept needs a value; one with needs an accept unless irrelevant.
 * Its fields are read here, not by objectOf: a set has some 27 of these, and reading into locals
 * instead of an array filled by readers called through it took a fifth off the whole set's time.
 */
function answerReader(criterion: CriterionDefinition): Read<CriterionAnswer> {
  const { value: readValue, accept: readAccept } = kindReaders(criterion);
  return (cursor) => {
    if (!cursor.take(OPEN_BRACE)) return undefined;
    let importance: Importance | undefined;
    let value: unknown;
    let accept: unknown;
    let count = 0;
    do {
      const field = answerFields.find(cursor, count++);
      if (field === undefined || !cursor.colon()) return undefined;
      // Each field at most once, each value one its reader takes.
      let read: unknown;
      if (field === IMPORTANCE && importance === undefined) read = importance = levels.find(cursor);
      else if (field === VALUE && value === undefined) read = value = readValue(cursor);
      else if (field === ACCEPT && accept === undefined && readAccept) read = accept = readAccept(cursor);
      if (read === undefined) return undefined;
    } while (cursor.comma());
    if (!cursor.take(CLOSE_BRACE) || importance === undefined) return undefined;
    if (!readAccept) return value === undefined ? undefined : ({ value, importance } as CriterionAnswer);
    if (accept === undefined && importance !== 'irrelevant') return undefined;
    const answer = {} as { value?: unknown; accept?: unknown; importance: Importance };
    if (value !== undefined) answer.value = value;
    if (accept !== undefined) answer.accept = accept;
    answer.importance = importance;
    return answer as CriterionAnswer;
  };
}

/** The kind's value and accept readers (accept undefined: the kind takes none), as its answerChecks check. */
function kindReaders(criterion: CriterionDefinition): { value: Read<unknown>; accept?: Read<unknown> } {
  switch (criterion.kind) {
    case 'single': {
      const options = optionNames(criterion.options);
      return { value: (cursor) => options.find(cursor)?.id, accept: (cursor) => optionList(cursor, options) };
    }
    case 'multi': {
      const options = optionNames(criterion.options);
      return { value: (cursor) => optionList(cursor, options), accept: multiAcceptReader(options) };
    }
    case 'scale': {
      const last = criterion.steps.length - 1;
      const step = (cursor: Cursor) => integerIn(cursor, 0, last);
      return { value: step, accept: rangeReader(step, true) };
    }
    case 'number': {
      const { min, max } = criterion.range;
      const value = (cursor: Cursor) => amount(cursor, min, max);
      return { value, accept: rangeReader(value, false) };
    }
    case 'profile': {
      const count = criterion.dimensions.length;
      return { value: (cursor) => ratings(cursor, count) };
    }
    case 'date':
      // Left to the slow path: a date's checks (a calendar day) are not worth a second copy here.
      return { value: () => undefined, accept: () => undefined };
    default:
      return criterion satisfies never;
  }
}

type Option = { id: string; bit: number };

function optionNames(options: readonly { id: string }[]): Names<Option> {
  return new Names(options.map((option, bit) => [option.id, { id: option.id, bit }] as const));
}

/** A non-empty list of distinct options (questionnaires allow 32 options at most: one bit each). */
function optionList(cursor: Cursor, options: Names<Option>): string[] | undefined {
  if (!cursor.take(OPEN_BRACKET) || cursor.take(CLOSE_BRACKET)) return undefined;
  const list: string[] = [];
  let seen = 0;
  do {
    const option = options.find(cursor);
    if (option === undefined || (seen >>> option.bit) & 1) return undefined;
    seen |= 1 << option.bit;
    list.push(option.id);
  } while (cursor.comma());
  return cursor.take(CLOSE_BRACKET) ? list : undefined;
}

/** A multi criterion's accept: `{ mode, options }`, both required. */
function multiAcceptReader(options: Names<Option>): Read<{ mode: 'any' | 'all'; options: string[] }> {
  const readers = [(cursor: Cursor) => modes.find(cursor), (cursor: Cursor) => optionList(cursor, options)];
  return (cursor) => {
    const fields = objectOf(cursor, multiAcceptFields, readers);
    const mode = fields?.[MODE] as 'any' | 'all' | undefined;
    const list = fields?.[OPTIONS] as string[] | undefined;
    return mode !== undefined && list !== undefined ? { mode, options: list } : undefined;
  };
}

function integerIn(cursor: Cursor, min: number, max: number): number | undefined {
  const value = cursor.number();
  return value !== undefined && Number.isInteger(value) && value >= min && value <= max ? value : undefined;
}

/** `{ min, max }` of two numbers read by `bound`: both required when `both`, at least one otherwise. */
function rangeReader(bound: Read<number>, both: boolean): Read<{ min?: number; max?: number }> {
  const readers = [bound, bound];
  return (cursor) => {
    const fields = objectOf(cursor, rangeFields, readers);
    if (!fields) return undefined;
    const min = fields[MIN] as number | undefined;
    const max = fields[MAX] as number | undefined;
    if (both && (min === undefined || max === undefined)) return undefined;
    if (min !== undefined && max !== undefined && min > max) return undefined;
    const given: { min?: number; max?: number } = {};
    if (min !== undefined) given.min = min;
    if (max !== undefined) given.max = max;
    return given;
  };
}

function amount(cursor: Cursor, min: number, max: number): number | undefined {
  const value = cursor.number();
  return value !== undefined && Number.isFinite(value) && value >= min && value <= max ? value : undefined;
}

function ratings(cursor: Cursor, count: number): number[] | undefined {
  if (!cursor.take(OPEN_BRACKET) || cursor.take(CLOSE_BRACKET)) return undefined;
  const list: number[] = [];
  do {
    const rating = integerIn(cursor, RATING_MIN, RATING_MAX);
    if (rating === undefined) return undefined;
    list.push(rating);
  } while (cursor.comma());
  return cursor.take(CLOSE_BRACKET) && list.length === count ? list : undefined;
}
