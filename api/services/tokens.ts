/** Random secrets and their keyed hashes: the store only ever holds the hash of a token, code or link. */
import crypto from 'node:crypto';

/** 32 random bytes, base64url (43 characters). */
export function randomToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** A numeric code of `length` digits from the CSPRNG, leading zeros kept. */
export function randomDigits(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(crypto.randomInt(0, 10));
  return out;
}

export function keyedHash(key: string, ...parts: string[]): string {
  return crypto.createHmac('sha256', key).update(parts.join('\u0000')).digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
