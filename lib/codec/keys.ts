/**
 * The keyring that encrypts Temporal payloads, read from the environment:
 *
 *   PAYLOAD_KEYS   = comma-separated `keyId:base64key` entries, each key 32 bytes (AES-256);
 *   PAYLOAD_KEY_ID = the id of the key that encrypts new payloads (optional when PAYLOAD_KEYS has one entry).
 *
 * Every listed key decrypts, only the active one encrypts: to rotate, add the new key, make it active, and keep the
 * old one listed for as long as histories written with it must stay readable.
 *
 * With neither variable set, a fixed development keyring is used (its key is in this file, so it protects nothing);
 * in production (NODE_ENV=production) it is refused unless PAYLOAD_ALLOW_DEV_KEY=1, and then warned about.
 */
import crypto, { type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { ConfigError, parseEnv } from '../env';

export const KEY_BYTES = 32;
export const DEV_KEY_ID = 'dev-insecure-2026';
/** Public on purpose: development and tests only. Never protects real data. */
export const DEV_KEY_BASE64 = '5psXEv36Uw0rgozf9n2N8nINLetnwbs3n8fKln5fBxU=';

/** Key ids travel in payload metadata and authenticated data: keep them short and printable. */
const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** Standard base64 with padding, as `openssl rand -base64 32` prints it. */
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface Keyring {
  /** Id of the key new payloads are encrypted with. */
  readonly activeKeyId: string;
  /** Every key that may decrypt, by id (the active one included). */
  readonly keys: ReadonlyMap<string, KeyObject>;
  /** True when new payloads are encrypted with the development key (by its bytes, whatever its id). */
  readonly usesDevKey: boolean;
}

export interface KeyEntry {
  id: string;
  /** Raw key bytes, 32 of them. */
  key: Uint8Array;
}

/** Builds a keyring from explicit entries (tests, tools); the active id must be among them. */
export function keyringFromEntries(entries: KeyEntry[], activeKeyId: string): Keyring {
  const keys = new Map<string, KeyObject>();
  for (const e of entries) {
    if (!KEY_ID_PATTERN.test(e.id)) throw new ConfigError(`Payload key id "${e.id}" is not valid: use 1-64 of A-Z a-z 0-9 . _ -`);
    if (e.key.length !== KEY_BYTES) {
      throw new ConfigError(`Payload key "${e.id}" is ${e.key.length} bytes; AES-256 needs ${KEY_BYTES}.`);
    }
    if (keys.has(e.id)) throw new ConfigError(`Payload key id "${e.id}" is listed twice.`);
    keys.set(e.id, crypto.createSecretKey(Buffer.from(e.key)));
  }
  if (!keys.has(activeKeyId)) {
    throw new ConfigError(`Active payload key id "${activeKeyId}" is not among the keys (${[...keys.keys()].join(', ')}).`);
  }
  const devBytes = Buffer.from(DEV_KEY_BASE64, 'base64');
  // Listing the dev key for decryption only is allowed (reading history written before real keys existed).
  const usesDevKey = entries.some((e) => e.id === activeKeyId && Buffer.from(e.key).equals(devBytes));
  return { activeKeyId, keys, usesDevKey };
}

export function devKeyring(): Keyring {
  return keyringFromEntries([{ id: DEV_KEY_ID, key: Buffer.from(DEV_KEY_BASE64, 'base64') }], DEV_KEY_ID);
}

/** A fresh random key in the form PAYLOAD_KEYS expects, e.g. for `ivr codec-server --new-key`. */
export function newKeyEntry(id: string): string {
  return `${id}:${crypto.randomBytes(KEY_BYTES).toString('base64')}`;
}

const optionalNonEmpty = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** Parsed entries; errors name the entry by position and id, never print key material. */
function parseEntries(spec: string, ctx: z.RefinementCtx): KeyEntry[] {
  const entries: KeyEntry[] = [];
  const seen = new Set<string>();
  const fail = (message: string) => ctx.addIssue({ code: 'custom', path: ['PAYLOAD_KEYS'], message });
  spec.split(',').forEach((raw, index) => {
    const where = `entry ${index + 1}`;
    const item = raw.trim();
    if (item === '') {
      fail(`${where} is empty (stray comma?); expected keyId:base64key`);
      return;
    }
    const colon = item.indexOf(':');
    if (colon < 0) {
      fail(`${where} has no ':'; expected keyId:base64key`);
      return;
    }
    const id = item.slice(0, colon).trim();
    const b64 = item.slice(colon + 1).trim();
    const named = `${where} ("${id}")`;
    if (!KEY_ID_PATTERN.test(id)) {
      fail(`${where}: key id "${id}" is not valid; use 1-64 of A-Z a-z 0-9 . _ -`);
      return;
    }
    if (seen.has(id)) {
      fail(`${named}: key id listed twice`);
      return;
    }
    seen.add(id);
    if (!BASE64_PATTERN.test(b64)) {
      fail(`${named}: key is not valid base64 (standard alphabet, padded); generate one with: openssl rand -base64 32`);
      return;
    }
    const key = Buffer.from(b64, 'base64');
    if (key.length !== KEY_BYTES) {
      fail(`${named}: key is ${key.length} bytes after base64 decoding; AES-256 needs ${KEY_BYTES} (openssl rand -base64 32)`);
      return;
    }
    entries.push({ id, key });
  });
  return entries;
}

const keyEnvSchema = z
  .object({
    PAYLOAD_KEYS: optionalNonEmpty,
    PAYLOAD_KEY_ID: optionalNonEmpty,
    PAYLOAD_ALLOW_DEV_KEY: z.enum(['0', '1', 'true', 'false', '']).optional(),
    NODE_ENV: z.string().optional(),
  })
  .transform((env, ctx): Keyring | typeof z.NEVER => {
    const production = env.NODE_ENV === 'production';
    const allowDev = env.PAYLOAD_ALLOW_DEV_KEY === '1' || env.PAYLOAD_ALLOW_DEV_KEY === 'true';
    let keyring: Keyring;
    if (env.PAYLOAD_KEYS === undefined) {
      if (env.PAYLOAD_KEY_ID !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['PAYLOAD_KEYS'],
          message: `is unset but PAYLOAD_KEY_ID="${env.PAYLOAD_KEY_ID}" names a key; list the keys as keyId:base64key,…`,
        });
        return z.NEVER;
      }
      keyring = devKeyring();
    } else {
      const entries = parseEntries(env.PAYLOAD_KEYS, ctx);
      if (entries.length === 0) return z.NEVER;
      const active = env.PAYLOAD_KEY_ID ?? (entries.length === 1 ? entries[0]!.id : undefined);
      if (active === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['PAYLOAD_KEY_ID'],
          message: `is unset and PAYLOAD_KEYS lists ${entries.length} keys (${entries.map((e) => e.id).join(', ')}); name the one that encrypts`,
        });
        return z.NEVER;
      }
      if (!entries.some((e) => e.id === active)) {
        ctx.addIssue({
          code: 'custom',
          path: ['PAYLOAD_KEY_ID'],
          message: `"${active}" is not a key id listed in PAYLOAD_KEYS (${entries.map((e) => e.id).join(', ')})`,
        });
        return z.NEVER;
      }
      // Entries were validated above; the only error left would be a bug.
      keyring = keyringFromEntries(entries, active);
    }
    if (keyring.usesDevKey && production && !allowDev) {
      ctx.addIssue({
        code: 'custom',
        path: [env.PAYLOAD_KEYS === undefined ? 'PAYLOAD_KEYS' : 'PAYLOAD_KEY_ID'],
        message:
          'the development payload key (public, in the source) would encrypt production data; set PAYLOAD_KEYS and ' +
          'PAYLOAD_KEY_ID to real keys, or PAYLOAD_ALLOW_DEV_KEY=1 to accept this knowingly',
      });
      return z.NEVER;
    }
    return keyring;
  });

let warnedDevKey = false;

/** Reads and validates the keyring; throws ConfigError naming each wrong variable and entry. */
export function loadKeyring(env: NodeJS.ProcessEnv = process.env): Keyring {
  const keyring = parseEnv(keyEnvSchema, env, 'payload encryption keys');
  if (keyring.usesDevKey && env.NODE_ENV === 'production' && !warnedDevKey) {
    warnedDevKey = true;
    process.stderr.write(
      `WARNING: Temporal payloads are encrypted with the development key "${DEV_KEY_ID}" in production ` +
        '(PAYLOAD_ALLOW_DEV_KEY=1); anyone with the source can read them. Set PAYLOAD_KEYS and PAYLOAD_KEY_ID.\n',
    );
  }
  return keyring;
}
