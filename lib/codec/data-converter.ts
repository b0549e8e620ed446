/**
 * The data converter every worker and client of the product uses, so payloads are encrypted before they reach the
 * Temporal server and decrypted after:
 *
 *   Worker.create({ ..., dataConverter: dataConverter() })
 *   new Client({ connection, dataConverter: dataConverter() })
 *
 * Workers that bundle workflow code themselves (bundleWorkflowCode) must pass the same `failureConverterPath`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './aes-gcm-codec';
import { loadKeyring, type Keyring } from './keys';

/** Absolute path of the module exporting `failureConverter` (see ./failure-converter.ts). */
// Found by file rather than require.resolve: the source runs through tsx, jest and the worker's bundler alike.
export const FAILURE_CONVERTER_PATH =
  ['.ts', '.js'].map((ext) => path.join(__dirname, `failure-converter${ext}`)).find((p) => fs.existsSync(p)) ??
  path.join(__dirname, 'failure-converter');

export interface DataConverterOptions {
  /** Keys to use; read from PAYLOAD_KEYS / PAYLOAD_KEY_ID when omitted. */
  keyring?: Keyring;
  /**
   * Also encrypt failure messages and stack traces (default true). Turn off only to read failures in a UI
   * that has no codec server.
   */
  encodeFailures?: boolean;
}

let cachedKeyring: Keyring | undefined;

export function payloadCodec(keyring?: Keyring): AesGcmPayloadCodec {
  return new AesGcmPayloadCodec(keyring ?? (cachedKeyring ??= loadKeyring()));
}

export function dataConverter(opts: DataConverterOptions = {}): DataConverter {
  const converter: DataConverter = { payloadCodecs: [payloadCodec(opts.keyring)] };
  if (opts.encodeFailures ?? true) converter.failureConverterPath = FAILURE_CONVERTER_PATH;
  return converter;
}
