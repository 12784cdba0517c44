import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A cursor clients cannot read or forge: the position, as JSON, sealed with AES-256-GCM under the
 * installation's key (base64url of iv, tag and ciphertext). What it holds (a sequence number
 * shared by every workspace, say) stays the service's own business. The iv is derived from the
 * position (an HMAC under a key of its own), so the same position always gives the same cursor
 * (a feed polled without news hands back the cursor it was given) and two positions never share
 * an iv.
 */
export function sealCursor(key: Buffer, position: object): string {
  const text = JSON.stringify(position);
  const iv = createHmac('sha256', ivKeyOf(key)).update(text).digest().subarray(0, IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

const ivKeys = new WeakMap<Buffer, Buffer>();

/** The HMAC key for ivs, derived once per sealing key. */
function ivKeyOf(key: Buffer): Buffer {
  let ivKey = ivKeys.get(key);
  if (ivKey === undefined) {
    ivKey = createHmac('sha256', key).update('cursor iv').digest();
    ivKeys.set(key, ivKey);
  }
  return ivKey;
}

/** The position a cursor sealed with `key` holds, or undefined for anything else. */
export function openCursor(key: Buffer, cursor: string): unknown {
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const text = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    return JSON.parse(text.toString('utf8'));
  } catch {
    return undefined;
  }
}
