/**
 * The building blocks of answer validation (validate.ts walks an answer set; each criterion kind
 * builds its value and accept checks from these, in src/matching/engine/kinds/). Every message names
 * the offending value and what is allowed.
 */

export type Report = (path: string, message: string) => void;
/** Checks one untrusted value at `path`: the value if usable (problems reported), else undefined. */
export type Check<T> = (raw: unknown, path: string, report: Report) => T | undefined;

/** A whole number in min..max. */
export function integerIn(
  raw: unknown,
  path: string,
  min: number,
  max: number,
  noun: string,
  report: Report,
) {
  if (typeof raw !== 'number' || !Number.isInteger(raw)) {
    report(path, `expected a whole-number ${noun} ${min}..${max}, got ${describe(raw)}`);
    return undefined;
  }
  if (raw < min || raw > max) report(path, `${noun} ${raw} is out of range ${min}..${max}`);
  return raw;
}

/** A plain object whose every key is allowed; each unknown key is its own problem. */
export function strictObject(
  raw: unknown,
  path: string,
  allowed: readonly string[],
  what: string,
  report: Report,
) {
  if (!isPlainObject(raw)) {
    report(path, `${what} must be an object with ${allowed.join(', ')}, got ${describe(raw)}`);
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key))
      report(`${path}.${key}`, `unknown field "${key}"; allowed: ${allowed.join(', ')}`);
  }
  return raw;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A short, safe rendering of an untrusted value for a message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
