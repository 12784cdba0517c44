import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new API key: 32 random bytes, so a fast hash (SHA-256) is enough to store it safely. */
export function generateApiKey(): string {
  return `mf_${randomBytes(32).toString('base64url')}`;
}

/** Browser session tokens carry their own prefix, so authentication knows which table to look in. */
export const SESSION_TOKEN_PREFIX = 'mfs_';

export function generateSessionToken(): string {
  return `${SESSION_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function keyPrefix(key: string): string {
  return key.slice(0, 10);
}

export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(hashApiKey(a), 'hex');
  const right = Buffer.from(hashApiKey(b), 'hex');
  return timingSafeEqual(left, right);
}
