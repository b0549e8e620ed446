/**
 * The CRM capture domain: what the capture workflow, its activities and the /crm routes exchange. Plain JSON only:
 * every value crosses Temporal's payload converter (and its encryption codec, since contacts are personal data).
 */
import type { ConsentChannel } from '../consent/wordings';
import type { ContactField } from '../french/contact';

export type { ConsentChannel, ContactField };

export interface ContactDraft {
  firstname: string | null;
  lastname: string | null;
  email: string | null;
  /** E.164 */
  phone: string | null;
}

/** One consent statement, said during the capture or sent explicitly with the request (RGPD art. 7(1) evidence). */
export interface ConsentStatement {
  channel: ConsentChannel;
  granted: boolean;
  /** speech: read from the dictation; request: an explicit field of the HTTP request. */
  source: 'speech' | 'request';
  /** The wording the person accepted (the sentence said, or the wording version's text). */
  wording: string;
  wording_version: string;
}

export interface CaptureInput {
  /** Audio to transcribe (base64), when the capture started from a recording. */
  audio?: { base64: string; fileName?: string };
  /** Typed text or an already known transcript. */
  text?: string;
  /** A contact already extracted and confirmed (the machine's create call): no extraction step. */
  contact?: ContactDraft & { needs_check?: ContactField[] };
  /** Where the capture comes from, written on the lead (voice: recording, text: typed, phone: the IVR machine). */
  source: 'voice' | 'text' | 'phone';
  callId: string | null;
  sessionId: string | null;
  createLead: boolean;
  /** Consents passed explicitly in the request; spoken ones are added after extraction. */
  consents: ConsentStatement[];
  defaultRegion: string;
  useLlm: boolean;
  /**
   * Hours within which a capture of a matched person updates the open lead an earlier capture created for it
   * instead of adding one (absent or 0: always a new lead). Optional: captures started before it existed.
   */
  leadDedupHours?: number;
  /** Hash of the request that started the capture: the same Idempotency-Key with another request is refused. */
  fingerprint: string;
}

export interface ExtractionOutput {
  contact: ContactDraft;
  needs_check: ContactField[];
  /** Values the model proposed that the transcript does not support (dropped, never written). */
  dropped: ContactField[];
  consents: ConsentStatement[];
  method: 'parser' | 'parser+llm';
}

/**
 * A partner found for the capture, with the captured fields that differ from it (they go on the lead, the partner
 * is left as it is); or, when the phone is another person's (names disagree), no partner and the phone flagged.
 */
export type DuplicateMatch =
  | { partnerId: number; by: 'capture' | 'email' | 'phone'; needsCheck: ContactField[] }
  | { partnerId: null; by: null; needsCheck: ContactField[] };

export interface CaptureResult {
  status: 'created' | 'matched' | 'incomplete';
  capture_id: string;
  transcript: string | null;
  extracted: ContactDraft;
  needs_check: ContactField[];
  dropped: ContactField[];
  /** Fields without which no contact can be created (incomplete captures only). */
  missing: Array<'name' | 'email_or_phone'>;
  partner: { id: number; created: boolean; matched_by: 'email' | 'phone' | null } | null;
  lead: LeadOutcome | null;
  consents: Array<{ channel: ConsentChannel; granted: boolean; source: 'speech' | 'request' }>;
  extraction: 'parser' | 'parser+llm' | 'given';
  fingerprint: string;
}

/**
 * The lead a capture wrote: created, or an open lead of the same person updated (a repeated capture within the
 * window). `created`/`updated` are absent in results stored before they existed (read as created).
 */
export interface LeadOutcome {
  id: number;
  created?: boolean;
  updated?: boolean;
}

/** What a lead is made of: the capture it comes from, its partner, the contact, the transcript and the source. */
export interface CreateLeadInput {
  captureRef: string;
  partnerId: number;
  contact: ContactDraft;
  transcript: string | null;
  source: CaptureInput['source'];
  callId: string | null;
  /** Captured fields that differ from the partner or belong to another person: written on the lead to check. */
  needsCheck?: ContactField[];
  /**
   * A matched person's open lead created by a capture within this many hours is updated instead (absent or 0:
   * always create). The window ends at `at`, the capture's time from the workflow clock.
   */
  dedupHours?: number;
  at?: string;
}

/**
 * Activity signatures, as the workflow sees them (names are prefixed: the session worker has its own `transcribe`).
 * A type alias, not an interface, so it fits the worker's `extraActivities` record.
 */
export type CrmActivities = {
  crmTranscribe(input: { audioBase64: string; fileName?: string }): Promise<{ text: string; durationMs?: number }>;
  crmExtract(input: { text: string; defaultRegion: string; useLlm: boolean }): Promise<ExtractionOutput>;
  crmFindDuplicate(input: { captureRef: string; email: string | null; phone: string | null; firstname?: string | null; lastname?: string | null }): Promise<DuplicateMatch | null>;
  crmCreatePartner(input: { captureRef: string; contact: ContactDraft; source: CaptureInput['source'] }): Promise<{ id: number }>;
  crmCreateLead(input: CreateLeadInput): Promise<LeadOutcome>;
  crmLogConsent(input: {
    captureRef: string;
    partnerId: number;
    consents: ConsentStatement[];
    /** When the capture happened (ISO), from the workflow clock so a retry writes the same time. */
    at: string;
    callId: string | null;
    sessionId: string | null;
  }): Promise<{ logged: ConsentChannel[]; fieldsWritten: boolean }>;
};
