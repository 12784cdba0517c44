import { afterEach, describe, expect, it, vi } from 'vitest';
import { AllowedOrigins, allowedOriginsSchema } from '../../src/http/cors.ts';

type Rows = { id: string; allowedOrigins: string[] }[];
const quietLog = { warn: () => {}, info: () => {} };

/** A load whose answer the test gives when it likes, to interleave a refresh with a change. */
function pendingLoad() {
  let answer!: (rows: Rows) => void;
  const load = () =>
    new Promise<Rows>((resolve) => {
      answer = resolve;
    });
  return { load, answer: (rows: Rows) => answer(rows) };
}

describe('allowed origins cache', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers per workspace and for the union of all workspaces', async () => {
    const origins = new AllowedOrigins(
      async () => [
        { id: 'a', allowedOrigins: ['https://a.example'] },
        { id: 'b', allowedOrigins: ['https://b.example', 'http://localhost:5173'] },
      ],
      quietLog,
    );
    await origins.refresh();
    expect(origins.allowedByAny('https://a.example')).toBe(true);
    expect(origins.allowedByAny('http://localhost:5173')).toBe(true);
    expect(origins.allowedByAny('https://c.example')).toBe(false);
    expect(origins.allowedFor('a', 'https://a.example')).toBe(true);
    expect(origins.allowedFor('a', 'https://b.example')).toBe(false);
    expect(origins.allowedFor('c', 'https://a.example')).toBe(false);
  });

  it('drops an origin from the union once no workspace allows it', async () => {
    const origins = new AllowedOrigins(
      async () => [{ id: 'a', allowedOrigins: ['https://a.example'] }],
      quietLog,
    );
    await origins.refresh();
    origins.set('a', []);
    expect(origins.allowedByAny('https://a.example')).toBe(false);
    expect(origins.allowedFor('a', 'https://a.example')).toBe(false);
  });

  it('keeps a change made while a refresh was reading, rather than the older rows it read', async () => {
    const pending = pendingLoad();
    const origins = new AllowedOrigins(pending.load, quietLog);
    const refreshing = origins.refresh();
    origins.set('a', ['https://new.example']);
    pending.answer([{ id: 'a', allowedOrigins: ['https://old.example'] }]);
    await refreshing;
    expect(origins.allowedFor('a', 'https://new.example')).toBe(true);
    expect(origins.allowedByAny('https://old.example')).toBe(false);
  });

  it('logs a failing periodic refresh once and its recovery once, keeping the last copy meanwhile', async () => {
    vi.useFakeTimers();
    let databaseUp = true;
    const log = { warn: vi.fn(), info: vi.fn() };
    const origins = new AllowedOrigins(async () => {
      if (!databaseUp) throw new Error('database unavailable');
      return [{ id: 'a', allowedOrigins: ['https://a.example'] }];
    }, log);
    await origins.refresh();
    origins.start();
    databaseUp = false;
    await vi.advanceTimersByTimeAsync(90_000);
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(origins.allowedFor('a', 'https://a.example')).toBe(true);
    databaseUp = true;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(log.info).toHaveBeenCalledTimes(1);
    origins.stop();
  });

  it('accepts only exact, unique http(s) origins, at most 20', () => {
    const ok = (value: string[]) => allowedOriginsSchema.safeParse(value).success;
    expect(ok(['https://jobs.example', 'http://localhost:5173', 'https://jobs.example:8443'])).toBe(true);
    expect(ok(['https://jobs.example/'])).toBe(false);
    expect(ok(['https://jobs.example:443'])).toBe(false);
    expect(ok(['https://user@jobs.example'])).toBe(false);
    expect(ok(['https://jobs.example#top'])).toBe(false);
    expect(ok(['https://jobs.example', 'https://jobs.example'])).toBe(false);
    expect(ok(Array.from({ length: 21 }, (_, i) => `https://site${i}.example`))).toBe(false);
  });
});
