import crypto from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmPayloadCodec, ENCODING_ENCRYPTED, PayloadDecryptionError } from '../../lib/codec/aes-gcm-codec';
import { keyringFromEntries } from '../../lib/codec/keys';

const PHONE = '+33612345678';
const k1 = crypto.randomBytes(32);
const k2 = crypto.randomBytes(32);
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');

const input = { phone: PHONE, name: 'Élodie Martin', otp: '482913', transcript: 'je voudrais déplacer mon rendez-vous' };

describe('AES-GCM payload codec', () => {
  const codec = new AesGcmPayloadCodec(keyringFromEntries([{ id: 'k1', key: k1 }], 'k1'));

  test('round trip restores metadata and data exactly, for JSON, binary and empty payloads', async () => {
    const originals: Payload[] = [
      defaultPayloadConverter.toPayload(input),
      defaultPayloadConverter.toPayload(new Uint8Array([0, 1, 2, 255])),
      defaultPayloadConverter.toPayload(undefined),
    ];
    const encoded = await codec.encode(originals);
    expect(encoded).toHaveLength(3);
    const decoded = await codec.decode(encoded);
    decoded.forEach((d, i) => {
      expect(Buffer.from(d.data ?? [])).toEqual(Buffer.from(originals[i]!.data ?? []));
      expect(Object.keys(d.metadata ?? {}).sort()).toEqual(Object.keys(originals[i]!.metadata ?? {}).sort());
      for (const [key, value] of Object.entries(originals[i]!.metadata ?? {})) expect(text(d.metadata?.[key])).toBe(text(value));
    });
    expect(defaultPayloadConverter.fromPayload(decoded[0]!)).toEqual(input);
    expect(defaultPayloadConverter.fromPayload(decoded[1]!)).toEqual(new Uint8Array([0, 1, 2, 255]));
    expect(defaultPayloadConverter.fromPayload(decoded[2]!)).toBeUndefined();
  });

  test('encrypted payloads are labelled and hold no plaintext, not even the original encoding', async () => {
    const [enc] = await codec.encode([defaultPayloadConverter.toPayload(input)]);
    expect(text(enc!.metadata?.encoding)).toBe(ENCODING_ENCRYPTED);
    expect(text(enc!.metadata?.['encryption-key-id'])).toBe('k1');
    const bytes = Buffer.from(enc!.data!);
    for (const secret of [PHONE, '612345678', 'Élodie', '482913', 'rendez-vous', 'json/plain']) {
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
      expect(bytes.toString('base64')).not.toContain(Buffer.from(secret).toString('base64'));
    }
  });

  test('two encryptions of the same value differ (random IV per payload)', async () => {
    const p = defaultPayloadConverter.toPayload(input);
    const [a, b] = await codec.encode([p, p]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    expect(Buffer.from(a!.data!).subarray(0, 12).equals(Buffer.from(b!.data!).subarray(0, 12))).toBe(false);
  });

  test('tampering with the ciphertext, the tag or the key id label is detected', async () => {
    const [enc] = await codec.encode([defaultPayloadConverter.toPayload(input)]);
    const flip = (at: number): Payload => {
      const data = Buffer.from(enc!.data!);
      data[at] = data[at]! ^ 0x01;
      return { metadata: enc!.metadata, data };
    };
    const len = enc!.data!.length;
    for (const at of [0, 20, len - 1]) {
      await expect(codec.decode([flip(at)])).rejects.toThrow(/failed authentication with key "k1"/);
    }
    // Same key bytes under another id: the key id is in the authenticated data, so the relabel fails.
    const twin = new AesGcmPayloadCodec(keyringFromEntries([{ id: 'k1', key: k1 }, { id: 'k1b', key: k1 }], 'k1'));
    const relabelled: Payload = { metadata: { ...enc!.metadata, 'encryption-key-id': Buffer.from('k1b') }, data: enc!.data };
    await expect(twin.decode([relabelled])).rejects.toThrow(PayloadDecryptionError);
    await expect(codec.decode([{ metadata: enc!.metadata, data: Buffer.alloc(10) }])).rejects.toThrow(/too short/);
  });

  test('key rotation: old payloads still decode, new ones use the new key', async () => {
    const before = new AesGcmPayloadCodec(keyringFromEntries([{ id: 'k1', key: k1 }], 'k1'));
    const [old] = await before.encode([defaultPayloadConverter.toPayload(input)]);
    const after = new AesGcmPayloadCodec(keyringFromEntries([{ id: 'k1', key: k1 }, { id: 'k2', key: k2 }], 'k2'));
    const [fresh] = await after.encode([defaultPayloadConverter.toPayload('nouveau')]);
    expect(text(old!.metadata?.['encryption-key-id'])).toBe('k1');
    expect(text(fresh!.metadata?.['encryption-key-id'])).toBe('k2');
    const [oldClear, freshClear] = await after.decode([old!, fresh!]);
    expect(defaultPayloadConverter.fromPayload(oldClear!)).toEqual(input);
    expect(defaultPayloadConverter.fromPayload(freshClear!)).toBe('nouveau');
    // A process still on the old keyring cannot read k2 payloads, and says which key it lacks.
    await expect(before.decode([fresh!])).rejects.toThrow(/key id "k2", which is not in PAYLOAD_KEYS \(known: k1\)/);
  });

  test('an unknown key id is named in the error', async () => {
    const other = new AesGcmPayloadCodec(keyringFromEntries([{ id: 'k-2019', key: k2 }], 'k-2019'));
    const [enc] = await other.encode([defaultPayloadConverter.toPayload(input)]);
    await expect(codec.decode([enc!])).rejects.toThrow(/encrypted with key id "k-2019"/);
    const unlabelled: Payload = { metadata: { encoding: Buffer.from(ENCODING_ENCRYPTED) }, data: enc!.data };
    await expect(codec.decode([unlabelled])).rejects.toThrow(/no "encryption-key-id" metadata/);
  });

  test('payloads that are not encrypted pass through decode untouched', async () => {
    const plain = [defaultPayloadConverter.toPayload(input), defaultPayloadConverter.toPayload(null), { data: Buffer.from('raw') }];
    const decoded = await codec.decode(plain);
    decoded.forEach((d, i) => expect(d).toBe(plain[i]));
    expect(defaultPayloadConverter.fromPayload(decoded[0]!)).toEqual(input);
  });
});
