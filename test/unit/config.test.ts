import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { openDatabaseOrFail } from '../../src/startup.ts';

describe('loadConfig', () => {
  it('applies defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.DATA_DIR).toBe('./data');
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.CORS_ORIGINS).toEqual([]);
  });

  it('keeps listings of up to 250,000 rows on one thread by default (splitting costs throughput)', () => {
    expect(loadConfig({}).MATCH_SPLIT_MIN_ROWS).toBe(250_000);
    expect(loadConfig({ MATCH_SPLIT_MIN_ROWS: '0' }).MATCH_SPLIT_MIN_ROWS).toBe(0);
  });

  it('sizes the PostgreSQL pool from DATABASE_POOL_MAX (10 by default, at least 2)', async () => {
    expect(loadConfig({}).DATABASE_POOL_MAX).toBe(10);
    expect(() => loadConfig({ DATABASE_POOL_MAX: '1' })).toThrow(/DATABASE_POOL_MAX/);
    // No connection is made until a query: the pool's size is all this looks at.
    const config = loadConfig({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', DATABASE_POOL_MAX: '3' });
    const database = await openDatabaseOrFail(config, '');
    try {
      expect(database.kind === 'postgres' && database.pool.options.max).toBe(3);
    } finally {
      await database.close();
    }
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' })).toThrow(
      ConfigError,
    );
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('DATABASE_URL');
      expect(message).toContain('LOG_LEVEL');
    }
  });

  it('takes numbers only as decimal digits: hex, binary and exponents are typos, not values', () => {
    for (const typo of ['0x1296', '0b1', '1e3', '80.0', '+80']) {
      expect(() => loadConfig({ PORT: typo }), typo).toThrow(
        /PORT: must be a whole number in decimal digits/,
      );
    }
    expect(() => loadConfig({ RATE_LIMIT_MAX: '1e9' })).toThrow(/RATE_LIMIT_MAX/);
    expect(() => loadConfig({ PORT: ' ' })).toThrow(/PORT: is empty: unset it to take the default$/m);
    expect(loadConfig({ PORT: '8080', RATE_LIMIT_MAX: ' 50 ' })).toMatchObject({
      PORT: 8080,
      RATE_LIMIT_MAX: 50,
    });
  });

  it('refuses a DATABASE_URL the driver could not parse, naming it without echoing the password', () => {
    for (const url of [
      'postgres://mutualfit:Top/SecretPw6@127.0.0.1:5432/db',
      'postgres://mutualfit:Top#SecretPw6@127.0.0.1:5432/db',
      'postgres://mutualfit:SecretPw6@127.0.0.1:99999/db',
    ]) {
      let message = '';
      try {
        loadConfig({ DATABASE_URL: url });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, url).toContain('DATABASE_URL: is not a valid URL (percent-encode');
      expect(message).not.toContain('SecretPw6');
    }
    const encoded = 'postgres://mutualfit:Top%2FSecret@127.0.0.1:5432/db';
    expect(loadConfig({ DATABASE_URL: encoded }).DATABASE_URL).toBe(encoded);
  });

  it('parses a comma-separated list of CORS origins', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example' });
    expect(config.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
  });

  it('refuses a short bootstrap key', () => {
    expect(() => loadConfig({ BOOTSTRAP_ADMIN_KEY: 'short' })).toThrow(/BOOTSTRAP_ADMIN_KEY/);
  });

  it('keeps webhooks to public https URLs unless insecure URLs are allowed in so many words', () => {
    expect(loadConfig({}).WEBHOOK_ALLOW_INSECURE_URLS).toBe(false);
    expect(loadConfig({ WEBHOOK_ALLOW_INSECURE_URLS: 'true' }).WEBHOOK_ALLOW_INSECURE_URLS).toBe(true);
    expect(loadConfig({ WEBHOOK_ALLOW_INSECURE_URLS: '0' }).WEBHOOK_ALLOW_INSECURE_URLS).toBe(false);
    expect(() => loadConfig({ WEBHOOK_ALLOW_INSECURE_URLS: 'yes please' })).toThrow(
      /WEBHOOK_ALLOW_INSECURE_URLS/,
    );
    expect(() => loadConfig({ WEBHOOK_MAX_ATTEMPTS: '0', WEBHOOK_TIMEOUT_MS: '5' })).toThrow(
      /WEBHOOK_TIMEOUT_MS[\s\S]*WEBHOOK_MAX_ATTEMPTS/,
    );
  });

  it('bounds slow requests and failed authentications by default, and takes other bounds', () => {
    const defaults = loadConfig({});
    expect(defaults).toMatchObject({
      REQUEST_TIMEOUT_MS: 30_000,
      HEADERS_TIMEOUT_MS: 10_000,
      CONNECTION_TIMEOUT_MS: 60_000,
      KEEP_ALIVE_TIMEOUT_MS: 72_000,
      AUTH_FAILURE_LIMIT: 20,
      AUTH_FAILURE_WINDOW_MS: 300_000,
    });
    const set = loadConfig({
      REQUEST_TIMEOUT_MS: '5000',
      HEADERS_TIMEOUT_MS: '2000',
      AUTH_FAILURE_LIMIT: '5',
    });
    expect(set).toMatchObject({ REQUEST_TIMEOUT_MS: 5000, HEADERS_TIMEOUT_MS: 2000, AUTH_FAILURE_LIMIT: 5 });
    expect(() => loadConfig({ AUTH_FAILURE_LIMIT: '0', REQUEST_TIMEOUT_MS: '10' })).toThrow(
      /REQUEST_TIMEOUT_MS[\s\S]*AUTH_FAILURE_LIMIT|AUTH_FAILURE_LIMIT[\s\S]*REQUEST_TIMEOUT_MS/,
    );
  });

  it('reads which proxies to trust for the client address', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).TRUST_PROXY).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
    ]);
  });

  it('refuses proxies to trust that are no address or range, naming each', () => {
    expect(loadConfig({ TRUST_PROXY: 'loopback, ::1/128, 192.168.0.0/16' }).TRUST_PROXY).toEqual([
      'loopback',
      '::1/128',
      '192.168.0.0/16',
    ]);
    for (const bad of ['maybe', '10.0.0.0/33', '10.0.0.1/8/8', '::1/129', '10.0.0.0/x']) {
      expect(() => loadConfig({ TRUST_PROXY: `127.0.0.1, ${bad}` })).toThrow(
        `TRUST_PROXY: "${bad}" is not an address`,
      );
    }
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '2000' })).toThrow(
      /HEADERS_TIMEOUT_MS: must not exceed REQUEST_TIMEOUT_MS/,
    );
  });

  it('refuses a drain as long as the shutdown grace, which counts the drain', () => {
    expect(loadConfig({ SHUTDOWN_DRAIN_MS: '5000' }).SHUTDOWN_DRAIN_MS).toBe(5000);
    expect(loadConfig({}).SHUTDOWN_DRAIN_MS).toBe(0);
    expect(() => loadConfig({ SHUTDOWN_DRAIN_MS: '25000' })).toThrow(
      /SHUTDOWN_DRAIN_MS: must be less than SHUTDOWN_GRACE_MS/,
    );
  });

  it('names the settings that conflict along with every other bad one, in one error', () => {
    const error = (() => {
      try {
        loadConfig({ PORT: 'x', HEADERS_TIMEOUT_MS: '50000', SHUTDOWN_DRAIN_MS: '30000' });
      } catch (caught) {
        return (caught as Error).message;
      }
    })();
    expect(error).toContain('PORT:');
    expect(error).toContain('HEADERS_TIMEOUT_MS: must not exceed REQUEST_TIMEOUT_MS');
    expect(error).toContain('SHUTDOWN_DRAIN_MS: must be less than SHUTDOWN_GRACE_MS');
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });
});
