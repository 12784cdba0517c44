import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('loadConfig', () => {
  it('applies defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.DATA_DIR).toBe('./data');
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.CORS_ORIGINS).toEqual([]);
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

  it('returns a frozen object', () => {
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });
});
