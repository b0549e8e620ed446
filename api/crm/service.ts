/**
 * What the /crm routes do, apart from HTTP: list the persons and leads of the CRM (the Odoo queries, paging, search
 * by name, e-mail or a number in any spelling), read a dictation or a recording into a draft (previews and
 * corrections write nothing), and start a capture, the durable crmCaptureWorkflow (./capture.ts). The routes
 * (./router.ts) validate, call one method and shape its result into the answer.
 */
import type { Client } from '@temporalio/client';
import type { z } from 'zod';
import { checkAudio, MAX_UPLOAD_BYTES, type Transcriber } from '../../lib/stt/transcriber';
import { AudioRejected } from '../../lib/stt/errors';
import { parseSpokenEmail } from '../../lib/french/email';
import { parsePhone } from '../../lib/french/phone';
import { CONTACT_FIELDS } from '../../lib/french/contact';
import { partnerPhoneDomain } from '../../lib/odoo/phone-search';
import { requestConsents } from '../../lib/crm/consents';
import type { CrmExtractor } from '../../lib/crm/extractor';
import type { CrmOdooPort } from '../../lib/crm/odoo';
import type { CaptureInput, CaptureResult, ConsentStatement, ContactDraft, ContactField } from '../../lib/crm/types';
import { ApiError } from '../errors';
import { fingerprint, runCapture } from './capture';
import { identityKeys, IdentityLocks } from './identity-lock';
import type { contactsAnswerSchema, leadsAnswerSchema, listSchema, textContactsSchema, voiceFormSchema } from './schemas';

export interface CrmServiceDeps {
  odoo: CrmOdooPort;
  /** Parser + model extraction, used inline by previews (the workflow's worker has its own). */
  extraction: CrmExtractor;
  /** Tells whether speech is configured; recordings are transcribed by the workflow's worker. */
  transcriber: Pick<Transcriber, 'enabled' | 'transcribe'>;
  temporalClient: Client;
  /** Task queue of the worker that registers crmCaptureWorkflow and the crm* activities. */
  taskQueue: string;
  limits?: {
    /** Largest accepted recording (default 1 MiB: it travels in the workflow input, under Temporal's 2 MB payload limit). */
    maxAudioBytes?: number;
    /** Longest accepted WAV recording in seconds (default 60). */
    maxAudioSeconds?: number;
    /** How long a request waits for its capture before answering 504 capture_pending (default 25 s). */
    captureWaitMs?: number;
    maxTextChars?: number;
  };
  /**
   * A capture of a person who already has an open lead created by a capture within this many hours updates that
   * lead instead of adding one (CRM_LEAD_DEDUP_HOURS, default 24; 0: every capture adds a lead).
   */
  leadDedupHours?: number;
  defaultRegion?: string;
  /** Let the model fill what the parser missed (default true; the model is used only when configured). */
  useLlm?: boolean;
}

/** The settings the routes declare too (input limits, the region phone numbers are read in). */
export interface CrmSettings {
  region: string;
  useLlm: boolean;
  maxAudioBytes: number;
  maxAudioSeconds: number;
  captureWaitMs: number;
  maxTextChars: number;
  leadDedupHours: number;
}

export type TextContactRequest = z.infer<ReturnType<typeof textContactsSchema>>;
export type VoiceContactForm = z.infer<typeof voiceFormSchema>;
/** The routes' query; offset (paging) may be left out by callers in code. */
export type ListQuery = Omit<z.infer<ReturnType<typeof listSchema>>, 'offset'> & { offset?: number };

/** search_read's offset, sent only past the first page. */
function pageFrom(q: ListQuery): { offset?: number } {
  return q.offset ? { offset: q.offset } : {};
}
export type CorrectedField = 'name' | 'email' | 'phone';

/** A contact read but not stored (dry_run): what the caller hears back before confirming. */
export interface ContactPreview {
  contact: ContactDraft;
  needs_check: ContactField[];
  /** Previews: values the model proposed that the text does not support, and the consents said in it. */
  dropped?: ContactField[];
  consents?: Array<{ channel: ConsentStatement['channel']; granted: boolean }>;
  /** Corrections: the field said again. */
  corrected?: CorrectedField;
  /** Recording previews: what speech-to-text heard. */
  transcript?: string;
  /** The phone is the call's own number, proposed because the dictation had none. */
  phoneFromCaller?: boolean;
}

/** What a contact request produced: a preview (nothing stored) or the result of its capture. */
export type ContactOutcome = { kind: 'preview'; preview: ContactPreview } | { kind: 'capture'; result: CaptureResult };

/** A person and a lead as the listings answer them (the shapes /openapi.json documents). */
export type ListedPartner = z.infer<typeof contactsAnswerSchema>['contacts'][number];
export type ListedLead = z.infer<typeof leadsAnswerSchema>['leads'][number];

/** How a capture started, beside its content: the part of CaptureInput that text and recordings share. */
interface CaptureOrigin {
  source: CaptureInput['source'];
  callId: string | null;
  sessionId: string | null;
  createLead: boolean;
  consents: ConsentStatement[];
  /** The request as it identifies the capture (hashed: one Idempotency-Key, one request). */
  request: unknown;
}

type Row = Record<string, unknown> & { id: number };

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** Odoo many2one `[id, "name"]` or false. */
const many2one = (v: unknown): { id: number; name: string } | null =>
  Array.isArray(v) && typeof v[0] === 'number' ? { id: v[0], name: String(v[1] ?? '') } : null;

/** The default window in which a repeated capture of a person updates its open lead. */
export const DEFAULT_LEAD_DEDUP_HOURS = 24;

export function crmSettings(deps: Pick<CrmServiceDeps, 'limits' | 'defaultRegion' | 'useLlm' | 'leadDedupHours'>): CrmSettings {
  return {
    region: deps.defaultRegion ?? 'FR',
    useLlm: deps.useLlm ?? true,
    maxAudioBytes: Math.min(deps.limits?.maxAudioBytes ?? 1024 * 1024, MAX_UPLOAD_BYTES),
    maxAudioSeconds: deps.limits?.maxAudioSeconds ?? 60,
    captureWaitMs: deps.limits?.captureWaitMs ?? 25_000,
    maxTextChars: deps.limits?.maxTextChars ?? 5000,
    leadDedupHours: deps.leadDedupHours ?? DEFAULT_LEAD_DEDUP_HOURS,
  };
}

export class CrmService {
  readonly settings: CrmSettings;
  /** Captures of the same person run one at a time (one person, one partner). */
  readonly locks = new IdentityLocks();

  constructor(private readonly deps: CrmServiceDeps) {
    this.settings = crmSettings(deps);
  }

  /** A dictation or a confirmed contact: previewed, corrected (dry_run) or captured. */
  async textContact(body: TextContactRequest, idempotencyKey: string | null): Promise<ContactOutcome> {
    if (body.dry_run && body.draft && body.field) return { kind: 'preview', preview: await this.correct(body.draft, body.field, body.text!) };
    if (body.dry_run) return { kind: 'preview', preview: this.withCallerPhone(await this.preview(body.text!), body.default_phone) };
    const result = await this.capture(idempotencyKey, { ...(body.text ? { text: body.text } : {}), ...(body.contact ? { contact: body.contact } : {}) }, {
      source: body.call_id ? 'phone' : 'text',
      callId: body.call_id ?? null,
      sessionId: body.session_id ?? null,
      createLead: body.create_lead,
      consents: body.consent ? requestConsents(body.consent, body.consent.wording_version) : [],
      request: { route: 'text', body },
    });
    return { kind: 'capture', result };
  }

  /** A recording: checked (size, length, format), then previewed (dry_run) or captured. */
  async voiceContact(form: VoiceContactForm, audio: Buffer, idempotencyKey: string | null): Promise<ContactOutcome> {
    const fileName = this.recordingName(audio);
    if (!this.deps.transcriber.enabled) {
      throw new ApiError(503, 'speech_disabled', 'Speech recognition is not configured on this server (OPENAI_API_KEY); use POST /crm/text-contacts.');
    }
    if (form.dry_run) {
      const t = await this.deps.transcriber.transcribe({ audio, fileName });
      return { kind: 'preview', preview: { ...(await this.preview(t.text)), transcript: t.text } };
    }
    const audioBase64 = audio.toString('base64');
    const result = await this.capture(idempotencyKey, { audio: { base64: audioBase64, fileName } }, {
      source: 'voice',
      callId: form.call_id ?? null,
      sessionId: form.session_id ?? null,
      createLead: form.create_lead,
      consents: requestConsents({ whatsapp: form.consent_whatsapp, sms: form.consent_sms }, form.consent_wording_version),
      request: { route: 'voice', form, audio: fingerprint(audioBase64) },
    });
    return { kind: 'capture', result };
  }

  /**
   * The newest customers: persons (not companies) who are not the partner of an internal user (Administrator,
   * staff, OdooBot), searched by name, e-mail or phone when `q` is given. `partner_share` (stored on every version
   * 16–19) is false exactly for those; a server without it falls back to "no user at all".
   */
  async listContacts(q: ListQuery): Promise<ListedPartner[]> {
    const fields = await this.deps.odoo.fields('res.partner');
    const customers = fields.partner_share ? ['partner_share', '=', true] : ['user_ids', '=', false];
    const domain: unknown[] = [['is_company', '=', false], customers, ...this.searchTerms(q.q, fields, ['name', 'email'])];
    const read = ['id', 'name', 'email', 'phone', ...(fields.mobile ? ['mobile'] : []), 'create_date'];
    const rows = await this.deps.odoo.callKw<Row[]>('res.partner', 'search_read', [domain], { fields: read, limit: q.limit, ...pageFrom(q), order: 'id desc' });
    return rows.map((r) => ({
      id: r.id,
      name: str(r.name) ?? '',
      email: str(r.email),
      phone: str(r.phone) ?? str(r.mobile),
      created_at: str(r.create_date),
    }));
  }

  /** The newest leads, searched by name, contact, e-mail or phone when `q` is given. */
  async listLeads(q: ListQuery): Promise<ListedLead[]> {
    const domain = this.searchTerms(q.q, null, ['name', 'contact_name', 'email_from']);
    const rows = await this.deps.odoo.callKw<Row[]>('crm.lead', 'search_read', [domain], {
      fields: ['id', 'name', 'contact_name', 'email_from', 'phone', 'partner_id', 'type', 'create_date'],
      limit: q.limit,
      ...pageFrom(q),
      order: 'id desc',
    });
    return rows.map((r) => ({
      id: r.id,
      name: str(r.name) ?? '',
      contact_name: str(r.contact_name),
      email: str(r.email_from),
      phone: str(r.phone),
      partner: many2one(r.partner_id),
      type: str(r.type),
      created_at: str(r.create_date),
    }));
  }

  /** Builds the one CaptureInput of both routes and runs (or joins) its workflow, one at a time per person. */
  private async capture(key: string | null, content: Pick<CaptureInput, 'audio' | 'text' | 'contact'>, origin: CaptureOrigin): Promise<CaptureResult> {
    const { request, ...rest } = origin;
    const input: CaptureInput = {
      ...content,
      ...rest,
      defaultRegion: this.settings.region,
      useLlm: this.settings.useLlm,
      leadDedupHours: this.settings.leadDedupHours,
      fingerprint: fingerprint(request),
    };
    const { temporalClient, taskQueue } = this.deps;
    const identity = await this.identityOf(content);
    return runCapture({ temporalClient, taskQueue, captureWaitMs: this.settings.captureWaitMs, locks: this.locks }, key, input, identity);
  }

  /**
   * Who a capture is about, before its workflow runs: a confirmed contact's e-mail and phone, or what the parser
   * (deterministic, no model, no I/O) reads in a dictation; the workflow reads the same values first, the model
   * only fills what the parser missed. A recording is heard by the workflow only: it has no identity here.
   */
  private async identityOf(content: Pick<CaptureInput, 'audio' | 'text' | 'contact'>): Promise<string[]> {
    if (content.contact) return identityKeys(content.contact);
    if (!content.text) return [];
    try {
      return identityKeys((await this.extract(content.text, false)).contact);
    } catch {
      // text the parser refuses is refused by the workflow's extraction too, with its own error
      return [];
    }
  }

  /** The recording's file name, after its checks: named by its content (browsers send "blob", STT servers pick the decoder by extension). */
  private recordingName(audio: Buffer): string {
    const { maxAudioBytes, maxAudioSeconds } = this.settings;
    try {
      return `dictee.${checkAudio(audio, { maxBytes: maxAudioBytes, maxDurationSeconds: maxAudioSeconds }).format}`;
    } catch (err) {
      if (!(err instanceof AudioRejected)) throw err;
      if (err.problem === 'too_large' || err.problem === 'too_long') {
        throw new ApiError(413, err.problem === 'too_long' ? 'audio_too_long' : 'audio_too_large', err.message, {
          problem: err.problem, max_bytes: maxAudioBytes, max_seconds: maxAudioSeconds,
        });
      }
      throw new ApiError(422, 'audio_rejected', err.message, { problem: err.problem });
    }
  }

  /** A preview without a phone takes the call's own number, when it is a valid one, flagged for the read-back. */
  private withCallerPhone(p: ContactPreview, callerPhone: string | undefined): ContactPreview {
    if (p.contact.phone || !callerPhone) return p;
    const parsed = parsePhone(callerPhone, { defaultRegion: this.settings.region });
    if (!parsed.ok) return p;
    return { ...p, contact: { ...p.contact, phone: parsed.e164 }, phoneFromCaller: true };
  }

  /** Extraction only, nothing stored. */
  private async preview(text: string): Promise<ContactPreview> {
    const x = await this.extract(text, this.settings.useLlm);
    const c = x.contact;
    if (!c.firstname && !c.lastname && !c.email && !c.phone) {
      throw new ApiError(422, 'nothing_understood', 'No name, e-mail or phone could be read in this text; ask the caller to dictate again.', {
        dropped: x.dropped,
      });
    }
    return { contact: c, needs_check: x.needs_check, dropped: x.dropped, consents: x.consents.map((s) => ({ channel: s.channel, granted: s.granted })) };
  }

  /** One field said again: read it from the new text and merge it into the draft. */
  private async correct(draft: ContactDraft & { needs_check?: ContactField[] }, field: CorrectedField, text: string): Promise<ContactPreview> {
    const x = await this.extract(text, this.settings.useLlm);
    const merged: ContactDraft = { firstname: draft.firstname, lastname: draft.lastname, email: draft.email, phone: draft.phone };
    const touched: ContactField[] = field === 'name' ? ['firstname', 'lastname'] : [field];
    let flagged = x.needs_check.filter((f) => touched.includes(f));
    if (field === 'name') {
      // "Lina Andrianina" alone has no cue: read it as a name said after "je m'appelle"
      const names = x.contact.firstname || x.contact.lastname ? x.contact : (await this.extract(`Je m'appelle ${text}`, false)).contact;
      if (!names.firstname && !names.lastname) throw notUnderstood('name');
      merged.firstname = names.firstname;
      merged.lastname = names.lastname;
    } else if (field === 'email') {
      const email = x.contact.email ?? parseSpokenEmail(text);
      if (!email) throw notUnderstood('email');
      merged.email = email;
    } else {
      let phone = x.contact.phone;
      if (!phone) {
        const p = parsePhone(text, { defaultRegion: this.settings.region });
        if (p.ok) phone = p.e164;
      }
      if (!phone) throw notUnderstood('phone');
      merged.phone = phone;
      flagged = x.contact.phone ? flagged : [];
    }
    const kept = (draft.needs_check ?? []).filter((f) => !touched.includes(f));
    const needs = CONTACT_FIELDS.filter((f) => kept.includes(f) || flagged.includes(f));
    return { contact: merged, needs_check: needs, corrected: field };
  }

  private extract(text: string, useLlm: boolean) {
    return this.deps.extraction.extract(text, { defaultRegion: this.settings.region, useLlm });
  }

  /** An Odoo domain for `q`: a number (6 digits or more) in any spelling on persons, else a text search. */
  private searchTerms(q: string | undefined, partnerFields: Record<string, unknown> | null, textFields: string[]): unknown[] {
    if (!q) return [];
    const digits = q.replace(/\D/g, '');
    if (partnerFields && digits.length >= 6) {
      const p = parsePhone(q, { defaultRegion: this.settings.region });
      if (p.ok) return partnerPhoneDomain(p.e164, partnerFields);
    }
    const fieldsToSearch = [...textFields, 'phone'];
    return [...Array(fieldsToSearch.length - 1).fill('|'), ...fieldsToSearch.map((f) => [f, 'ilike', q])];
  }
}

function notUnderstood(field: CorrectedField): ApiError {
  const what = { name: 'a first or last name', email: 'an e-mail address', phone: 'a phone number' }[field];
  return new ApiError(422, 'correction_not_understood', `No ${what} could be read in the correction; ask the caller to say it again.`, { field });
}
