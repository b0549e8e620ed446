/**
 * The FreeSWITCH events the product reads, validated with zod at the edge. Only the headers the product uses are
 * required; everything else stays available (as strings) in `headers`.
 */
import { z } from 'zod';

const str = z.string();
const uuid = z.string().min(1);

/** Headers every event carries (mod_event_socket's common block). */
const common = {
  'Event-Name': str,
  'Core-UUID': str,
  'Event-Date-Timestamp': z.string().regex(/^\d+$/, 'Event-Date-Timestamp must be microseconds since the epoch'),
  'Event-Sequence': z.string().regex(/^\d+$/, 'Event-Sequence must be an integer'),
};

/** Headers of channel events (switch_channel_event_set_data). */
const channel = {
  ...common,
  'Unique-ID': uuid,
  'Caller-Caller-ID-Number': str.optional(),
  'Caller-Destination-Number': str.optional(),
  'Answer-State': str.optional(),
  'Channel-Call-State': str.optional(),
};

const application = {
  ...channel,
  Application: str,
  'Application-Data': str.optional(),
  'Application-UUID': str.optional(),
};

export const EVENT_SCHEMAS = {
  CHANNEL_CREATE: z.object(channel),
  CHANNEL_ANSWER: z.object(channel),
  CHANNEL_PARK: z.object(channel),
  CHANNEL_EXECUTE: z.object(application),
  CHANNEL_EXECUTE_COMPLETE: z.object({ ...application, 'Application-Response': str.optional() }),
  DTMF: z.object({
    ...channel,
    'DTMF-Digit': z.string().regex(/^[0-9A-D*#]$/i, 'DTMF-Digit must be one key 0-9, A-D, * or #'),
    'DTMF-Duration': z.string().regex(/^\d+$/).optional(),
    'DTMF-Source': str.optional(),
  }),
  PLAYBACK_START: z.object({ ...channel, 'Playback-File-Path': str }),
  PLAYBACK_STOP: z.object({ ...channel, 'Playback-File-Path': str, 'Playback-Status': z.enum(['done', 'break']).optional() }),
  RECORD_START: z.object({ ...channel, 'Record-File-Path': str }),
  RECORD_STOP: z.object({ ...channel, 'Record-File-Path': str }),
  DETECTED_SPEECH: z.object({ ...channel, 'Speech-Type': str.optional() }),
  CHANNEL_HANGUP: z.object({ ...channel, 'Hangup-Cause': str }),
  CHANNEL_HANGUP_COMPLETE: z.object({ ...channel, 'Hangup-Cause': str }),
  BACKGROUND_JOB: z.object({ ...common, 'Job-UUID': uuid, 'Job-Command': str.optional() }),
} as const;

export type KnownEventName = keyof typeof EVENT_SCHEMAS;

export const KNOWN_EVENT_NAMES = Object.keys(EVENT_SCHEMAS) as KnownEventName[];

/** One event as the adapter hands it out. Header values are decoded strings. */
export interface EslEvent<N extends string = string> {
  name: N;
  /** Set on CUSTOM events (e.g. callcenter::info). */
  subclass?: string;
  /** The channel the event is about, when it is a channel event. */
  uniqueId?: string;
  headers: Readonly<Record<string, string>>;
  /** The event's own body (BACKGROUND_JOB output, DETECTED_SPEECH result). */
  body?: string;
}

export type TypedEslEvent<N extends KnownEventName> = EslEvent<N> & { headers: z.infer<(typeof EVENT_SCHEMAS)[N]> & Record<string, string> };

export function isEvent<N extends KnownEventName>(e: EslEvent, name: N): e is TypedEslEvent<N> {
  return e.name === name;
}

export type ValidationResult = { ok: true; event: EslEvent } | { ok: false; issues: string[] };

/** Checks the headers of the events the product uses; other events pass as they are. */
export function validateEvent(headers: Record<string, string>, body: string | undefined): ValidationResult {
  const name = headers['Event-Name'];
  if (!name) return { ok: false, issues: ['Event-Name: missing'] };
  const schema = (EVENT_SCHEMAS as Record<string, z.ZodType | undefined>)[name];
  if (schema) {
    const r = schema.safeParse(headers);
    // Issue paths and messages only: header values may hold phone numbers.
    if (!r.success) return { ok: false, issues: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
  }
  const ev: EslEvent = { name, headers };
  if (headers['Event-Subclass']) ev.subclass = headers['Event-Subclass'];
  if (headers['Unique-ID']) ev.uniqueId = headers['Unique-ID'];
  if (body !== undefined && body !== '') ev.body = body;
  return { ok: true, event: ev };
}

/** What `execute()` resolves with: the CHANNEL_EXECUTE_COMPLETE of that application run. */
export interface ExecuteComplete {
  uuid: string;
  application: string;
  applicationData?: string;
  applicationResponse?: string;
  applicationUuid: string;
  /** Channel variables at completion (`variable_` prefix removed), e.g. pagd digits, read_result, record_ms. */
  variables: Record<string, string>;
  event: TypedEslEvent<'CHANNEL_EXECUTE_COMPLETE'>;
}

export function variablesOf(e: EslEvent): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.headers)) if (k.startsWith('variable_')) out[k.slice(9)] = v;
  return out;
}
