import crypto from 'node:crypto';
import { DEV_KEY_BASE64, DEV_KEY_ID, loadKeyring } from '../../lib/codec/keys';

const k = () => crypto.randomBytes(32).toString('base64');

function errorOf(env: NodeJS.ProcessEnv): string {
  try {
    loadKeyring(env);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error('expected loadKeyring to throw');
}

describe('payload keyring from the environment', () => {
  test('reads several keys and the active id', () => {
    const ring = loadKeyring({ PAYLOAD_KEYS: `k1:${k()}, k2:${k()}`, PAYLOAD_KEY_ID: 'k2' });
    expect(ring.activeKeyId).toBe('k2');
    expect([...ring.keys.keys()]).toEqual(['k1', 'k2']);
    expect(ring.keys.get('k1')?.symmetricKeySize).toBe(32);
    expect(ring.usesDevKey).toBe(false);
  });

  test('a single key is active without PAYLOAD_KEY_ID', () => {
    expect(loadKeyring({ PAYLOAD_KEYS: `only:${k()}` }).activeKeyId).toBe('only');
  });

  test('several keys without PAYLOAD_KEY_ID is an error naming the variable', () => {
    const msg = errorOf({ PAYLOAD_KEYS: `a:${k()},b:${k()}` });
    expect(msg).toMatch(/PAYLOAD_KEY_ID: is unset and PAYLOAD_KEYS lists 2 keys \(a, b\)/);
  });

  test('bad base64 names the entry and never prints key material', () => {
    const good = k();
    const msg = errorOf({ PAYLOAD_KEYS: `k1:${good},k2:not*base64!`, PAYLOAD_KEY_ID: 'k1' });
    expect(msg).toMatch(/PAYLOAD_KEYS: entry 2 \("k2"\): key is not valid base64/);
    expect(msg).not.toContain(good);
    expect(msg).not.toContain('not*base64!');
  });

  test('wrong length says how many bytes and how many are needed', () => {
    const short = crypto.randomBytes(16).toString('base64');
    expect(errorOf({ PAYLOAD_KEYS: `k1:${short}` })).toMatch(/entry 1 \("k1"\): key is 16 bytes after base64 decoding; AES-256 needs 32/);
  });

  test('an active id that is not listed is refused', () => {
    expect(errorOf({ PAYLOAD_KEYS: `k1:${k()}`, PAYLOAD_KEY_ID: 'k9' })).toMatch(
      /PAYLOAD_KEY_ID: "k9" is not a key id listed in PAYLOAD_KEYS \(k1\)/,
    );
  });

  test('entries without a colon, duplicated ids, empty entries and bad ids are each reported', () => {
    const msg = errorOf({ PAYLOAD_KEYS: `k1:${k()},,nocolon,k1:${k()},bad id:${k()}`, PAYLOAD_KEY_ID: 'k1' });
    expect(msg).toMatch(/entry 2 is empty/);
    expect(msg).toMatch(/entry 3 has no ':'/);
    expect(msg).toMatch(/entry 4 \("k1"\): key id listed twice/);
    expect(msg).toMatch(/entry 5: key id "bad id" is not valid/);
  });

  test('PAYLOAD_KEY_ID without PAYLOAD_KEYS is an error', () => {
    expect(errorOf({ PAYLOAD_KEY_ID: 'k1' })).toMatch(/PAYLOAD_KEYS: is unset but PAYLOAD_KEY_ID="k1"/);
  });

  test('nothing set gives the development keyring outside production', () => {
    const ring = loadKeyring({ NODE_ENV: 'development' });
    expect(ring.activeKeyId).toBe(DEV_KEY_ID);
    expect(DEV_KEY_ID.startsWith('dev-')).toBe(true);
    expect(ring.usesDevKey).toBe(true);
  });

  test('production refuses the development key unless explicitly allowed, then warns', () => {
    expect(errorOf({ NODE_ENV: 'production' })).toMatch(/development payload key .* PAYLOAD_ALLOW_DEV_KEY=1/);
    // The dev key's bytes under another id are still the dev key.
    expect(errorOf({ NODE_ENV: 'production', PAYLOAD_KEYS: `prod:${DEV_KEY_BASE64}` })).toMatch(/development payload key/);
    const writes: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      expect(loadKeyring({ NODE_ENV: 'production', PAYLOAD_ALLOW_DEV_KEY: '1' }).activeKeyId).toBe(DEV_KEY_ID);
    } finally {
      spy.mockRestore();
    }
    expect(writes.join('')).toMatch(/WARNING: .*development key "dev-insecure-2026" in production/);
  });

  test('production accepts the dev key listed for decryption only while a real key encrypts', () => {
    const ring = loadKeyring({ NODE_ENV: 'production', PAYLOAD_KEYS: `${DEV_KEY_ID}:${DEV_KEY_BASE64},p1:${k()}`, PAYLOAD_KEY_ID: 'p1' });
    expect(ring.usesDevKey).toBe(false);
    expect(ring.keys.has(DEV_KEY_ID)).toBe(true);
  });
});
