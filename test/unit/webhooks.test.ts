import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/webhooks/backoff.ts';
import { postWebhook } from '../../src/webhooks/send.ts';
import { newWebhookSecret, signedMessage } from '../../src/webhooks/signing.ts';
import { guardedLookup, isInternalAddress, ownAddresses, urlProblem } from '../../src/webhooks/url-guard.ts';

describe('retry back-off', () => {
  const policy = { baseMs: 1_000, maxMs: 60_000 };

  it('doubles per attempt within [half, full] of the exponential step, and never passes the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const step = Math.min(policy.maxMs, policy.baseMs * 2 ** (n - 1));
          const delay = retryDelayMs(n, policy, undefined, () => r);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(step / 2));
          expect(delay).toBeLessThanOrEqual(Math.min(step, policy.maxMs));
        },
      ),
    );
  });

  it('jitters: the same attempt waits differently for different draws', () => {
    expect(retryDelayMs(4, policy, undefined, () => 0)).toBe(4_000);
    expect(retryDelayMs(4, policy, undefined, () => 0.999)).toBe(7_996);
  });

  it('honours a longer Retry-After, up to the cap, and ignores a shorter one', () => {
    expect(retryDelayMs(1, policy, 30_000, () => 0)).toBe(30_000);
    expect(retryDelayMs(1, policy, 3_600_000, () => 0)).toBe(60_000);
    expect(retryDelayMs(3, policy, 10, () => 0)).toBe(2_000);
  });
});

describe('Standard Webhooks signing', () => {
  const message = {
    id: '0192f0c4-8b1e-7a00-8000-000000000001',
    type: 'match.mutual',
    occurredAt: new Date('2026-11-23T10:00:00Z'),
    data: { jobId: 'j', candidateId: 'c' },
  };

  it('makes secrets in the whsec_ format with 32 random bytes, never the same twice', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(a);
  });

  it('signs so that the reference verifier accepts the message, and refuses it once tampered with', () => {
    const secret = newWebhookSecret();
    const { body, headers } = signedMessage([secret], message, new Date());
    expect(JSON.parse(body)).toEqual({
      type: 'match.mutual',
      timestamp: '2026-11-23T10:00:00.000Z',
      data: { jobId: 'j', candidateId: 'c' },
    });
    expect(headers['webhook-id']).toBe(message.id);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace('"j"', '"k"'), headers)).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });

  it('puts the attempt time, not the event time, in webhook-timestamp (receivers reject stale ones)', () => {
    const now = new Date('2026-11-24T00:00:05Z');
    const { headers } = signedMessage([newWebhookSecret()], message, now);
    expect(headers['webhook-timestamp']).toBe(String(now.getTime() / 1000));
  });

  it('signs with every secret given, newest first, space-separated, so a holder of either verifies', () => {
    const [current, previous, stranger] = [newWebhookSecret(), newWebhookSecret(), newWebhookSecret()];
    const now = new Date();
    const { body, headers } = signedMessage([current, previous], message, now);
    const signatures = headers['webhook-signature']!.split(' ');
    expect(signatures).toEqual([
      new Webhook(current).sign(message.id, now, body),
      new Webhook(previous).sign(message.id, now, body),
    ]);
    for (const signature of signatures) expect(signature).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(current).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(stranger).verify(body, headers)).toThrow();
  });
});

describe('webhook URL guard', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    // IPv6 forms that carry an internal IPv4 address: mapped, translated, compatible, NAT64, 6to4
    '::ffff:7f00:1',
    '::ffff:0:a00:1',
    '::ffff:0:127.0.0.1',
    '::7f00:1',
    '64:ff9b::a9fe:a9fe',
    '64:ff9b::10.0.0.1',
    '2002:7f00:1::',
    '2002:a9fe:a9fe::1',
    // local-use NAT64 and Teredo, refused whatever they carry
    '64:ff9b:1::a00:1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
  ])('counts %s as internal', (address) => {
    expect(isInternalAddress(address)).toBe(true);
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
    '2001:4860:4860::8888',
  ])('counts %s as public', (address) => {
    expect(isInternalAddress(address)).toBe(false);
  });

  it("counts this host's own addresses as internal, public ones included", () => {
    const own = new Set(['203.0.113.7', '2001:db8::7']);
    expect(isInternalAddress('203.0.113.7', own)).toBe(true);
    expect(isInternalAddress('::ffff:203.0.113.7', own)).toBe(true);
    expect(isInternalAddress('2001:DB8::7', own)).toBe(true);
    expect(isInternalAddress('203.0.113.8', own)).toBe(false);
    for (const address of ownAddresses()) expect(isInternalAddress(address)).toBe(true);
  });

  it.each([
    ['https://hooks.example.com:22/x', 'must use port 443 or a port from 1024 up'],
    ['https://hooks.example.com:80/x', 'must use port 443 or a port from 1024 up'],
  ])('refuses %s, a privileged port other than 443', (url, problem) => {
    expect(urlProblem(url, false)).toBe(problem);
  });

  it('sends nothing to a refused URL, and says why both to the delivery log and to the service log', async () => {
    const message = signedMessage(
      [newWebhookSecret()],
      { id: 'd', type: 't', occurredAt: new Date(), data: {} },
      new Date(),
    );
    const result = await postWebhook('http://127.0.0.1:9/x', message, {
      timeoutMs: 1_000,
      allowInsecure: false,
    });
    expect(result.statusCode).toBeUndefined();
    expect(result.error).toMatch(/^the URL must be an https URL/);
    expect(result.cause).toBe(result.error);
  });

  it.each(['https://hooks.example.com:443/x', 'https://hooks.example.com:8443/x'])('accepts %s', (url) => {
    expect(urlProblem(url, false)).toBeUndefined();
  });

  it.each([
    ['not a url', 'must be an absolute URL'],
    ['ftp://example.com/x', 'must be an https URL'],
    ['http://example.com/x', 'must be an https URL'],
    ['https://user:pw@example.com/x', 'must not carry credentials'],
    ['https://localhost/x', 'must not point at a loopback, private, link-local'],
    ['https://127.0.0.1:8443/x', 'must not point at a loopback, private, link-local'],
    ['https://[::1]/x', 'must not point at a loopback, private, link-local'],
    ['https://169.254.169.254/latest', 'must not point at a loopback, private, link-local'],
    ['https://localhost.:8443/x', 'must not point at a loopback, private, link-local'],
    ['https://[64:ff9b::169.254.169.254]/latest', 'must not point at a loopback, private, link-local'],
    ['https://[::ffff:0:a00:1]/x', 'must not point at a loopback, private, link-local'],
    ['https://[2002:7f00:1::]/x', 'must not point at a loopback, private, link-local'],
  ])('refuses %s by default', (url, problem) => {
    expect(urlProblem(url, false)?.startsWith(problem)).toBe(true);
  });

  it('names the setting that allows plain http and private receivers, where it would', () => {
    expect(urlProblem('http://example.com/x', false)).toContain('WEBHOOK_ALLOW_INSECURE_URLS=true');
    expect(urlProblem('https://10.0.0.5/x', false)).toContain('WEBHOOK_ALLOW_INSECURE_URLS=true');
    expect(urlProblem('ftp://example.com/x', false)).toBe('must be an https URL');
  });

  it('accepts a public https URL, and plain http or loopback only when insecure URLs are allowed', () => {
    expect(urlProblem('https://hooks.example.com/mutualfit', false)).toBeUndefined();
    expect(urlProblem('http://127.0.0.1:9000/hooks', true)).toBeUndefined();
    expect(urlProblem('ftp://127.0.0.1/hooks', true)).toBe('must be an https URL');
  });

  it('refuses, at connection time, a name that resolves to an internal address', async () => {
    const result = await new Promise<{ err: NodeJS.ErrnoException | null }>((resolve) =>
      guardedLookup('localhost', {}, (err) => resolve({ err })),
    );
    expect(result.err?.code).toBe('EADDRNOTAVAIL');
    expect(result.err?.message).toContain('internal address');
  });
});
