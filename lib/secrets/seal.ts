/**
 * Sealed references: how a secret (a portal session token, a one-time code) crosses workflow state without being
 * in it. A secret is replaced by `sealed:v1:<base64url(iv ‖ ciphertext ‖ tag)>`, AES-256-GCM under a key that only
 * the processes which see the secret in clear anyway hold (the session worker's backend activity, the portal that
 * relays a caller's code), never the payload keys: the codec server and the Temporal UI decrypt payloads, so a
 * decrypted history shows the reference, not the secret, and cannot replay a login.
 *
 * Each reference is bound to one workflow id (GCM associated data): a reference copied from one session's history
 * into another session is refused.
 *
 * Key from the environment (`sealKeyFromEnv`):
 *   SECRET_SEAL_KEY            base64 of 32 random bytes (openssl rand -base64 32); seals and unseals;
 *   SECRET_SEAL_KEYS_PREVIOUS  optional, comma-separated base64 keys that still unseal (rotation: sessions in flight).
 * Unset, a public development key is used, except in production (NODE_ENV=production) where it is refused unless
 * PAYLOAD_ALLOW_DEV_KEY=1, the opt-in the payload codec uses for its own development key.
 *
 * Leaf module: Node's crypto and zod only (the engine, which cannot load crypto, recognizes the reference shape on
 * its own in workflows/engine/sealed.ts; a test keeps the two in agreement).
 */
import crypto, { type KeyObject } from 'node:crypto';
import { z } from 'zod';

export const SEALED_PREFIX = 'sealed:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** iv + tag + at least one byte of ciphertext, base64url without padding. */
const MIN_BODY_CHARS = Math.ceil(((IV_BYTES + TAG_BYTES + 1) * 4) / 3);
/** A whole reference. */
export const SEALED_REF_PATTERN = new RegExp(`^sealed:v1:[A-Za-z0-9_-]{${MIN_BODY_CHARS},}$`);
/** References inside a longer text ("Bearer sealed:v1:…"). */
const SEALED_REF_IN_TEXT = new RegExp(`sealed:v1:[A-Za-z0-9_-]{${MIN_BODY_CHARS},}`, 'g');

/** Public on purpose: development and tests only. Never protects real data (distinct from the payload dev key). */
export const DEV_SEAL_KEY_BASE64 = '43mIV2TxkcmLQTc/LNOe24PPB1BSAE+cHBj3mh4FFk0=';

export interface SealKey {
  /** Seals new references (and unseals). */
  readonly active: KeyObject;
  /** Still unseal references made before a rotation. */
  readonly previous: readonly KeyObject[];
  /** True when the active key is the public development key. */
  readonly isDevKey: boolean;
}

export class SealError extends Error {
  override name = 'SealError';
}

export class SealConfigError extends Error {
  override name = 'ConfigError';
}

export function isSealedRef(value: unknown): value is string {
  return typeof value === 'string' && SEALED_REF_PATTERN.test(value);
}

function keyObject(bytes: Uint8Array, what: string): KeyObject {
  if (bytes.length !== KEY_BYTES) throw new SealConfigError(`${what} is ${bytes.length} bytes; AES-256 needs ${KEY_BYTES}.`);
  return crypto.createSecretKey(Buffer.from(bytes));
}

/** A seal key from raw bytes (tests, tools); `previous` keys only unseal. */
export function sealKeyFromBytes(active: Uint8Array, previous: Uint8Array[] = []): SealKey {
  const devBytes = Buffer.from(DEV_SEAL_KEY_BASE64, 'base64');
  return {
    active: keyObject(active, 'The seal key'),
    previous: previous.map((p, i) => keyObject(p, `Previous seal key ${i + 1}`)),
    isDevKey: Buffer.from(active).equals(devBytes),
  };
}

export function devSealKey(): SealKey {
  return sealKeyFromBytes(Buffer.from(DEV_SEAL_KEY_BASE64, 'base64'));
}

/** A fresh key in the form SECRET_SEAL_KEY expects. */
export function newSealKeyBase64(): string {
  return crypto.randomBytes(KEY_BYTES).toString('base64');
}

function aad(workflowId: string): Buffer {
  return Buffer.from(`care-ivr sealed v1\u0000${workflowId}`, 'utf8');
}

/** Seals `secret` for the session `workflowId`. Each call gives a different reference (random iv). */
export function seal(key: SealKey, workflowId: string, secret: string): string {
  if (workflowId === '') throw new SealError('cannot seal a secret without the workflow id it belongs to');
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', key.active, iv);
  cipher.setAAD(aad(workflowId));
  const body = Buffer.concat([iv, cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${SEALED_PREFIX}${body.toString('base64url')}`;
}

/**
 * The secret behind a reference sealed for `workflowId`. Throws SealError (without any key or secret material in
 * its message) when the reference is malformed, belongs to another session, or was sealed under another key.
 */
export function unseal(key: SealKey, workflowId: string, ref: string): string {
  if (!isSealedRef(ref)) throw new SealError('not a sealed reference (expected sealed:v1:<base64url>)');
  const body = Buffer.from(ref.slice(SEALED_PREFIX.length), 'base64url');
  const iv = body.subarray(0, IV_BYTES);
  const tag = body.subarray(body.length - TAG_BYTES);
  const data = body.subarray(IV_BYTES, body.length - TAG_BYTES);
  for (const k of [key.active, ...key.previous]) {
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', k, iv);
      decipher.setAAD(aad(workflowId));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    } catch {
      // Wrong key or wrong session: try the next key, then refuse.
    }
  }
  throw new SealError(
    'a sealed reference was refused: it belongs to another session, or was sealed under a key this process does ' +
      'not hold (check SECRET_SEAL_KEY / SECRET_SEAL_KEYS_PREVIOUS are the same on every worker)',
  );
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Replaces every sealed reference found in the strings of `value` (whole or inside a text) by its secret. */
export function unsealDeep<T extends Json>(key: SealKey, workflowId: string, value: T): T {
  const walk = (v: Json): Json => {
    if (typeof v === 'string') return v.includes(SEALED_PREFIX) ? v.replace(SEALED_REF_IN_TEXT, (ref) => unseal(key, workflowId, ref)) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** Names of answer fields that carry a secret: `session_token`, `access_token`, `token`, … */
export const SECRET_FIELD = /(^|_)token$/i;

/** Seals the string values of secret fields (SECRET_FIELD) anywhere in `value`; everything else is kept as is. */
export function sealSecretFields<T extends Json>(key: SealKey, workflowId: string, value: T): T {
  const walk = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, typeof x === 'string' && x !== '' && SECRET_FIELD.test(k) && !isSealedRef(x) ? seal(key, workflowId, x) : walk(x)]),
      );
    }
    return v;
  };
  return walk(value) as T;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const base64Key = (name: string) =>
  z
    .string()
    .trim()
    .regex(BASE64, `${name} is not valid base64 (standard alphabet, padded); generate one with: openssl rand -base64 32`)
    .transform((v) => Buffer.from(v, 'base64'))
    .refine((b) => b.length === KEY_BYTES, {
      message: `${name} must decode to ${KEY_BYTES} bytes (AES-256); generate one with: openssl rand -base64 32`,
    });

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const sealEnvSchema = z.object({
  SECRET_SEAL_KEY: optionalText.pipe(base64Key('SECRET_SEAL_KEY').optional()),
  SECRET_SEAL_KEYS_PREVIOUS: optionalText.pipe(
    z
      .string()
      .transform((v) => v.split(',').map((s) => s.trim()))
      .pipe(z.array(base64Key('each entry of SECRET_SEAL_KEYS_PREVIOUS')))
      .optional(),
  ),
  PAYLOAD_ALLOW_DEV_KEY: z.enum(['0', '1', 'true', 'false', '']).optional(),
  NODE_ENV: z.string().optional(),
});

/**
 * The seal key of the session workers (and of a portal that seals the codes callers type). Throws a ConfigError
 * naming the wrong variable, never printing key material.
 */
export function sealKeyFromEnv(env: NodeJS.ProcessEnv = process.env): SealKey {
  const parsed = sealEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new SealConfigError(`Invalid secret seal key in the environment:\n${lines.join('\n')}\nSet or fix these variables and start again.`);
  }
  const { SECRET_SEAL_KEY, SECRET_SEAL_KEYS_PREVIOUS, PAYLOAD_ALLOW_DEV_KEY, NODE_ENV } = parsed.data;
  if (SECRET_SEAL_KEY === undefined) {
    const allowDev = PAYLOAD_ALLOW_DEV_KEY === '1' || PAYLOAD_ALLOW_DEV_KEY === 'true';
    if (NODE_ENV === 'production' && !allowDev) {
      throw new SealConfigError(
        'Invalid secret seal key in the environment:\n  - SECRET_SEAL_KEY: is unset; the development key (public, in the ' +
          'source) would seal production session tokens. Set SECRET_SEAL_KEY (openssl rand -base64 32) on every session ' +
          'worker, or PAYLOAD_ALLOW_DEV_KEY=1 to accept this knowingly.',
      );
    }
    return { ...devSealKey(), previous: (SECRET_SEAL_KEYS_PREVIOUS ?? []).map((b, i) => keyObject(b, `Previous seal key ${i + 1}`)) };
  }
  return sealKeyFromBytes(SECRET_SEAL_KEY, SECRET_SEAL_KEYS_PREVIOUS ?? []);
}
