/**
 * Payloads in proto3-JSON, the shape the codec server protocol exchanges with the Temporal UI and CLI:
 *   { "payloads": [ { "metadata": { "encoding": "<base64>" }, "data": "<base64>" } ] }
 * Every `bytes` field (data and each metadata value) is base64; an empty Payloads message may arrive as `{}`.
 */
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';

const ExternalPayloadDetails = temporal.api.common.v1.Payload.ExternalPayloadDetails;

// proto3-JSON parsers accept the standard and URL-safe alphabets, with or without padding.
const base64 = z
  .string()
  .regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64 (proto3-JSON bytes)')
  .refine((s) => s.replace(/=+$/, '').length % 4 !== 1, 'is not a valid base64 length');

const externalPayloadJson = z.object({
  sizeBytes: z.union([z.string().regex(/^\d+$/, 'must be a decimal int64'), z.number().int().nonnegative()]).optional(),
});

export const payloadJsonSchema = z.object({
  metadata: z.record(z.string(), base64).nullish(),
  data: base64.nullish(),
  externalPayloads: z.array(externalPayloadJson).nullish(),
});

export const payloadsJsonSchema = z.object({
  payloads: z.array(payloadJsonSchema).nullish(),
});

export type PayloadJson = z.infer<typeof payloadJsonSchema>;
export interface PayloadsJson {
  payloads: PayloadJson[];
}

export function payloadFromJson(json: PayloadJson): Payload {
  const payload: Payload = {
    metadata: Object.fromEntries(Object.entries(json.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(json.data ?? '', 'base64'),
  };
  if (json.externalPayloads && json.externalPayloads.length > 0) {
    // fromObject turns the JSON int64 (string or number) into the Long the message type holds.
    payload.externalPayloads = json.externalPayloads.map((e) => ExternalPayloadDetails.fromObject(e));
  }
  return payload;
}

export function payloadToJson(payload: Payload): PayloadJson {
  const json: PayloadJson = {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
    ),
  };
  if (payload.data && payload.data.length > 0) json.data = Buffer.from(payload.data).toString('base64');
  if (payload.externalPayloads && payload.externalPayloads.length > 0) {
    json.externalPayloads = payload.externalPayloads.map((e) =>
      e.sizeBytes === undefined || e.sizeBytes === null ? {} : { sizeBytes: String(e.sizeBytes) },
    );
  }
  return json;
}
