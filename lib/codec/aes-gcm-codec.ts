/**
 * Payload codec that encrypts every Temporal payload with AES-256-GCM, so the server's history holds ciphertext
 * and only holders of the keys (workers, clients, the codec server the UI calls) read phones, names, codes…
 *
 * Encrypted payload:
 *   metadata.encoding          = "binary/encrypted"
 *   metadata.encryption-key-id = id of the key (rotation: any listed key decrypts)
 *   data                       = IV (12 random bytes) ‖ ciphertext ‖ GCM tag (16 bytes)
 * The plaintext is the whole original Payload (metadata and data) protobuf-encoded, so the original encoding
 * (json/plain, binary/null…) is hidden and restored exactly. The authenticated data binds the format and key id,
 * so relabelling a payload with another key id fails authentication instead of decrypting under a wrong key.
 *
 * Runs in Node (workers, clients, codec server), never inside workflow code.
 */
import crypto from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Keyring } from './keys';

export const ENCODING_ENCRYPTED = 'binary/encrypted';
export const METADATA_ENCODING = 'encoding';
export const METADATA_KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD_PREFIX = 'care-ivr/temporal-payload/aes-256-gcm/v1/';

const ProtoPayload = temporal.api.common.v1.Payload;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** A payload that cannot be decrypted; the message says which key and what to do. */
export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

function aad(keyId: string): Buffer {
  return Buffer.from(AAD_PREFIX + keyId, 'utf8');
}

function metadataString(payload: Payload, key: string): string | undefined {
  const value = payload.metadata?.[key];
  return value ? fromUtf8.decode(value) : undefined;
}

export function isEncryptedPayload(payload: Payload): boolean {
  return metadataString(payload, METADATA_ENCODING) === ENCODING_ENCRYPTED;
}

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encryptOne(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.decryptOne(p));
  }

  encryptOne(payload: Payload): Payload {
    const keyId = this.keyring.activeKeyId;
    const key = this.keyring.keys.get(keyId);
    if (!key) throw new Error(`Active payload key "${keyId}" is missing from the keyring`); // keyring guarantees it
    const plaintext = ProtoPayload.encode(payload).finish();
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(keyId));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: {
        [METADATA_ENCODING]: utf8.encode(ENCODING_ENCRYPTED),
        [METADATA_KEY_ID]: utf8.encode(keyId),
      },
      data: Buffer.concat([iv, body, cipher.getAuthTag()]),
    };
  }

  /** Payloads that are not encrypted (history written before encryption) are returned as they are. */
  decryptOne(payload: Payload): Payload {
    if (!isEncryptedPayload(payload)) return payload;
    const keyId = metadataString(payload, METADATA_KEY_ID);
    if (!keyId) {
      throw new PayloadDecryptionError(`Encrypted payload has no "${METADATA_KEY_ID}" metadata; it was not written by this codec.`);
    }
    const key = this.keyring.keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(
        `Payload was encrypted with key id "${keyId}", which is not in PAYLOAD_KEYS (known: ${[...this.keyring.keys.keys()].join(', ')}). ` +
          `Add "${keyId}:<its base64 key>" to PAYLOAD_KEYS to read this history.`,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(`Encrypted payload (key "${keyId}") is ${data.length} bytes, too short to hold IV and tag.`);
    }
    const iv = data.subarray(0, IV_BYTES);
    const tag = data.subarray(data.length - TAG_BYTES);
    const body = data.subarray(IV_BYTES, data.length - TAG_BYTES);
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(keyId));
    decipher.setAuthTag(tag);
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `Encrypted payload failed authentication with key "${keyId}": it was altered, or PAYLOAD_KEYS holds a different key under that id.`,
      );
    }
    const inner = ProtoPayload.decode(plaintext);
    const out: Payload = { metadata: { ...inner.metadata }, data: inner.data };
    if (inner.externalPayloads.length > 0) out.externalPayloads = inner.externalPayloads;
    return out;
  }
}
